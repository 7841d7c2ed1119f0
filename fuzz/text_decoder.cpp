// TextDecoder: bytes in a charset to UTF-8 text. Whatever the bytes and charset, the output is
// valid UTF-8 and the same however the input is cut (a character split across chunks comes out
// whole). The charset comes from a list, or from the input (as an untrusted Content-Type would
// name it: only names `is_known_encoding` accepts reach the decoder).
//
// Input: a control byte (< 0xF0: index into the list; else the name is the input up to '\n'),
// then the bytes to decode.
#include "content/text_decoder.hpp"
#include "fuzz_support.hpp"
#include "utf8.hpp"

#include <string>

using namespace httpx::fuzz;

namespace {

constexpr std::string_view kEncodings[] = {
    "utf-8",     "utf-8-sig", "ascii",  "latin-1",     "cp1252", "iso-8859-15", "koi8-r",
    "shift_jis", "euc-jp",    "gb2312", "gb18030",     "big5",   "euc-kr",      "utf-16",
    "utf-16-le", "utf-16-be", "utf-32", "iso-2022-jp", "cp437",  "mac-roman",
};

std::string decode(std::string_view encoding, const std::vector<std::string_view>& pieces) {
    httpx::content::TextDecoder decoder(encoding);
    std::string out;
    for (auto piece : pieces) {
        const auto text = decoder.decode(piece);
        FUZZ_CHECK(is_valid_utf8(text));
        out += text;
    }
    const auto tail = decoder.flush();
    FUZZ_CHECK(is_valid_utf8(tail));
    return out + tail;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string encoding;
    if (data[0] < 0xF0) {
        encoding = kEncodings[data[0] % std::size(kEncodings)];
    } else {
        const auto newline = input.find('\n');
        if (newline == std::string_view::npos) return 0;
        encoding = std::string(input.substr(0, newline));
        input.remove_prefix(newline + 1);
        if (!httpx::content::is_known_encoding(encoding)) return 0;
    }
    const auto whole = decode(encoding, {input});
    FUZZ_CHECK(decode(encoding, split(input, seed_of(input))) == whole);
    FUZZ_CHECK(httpx::content::decode_text(input, encoding) == whole);
    return 0;
}
