#include "protocol/request_target.hpp"

#include <any>

namespace httpx::protocol {

std::string request_target(const Request& request) {
    if (auto it = request.extensions().find("target"); it != request.extensions().end()) {
        if (auto* target = std::any_cast<std::string>(&it->second)) return *target;
    }
    return request.url().raw_path();
}

}  // namespace httpx::protocol
