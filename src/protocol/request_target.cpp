#include "protocol/request_target.hpp"

#include "models/string_extension.hpp"

namespace httpx::protocol {

std::string request_target(const Request& request) {
    if (auto target = httpx::detail::string_extension(request.extensions(), "target"))
        return *target;
    return request.url().raw_path();
}

std::string forwarded_target(const Request& request) {
    if (auto target = httpx::detail::string_extension(request.extensions(), "target"))
        return *target;
    const URL& url = request.url();
    return url.scheme() + "://" + url.netloc() + url.raw_path();
}

Headers merge_headers(const Headers& default_headers, const Headers& override_headers) {
    Headers merged;
    for (const auto& [name, value] : default_headers)
        if (!override_headers.contains(name)) merged.add(name, value);
    for (const auto& [name, value] : override_headers) merged.add(name, value);
    return merged;
}

}  // namespace httpx::protocol
