#include "content/encoders.hpp"

#include <cmath>
#include <stdexcept>

namespace httpx::content {

namespace {

void append_quoted_plus(Bytes& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' ||
                                c == '~';
        if (unreserved) {
            out.push_back(ch);
        } else if (c == ' ') {
            out.push_back('+');
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0x0F]);
        }
    }
}

template <class Json>
void check_finite(const Json& value) {
    if (value.is_number_float()) {
        if (!std::isfinite(value.template get<double>())) {
            throw std::invalid_argument("Out of range float values are not JSON compliant");
        }
    } else if (value.is_structured()) {
        for (const auto& item : value) check_finite(item);
    }
}

template <class Json>
Bytes dump_compact(const Json& value) {
    // nlohmann would silently write NaN as null; Python refuses it.
    check_finite(value);
    try {
        return value.dump();  // indent -1: compact, "," and ":" separators, UTF-8 kept as is
    } catch (const nlohmann::json::type_error& e) {  // invalid UTF-8 in a string
        throw std::invalid_argument(std::string("cannot encode JSON: ") + e.what());
    }
}

}  // namespace

Bytes encode_urlencoded_form(const std::vector<std::pair<std::string, std::string>>& fields) {
    Bytes out;
    for (const auto& [key, value] : fields) {
        if (!out.empty()) out.push_back('&');
        append_quoted_plus(out, key);
        out.push_back('=');
        append_quoted_plus(out, value);
    }
    return out;
}

Bytes encode_json(const nlohmann::json& value) {
    return dump_compact(value);
}
Bytes encode_ordered_json(const nlohmann::ordered_json& value) {
    return dump_compact(value);
}

}  // namespace httpx::content
