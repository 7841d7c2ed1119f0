// Request body encoders (HTTPX's httpx/_content.py): urlencoded forms and JSON. Multipart is in
// multipart.hpp.
#pragma once

#include <httpx/types.hpp>

#include <nlohmann/json.hpp>

#include <concepts>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace httpx::content {

inline constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";
inline constexpr std::string_view kJsonContentType = "application/json";

/// `a=1&b=x+y`: Python's `urlencode(pairs)`: every byte but `A-Za-z0-9_.-~` percent-encoded
/// (upper-case hex), spaces as '+'. Repeated keys stay repeated, in order.
Bytes encode_urlencoded_form(const std::vector<std::pair<std::string, std::string>>& fields);

/// Compact JSON as HTTPX sends it: separators "," and ":", non-ASCII kept as UTF-8
/// (ensure_ascii=False). Throws `std::invalid_argument` for NaN or infinite numbers (HTTPX 0.28:
/// "Out of range float values are not JSON compliant") and for strings that are not UTF-8.
/// Object members come out in the order the json type keeps them (sorted for nlohmann::json,
/// insertion order for nlohmann::ordered_json).
Bytes encode_json(const nlohmann::json& value);
Bytes encode_ordered_json(const nlohmann::ordered_json& value);

/// The same for `nlohmann::ordered_json` (a template only so that `encode_json({{"k", 1}})`
/// stays unambiguous and means `nlohmann::json`).
template <class Json>
requires std::same_as<Json, nlohmann::ordered_json> Bytes encode_json(const Json& value) {
    return encode_ordered_json(value);
}

}  // namespace httpx::content
