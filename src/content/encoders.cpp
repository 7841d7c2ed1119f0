#include "content/encoders.hpp"

#include "httpx/request.hpp"
#include "models/py_repr.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <variant>

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

// Python's json encoder for a str with ensure_ascii=False: only '"', '\\' and C0 controls are
// escaped (short forms where JSON has them, else \u00XX in lower-case hex); DEL and non-ASCII
// stay as they are.
void append_json_string(Bytes& out, std::string_view s) {
    if (!detail::is_valid_utf8(s))
        throw std::invalid_argument("cannot encode JSON: a string is not valid UTF-8");
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out.push_back(kHex[c >> 4]);
                    out.push_back(kHex[c & 0x0F]);
                } else {
                    out.push_back(ch);
                }
        }
    }
    out.push_back('"');
}

template <class Json>
void append_json(Bytes& out, const Json& value) {
    using Type = nlohmann::json::value_t;
    switch (value.type()) {
        case Type::null:
            out += "null";
            return;
        case Type::boolean:
            out += value.template get<bool>() ? "true" : "false";
            return;
        case Type::number_integer:
            out += std::to_string(value.template get<std::int64_t>());
            return;
        case Type::number_unsigned:
            out += std::to_string(value.template get<std::uint64_t>());
            return;
        case Type::number_float: {
            const double d = value.template get<double>();
            // nlohmann would silently write NaN as null; Python refuses it.
            if (!std::isfinite(d))
                throw std::invalid_argument("Out of range float values are not JSON compliant");
            out += detail::py_float_repr(d);
            return;
        }
        case Type::string:
            append_json_string(out, value.template get_ref<const std::string&>());
            return;
        case Type::array: {
            out.push_back('[');
            bool first = true;
            for (const auto& item : value) {
                if (!first) out.push_back(',');
                first = false;
                append_json(out, item);
            }
            out.push_back(']');
            return;
        }
        case Type::object: {
            out.push_back('{');
            bool first = true;
            for (const auto& [key, item] : value.items()) {
                if (!first) out.push_back(',');
                first = false;
                append_json_string(out, key);
                out.push_back(':');
                append_json(out, item);
            }
            out.push_back('}');
            return;
        }
        case Type::binary:
            throw std::invalid_argument("Object of type bytes is not JSON serializable");
        case Type::discarded:
            break;
    }
    throw std::invalid_argument("cannot encode a discarded JSON value");
}

template <class Json>
Bytes dump_compact(const Json& value) {
    Bytes out;
    append_json(out, value);
    return out;
}

}  // namespace

Bytes encode_urlencoded_form(const std::vector<std::pair<std::string, PrimitiveValue>>& fields) {
    Bytes out;
    for (const auto& [key, value] : fields) {
        if (!out.empty()) out.push_back('&');
        append_quoted_plus(out, key);
        out.push_back('=');
        append_quoted_plus(out, value.str());
    }
    return out;
}

Bytes encode_json(const nlohmann::json& value) {
    return dump_compact(value);
}
Bytes encode_ordered_json(const nlohmann::ordered_json& value) {
    return dump_compact(value);
}

Bytes encode_json_option(const JsonOption& option) {
    return std::visit(
        [](const auto& json) -> Bytes {
            if constexpr (std::is_same_v<std::decay_t<decltype(json)>, std::monostate>)
                return Bytes();
            else
                return dump_compact(json);
        },
        option.value());
}

}  // namespace httpx::content
