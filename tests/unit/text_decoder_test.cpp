#include "content/text_decoder.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace {

using httpx::content::decode_text;
using httpx::content::is_known_encoding;
using httpx::content::parse_content_type_charset;
using httpx::content::TextDecoder;

const std::string kFFFD = "\xEF\xBF\xBD";

// Feeds the chunks and checks every output is valid, whole UTF-8.
std::string feed(std::string_view encoding, const std::vector<std::string>& chunks,
                 std::vector<std::string>* outputs = nullptr) {
    TextDecoder decoder(encoding);
    std::string text;
    for (const auto& chunk : chunks) {
        auto out = decoder.decode(chunk);
        if (outputs) outputs->push_back(out);
        text += out;
    }
    auto out = decoder.flush();
    if (outputs) outputs->push_back(out);
    return text + out;
}

std::vector<std::string> bytewise(std::string_view s) {
    std::vector<std::string> out;
    for (char c : s) out.emplace_back(1, c);
    return out;
}

TEST(TextDecoder, Ascii) {
    EXPECT_EQ(feed("ascii", {"Hello,", " world!"}), "Hello, world!");
    EXPECT_EQ(feed("ascii", {"a\x80z"}), "a" + kFFFD + "z");
}

TEST(TextDecoder, Utf8SplitAcrossChunksComesOutWhole) {
    // HTTPX's test: "トラベル" split in the middle of characters.
    std::vector<std::string> outputs;
    const auto text =
        feed("utf-8", {"\xe3\x83", "\x88\xe3\x83\xa9", "\xe3", "\x83\x99\xe3\x83\xab"}, &outputs);
    EXPECT_EQ(text, "トラベル");
    EXPECT_EQ(outputs[0], "");
    EXPECT_EQ(outputs[1], "トラ");
    EXPECT_EQ(outputs[2], "");
    EXPECT_EQ(outputs[3], "ベル");
}

TEST(TextDecoder, Utf8ByteByByte) {
    const std::string text = "héllo wörld – ☃ 😀 end";
    std::vector<std::string> outputs;
    EXPECT_EQ(feed("utf-8", bytewise(text), &outputs), text);
    for (const auto& out : outputs) {
        // No output may end inside a character.
        if (!out.empty()) {
            EXPECT_NE(static_cast<unsigned char>(out.back()) & 0xC0, 0xC0u);
        }
    }
}

TEST(TextDecoder, Utf8InvalidBytesAreReplacedLikePython) {
    // Expected values come from CPython's bytes.decode("utf-8", "replace").
    EXPECT_EQ(decode_text("\xe3\x83"
                          "A"),
              kFFFD + "A");
    EXPECT_EQ(decode_text("\xed\xa0\x80"), kFFFD + kFFFD + kFFFD);  // surrogate
    EXPECT_EQ(decode_text("\xf0\x80"), kFFFD + kFFFD);
    EXPECT_EQ(decode_text("\xf4\x90\x80\x80"), kFFFD + kFFFD + kFFFD + kFFFD);
    EXPECT_EQ(decode_text("\xc0\xaf"), kFFFD + kFFFD);
    EXPECT_EQ(decode_text("a\xffz"), "a" + kFFFD + "z");
}

TEST(TextDecoder, Utf8IncompleteAtEndBecomesOneReplacement) {
    EXPECT_EQ(feed("utf-8", {"ab\xe3", "\x83"}), "ab" + kFFFD);
    // An invalid continuation after a held-back prefix.
    EXPECT_EQ(feed("utf-8", {"\xe3\x83", "Z"}), kFFFD + "Z");
    EXPECT_EQ(feed("utf-8", {"\xe3", "\xe3\x83\x88"}), kFFFD + "ト");
}

TEST(TextDecoder, Utf8KeepsBomButUtf8SigStripsIt) {
    EXPECT_EQ(decode_text("\xEF\xBB\xBFhi", "utf-8"), "\xEF\xBB\xBFhi");
    EXPECT_EQ(feed("utf-8-sig", {"\xEF", "\xBB", "\xBFhi"}), "hi");
    EXPECT_EQ(feed("utf-8-sig", {"hi\xEF\xBB\xBF"}), "hi\xEF\xBB\xBF");
}

TEST(TextDecoder, Latin1) {
    EXPECT_EQ(decode_text("Accented: \xd6sterreich", "iso-8859-1"), "Accented: Österreich");
    EXPECT_EQ(decode_text("\xff", "latin-1"), "ÿ");
    EXPECT_EQ(decode_text("\xe9", "Latin1"), "é");
}

TEST(TextDecoder, Cp1252ViaIconv) {
    EXPECT_EQ(decode_text("Euro character: \x80!", "cp1252"), "Euro character: €!");
    EXPECT_EQ(decode_text("\x93quoted\x94", "windows-1252"), "“quoted”");
    // Bytes cp1252 leaves undefined are replaced, as Python does.
    EXPECT_EQ(decode_text("\x81"
                          "a",
                          "cp1252"),
              kFFFD + "a");
}

TEST(TextDecoder, ShiftJisSplitAcrossChunks) {
    // HTTPX's test_text_decoder_known_encoding.
    EXPECT_EQ(feed("shift-jis", {"\x83g", "\x83", "\x89\x83x\x83\x8b"}), "トラベル");
    EXPECT_EQ(feed("shift_jis", bytewise("\x83g\x83\x89\x83x\x83\x8b")), "トラベル");
}

TEST(TextDecoder, IconvIncompleteAtEndBecomesReplacement) {
    EXPECT_EQ(feed("shift_jis", {"a\x83"}), "a" + kFFFD);
    EXPECT_EQ(feed("utf-16-le", {std::string("a\0b", 3)}), "a" + kFFFD);
    EXPECT_EQ(feed("utf-16-le", {std::string("a\0b", 3), std::string("\0", 1)}), "ab");
}

TEST(TextDecoder, EmptyInput) {
    EXPECT_EQ(feed("utf-8", {}), "");
    EXPECT_EQ(feed("utf-8", {""}), "");
}

TEST(TextDecoder, UnknownEncodingThrows) {
    EXPECT_THROW(TextDecoder("not-a-charset"), std::invalid_argument);
    EXPECT_THROW(TextDecoder(""), std::invalid_argument);
    EXPECT_THROW(TextDecoder("UTF-8//TRANSLIT"), std::invalid_argument);
}

TEST(TextDecoder, KnownEncodings) {
    for (const char* name : {"utf-8", "UTF-8", "utf8", "ascii", "latin-1", "iso-8859-1",
                             "ISO-8859-15", "cp1252", "windows-1252", "shift_jis", "euc-jp",
                             "gb2312", "koi8-r", "utf-16", "utf_16_le", "utf-8-sig"}) {
        EXPECT_TRUE(is_known_encoding(name)) << name;
    }
    for (const char* name : {"", "nope", "utf-9", "UTF-8//IGNORE"}) {
        EXPECT_FALSE(is_known_encoding(name)) << name;
    }
}

// Found by a 10-minute fuzz run: a charset iconv knows as UCS-4 lets a server send code points
// above U+10FFFF, which glibc wrote out as 5- and 6-byte "UTF-8". Each becomes one U+FFFD; the
// text stays valid UTF-8, fed whole or byte by byte.
TEST(TextDecoder, CodePointsBeyondUnicodeBecomeOneReplacementEach) {
    if (!is_known_encoding("ucs-4")) GTEST_SKIP() << "iconv has no UCS-4 here";
    const std::string input(
        "\x73\x34\x00\x0a"
        "\x00\x00\x00\x41"
        "\x00\xd8\x00\x7f",
        12);
    const std::string expected = kFFFD + "A" + kFFFD;
    EXPECT_EQ(feed("ucs-4", {input}), expected);
    std::vector<std::string> bytes;
    for (char c : input) bytes.emplace_back(1, c);
    EXPECT_EQ(feed("ucs-4", bytes), expected);
}

TEST(TextDecoder, CharsetFromContentType) {
    // Expected values come from Python's email.message get_content_charset().
    EXPECT_EQ(parse_content_type_charset("text/html; charset=\"UTF-8\""), "utf-8");
    EXPECT_EQ(parse_content_type_charset("text/html; charset=UTF-8 ; x=1"), "utf-8");
    EXPECT_EQ(parse_content_type_charset("text/plain; CHARSET = Latin-1"), "latin-1");
    EXPECT_EQ(parse_content_type_charset("text/html"), std::nullopt);
    EXPECT_EQ(parse_content_type_charset(""), std::nullopt);
    EXPECT_EQ(parse_content_type_charset("text/html; charset="), "");
    EXPECT_EQ(parse_content_type_charset("text/html; a=\"x;charset=bad\"; charset=ok"), "ok");
    EXPECT_EQ(parse_content_type_charset("text/plain; charset*=us-ascii'en'UTF%2D8"), "utf-8");
    EXPECT_EQ(parse_content_type_charset("text/plain;charset=\"a\\\"b\""), "a\"b");
    EXPECT_EQ(parse_content_type_charset("text/plain; charset=\xc3\xa9"), std::nullopt);
}

}  // namespace
