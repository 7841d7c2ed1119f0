#include "models/idna.hpp"

#include "models/percent_encoding.hpp"

#include <httpx/exceptions.hpp>

#include <idn2.h>

#include <locale.h>  // newlocale, towlower_l (POSIX)

#include <cwctype>
#include <memory>
#include <vector>

namespace httpx::detail {
namespace {

struct IdnFree {
    void operator()(char* p) const noexcept { idn2_free(p); }
};
using IdnString = std::unique_ptr<char, IdnFree>;

// Python lower-cases with Unicode rules; glibc's C.UTF-8 locale has the same simple mappings.
locale_t unicode_ctype_locale() {
    static const locale_t locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
    return locale;
}

bool decode_utf8(std::string_view text, std::u32string& out) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto b0 = static_cast<unsigned char>(text[pos]);
        const std::size_t length = b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
        if (replace_invalid_utf8(text.substr(pos, length)) != text.substr(pos, length)) {
            return false;
        }
        char32_t cp = length == 1 ? b0 : (b0 & (0x7F >> length));
        for (std::size_t i = 1; i < length; ++i) {
            cp = (cp << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3F);
        }
        out += cp;
        pos += length;
    }
    return true;
}

void encode_utf8(char32_t cp, std::string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

bool is_label_separator(char32_t cp) {
    // The `idna` package splits labels on these full stops as well as '.'.
    return cp == U'.' || cp == U'\u3002' || cp == U'\uFF0E' || cp == U'\uFF61';
}

bool is_ascii(std::string_view text) {
    for (char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
}

std::string to_unicode(std::string_view ascii_host) {
    char* output = nullptr;
    const std::string input(ascii_host);
    if (idn2_to_unicode_8z8z(input.c_str(), &output, 0) != IDN2_OK) return {};
    return IdnString(output).get();
}

std::string to_ascii(std::string_view unicode_label) {
    char* output = nullptr;
    const std::string input(unicode_label);
    if (idn2_lookup_u8(reinterpret_cast<const uint8_t*>(input.c_str()),
                       reinterpret_cast<uint8_t**>(&output), IDN2_NO_TR46) != IDN2_OK) {
        return {};
    }
    return IdnString(output).get();
}

// An ASCII label inside an internationalised host must itself be a valid IDNA 2008 label:
// LDH characters, hyphen rules, and an `xn--` label must round-trip.
bool valid_ascii_label(const std::string& label) {
    for (char c : label) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    if (label.front() == '-' || label.back() == '-') return false;
    if (label.size() >= 4 && label[2] == '-' && label[3] == '-') {
        if (label.compare(0, 4, "xn--") != 0 || label.size() == 4) return false;
        const std::string unicode = to_unicode(label);
        return !unicode.empty() && unicode != label && to_ascii(unicode) == label;
    }
    return true;
}

}  // namespace

std::string idna_encode_host(std::string_view host) {
    auto invalid = [&] { return InvalidURL("Invalid IDNA hostname: " + python_repr(host)); };

    std::u32string code_points;
    if (!decode_utf8(host, code_points)) throw invalid();

    // Lower-case, and split into labels on any of the full stops.
    std::vector<std::string> labels(1);
    const locale_t locale = unicode_ctype_locale();
    for (char32_t cp : code_points) {
        if (is_label_separator(cp)) {
            labels.emplace_back();
            continue;
        }
        if (cp < 0x80) {
            if (cp >= U'A' && cp <= U'Z') cp += U'a' - U'A';
        } else if (locale != locale_t{}) {
            cp = static_cast<char32_t>(towlower_l(static_cast<wint_t>(cp), locale));
        }
        encode_utf8(cp, labels.back());
    }
    const bool trailing_dot = labels.size() > 1 && labels.back().empty();
    if (trailing_dot) labels.pop_back();

    std::string ascii_host;
    for (const std::string& label : labels) {
        if (label.empty()) throw invalid();
        std::string ascii_label;
        if (is_ascii(label)) {
            if (!valid_ascii_label(label)) throw invalid();
            ascii_label = label;
        } else {
            ascii_label = to_ascii(label);
            if (ascii_label.empty()) throw invalid();
        }
        if (ascii_label.size() > 63) throw invalid();
        if (!ascii_host.empty()) ascii_host += '.';
        ascii_host += ascii_label;
    }
    if (ascii_host.size() > 253) throw invalid();
    if (trailing_dot) ascii_host += '.';
    return ascii_host;
}

std::string idna_decode_host(std::string_view host) {
    const bool has_alabel =
        host.substr(0, 4) == "xn--" || host.find(".xn--") != std::string_view::npos;
    if (!has_alabel) return std::string(host);
    std::string unicode = to_unicode(host);
    return unicode.empty() ? std::string(host) : unicode;
}

}  // namespace httpx::detail
