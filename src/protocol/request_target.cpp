#include "protocol/request_target.hpp"

#include "models/string_extension.hpp"

namespace httpx::protocol {

std::string request_target(const Request& request) {
    if (auto target = httpx::detail::string_extension(request.extensions(), "target"))
        return *target;
    return request.url().raw_path();
}

}  // namespace httpx::protocol
