// What the library may do to Headers beyond its public API.
#pragma once

#include "httpx/headers.hpp"

#include <vector>

namespace httpx::detail {

struct HeadersAccess {
    /// The fields in order, to insert or move them without copying every one.
    static std::vector<Headers::value_type>& items(Headers& headers) noexcept {
        return headers.items_;
    }
};

}  // namespace httpx::detail
