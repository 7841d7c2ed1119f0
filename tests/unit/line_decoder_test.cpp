#include "content/line_decoder.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace {

using httpx::content::ByteChunker;
using httpx::content::LineDecoder;
using httpx::content::TextChunker;
using Lines = std::vector<std::string>;

Lines lines_of(const std::vector<std::string>& chunks) {
    LineDecoder decoder;
    Lines out;
    for (const auto& chunk : chunks) {
        for (auto& line : decoder.decode(chunk)) out.push_back(line);
    }
    for (auto& line : decoder.flush()) out.push_back(line);
    return out;
}

// Every way of cutting `text` in two chunks must give the same lines as the whole text.
void expect_split_invariant(const std::string& text, const Lines& expected) {
    EXPECT_EQ(lines_of({text}), expected) << text;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        // Cut only at character boundaries, as TextDecoder guarantees.
        if (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
        EXPECT_EQ(lines_of({text.substr(0, i), text.substr(i)}), expected) << "cut at " << i;
    }
}

TEST(LineDecoder, Newlines) {
    // HTTPX's test_line_decoder_nl.
    EXPECT_EQ(lines_of({""}), Lines{});
    EXPECT_EQ(lines_of({"", "a\n\nb\nc"}), (Lines{"a", "", "b", "c"}));
    EXPECT_EQ(lines_of({"", "12345\n", "foo ", "bar ", "baz\n"}), (Lines{"12345", "foo bar baz"}));
}

TEST(LineDecoder, CarriageReturns) {
    EXPECT_EQ(lines_of({"", "a\r\rb\rc"}), (Lines{"a", "", "b", "c"}));
    EXPECT_EQ(lines_of({"", "a\r\rb\rc\r"}), (Lines{"a", "", "b", "c"}));
    EXPECT_EQ(lines_of({"", "12345\r", "foo ", "bar ", "baz\r"}), (Lines{"12345", "foo bar baz"}));
}

TEST(LineDecoder, CrLfSplitAcrossChunks) {
    EXPECT_EQ(lines_of({"", "a\r\n\r\nb\r\nc"}), (Lines{"a", "", "b", "c"}));
    EXPECT_EQ(lines_of({"", "a\r\n\r\nb\r\nc\r\n"}), (Lines{"a", "", "b", "c"}));
    EXPECT_EQ(lines_of({"", "a\r", "\n\r\nb\r\nc"}), (Lines{"a", "", "b", "c"}));
    EXPECT_EQ(lines_of({"", "12345\r\n", "foo bar baz\r\n"}), (Lines{"12345", "foo bar baz"}));
    EXPECT_EQ(lines_of({"a\r", "\r", "\n", "b"}), (Lines{"a", "", "b"}));
}

TEST(LineDecoder, AllSplitlinesBoundaries) {
    // Expected values from Python's str.splitlines().
    expect_split_invariant(
        "a\x0b"
        "b\x0c"
        "c\x1c"
        "d\x1d"
        "e\x1e"
        "f\u0085g\u2028h\u2029i",
        Lines{"a", "b", "c", "d", "e", "f", "g", "h", "i"});
    expect_split_invariant("a\n\r", Lines{"a", ""});
    expect_split_invariant("\r\n\r\n", Lines{"", ""});
    expect_split_invariant("x\u2028", Lines{"x"});
    expect_split_invariant("no newline", Lines{"no newline"});
    expect_split_invariant("a\r\nb\rc\nd", Lines{"a", "b", "c", "d"});
}

TEST(LineDecoder, NonBreakingMultibyteCharactersStayInTheLine) {
    // U+2027 and U+00C2 share lead bytes with U+2028 / U+0085 but are not line boundaries.
    expect_split_invariant("a\u2027b\u00c2c\u20acd\n", Lines{"a\u2027b\u00c2c\u20acd"});
}

TEST(LineDecoder, ByteByByte) {
    const std::string text = "first line\r\nsecond\rthird\n\nlast";
    std::vector<std::string> chunks;
    for (char c : text) chunks.emplace_back(1, c);
    EXPECT_EQ(lines_of(chunks), (Lines{"first line", "second", "third", "", "last"}));
}

TEST(ByteChunker, NoChunkSizePassesThrough) {
    ByteChunker chunker;
    EXPECT_EQ(chunker.decode("abc"), std::vector<std::string>{"abc"});
    EXPECT_TRUE(chunker.decode("").empty());
    EXPECT_TRUE(chunker.flush().empty());
}

TEST(ByteChunker, FixedSize) {
    ByteChunker chunker(3);
    EXPECT_TRUE(chunker.decode("ab").empty());
    EXPECT_EQ(chunker.decode("cdefghi"), (std::vector<std::string>{"abc", "def", "ghi"}));
    EXPECT_EQ(chunker.decode("jklmn"), (std::vector<std::string>{"jkl"}));
    EXPECT_EQ(chunker.flush(), (std::vector<std::string>{"mn"}));
    EXPECT_TRUE(chunker.flush().empty());
}

TEST(ByteChunker, ZeroChunkSizeIsRejected) {
    EXPECT_THROW(ByteChunker(0), std::invalid_argument);
    EXPECT_THROW(TextChunker(0), std::invalid_argument);
}

TEST(TextChunker, CountsCharactersNotBytes) {
    TextChunker chunker(2);
    EXPECT_EQ(chunker.decode("äö"), (std::vector<std::string>{"äö"}));
    EXPECT_TRUE(chunker.decode("€").empty());
    EXPECT_EQ(chunker.decode("x😀yz"), (std::vector<std::string>{"€x", "😀y"}));
    EXPECT_EQ(chunker.flush(), (std::vector<std::string>{"z"}));
}

TEST(TextChunker, NoChunkSizePassesThrough) {
    TextChunker chunker;
    EXPECT_EQ(chunker.decode("héllo"), std::vector<std::string>{"héllo"});
    EXPECT_TRUE(chunker.flush().empty());
}

}  // namespace
