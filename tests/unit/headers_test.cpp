// Test that header file is self-contained.
#include "httpx/headers.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

// Ported from HTTPX's tests/models/test_headers.py, plus the C++-specific API.

namespace {

using httpx::Headers;
using Items = std::vector<Headers::value_type>;
using Strings = std::vector<std::string>;

std::string repr(const Headers& h) {
    std::ostringstream os;
    os << h;
    return os.str();
}

TEST(Headers, CaseInsensitiveMultiMap) {
    Headers h{{"a", "123"}, {"a", "456"}, {"b", "789"}};
    EXPECT_TRUE(h.contains("a"));
    EXPECT_TRUE(h.contains("A"));
    EXPECT_TRUE(h.contains("b"));
    EXPECT_TRUE(h.contains("B"));
    EXPECT_FALSE(h.contains("c"));
    EXPECT_EQ(h["a"], "123, 456");
    EXPECT_EQ(h.get("a"), "123, 456");
    EXPECT_EQ(h.get("nope"), std::nullopt);
    EXPECT_EQ(h.get_list("a"), (Strings{"123", "456"}));
    EXPECT_EQ(h.keys(), (Strings{"a", "b"}));
    EXPECT_EQ(h.multi_items(), (Items{{"a", "123"}, {"a", "456"}, {"b", "789"}}));
    EXPECT_EQ(h.size(), 3u);
    EXPECT_EQ(repr(h), "Headers([('a', '123'), ('a', '456'), ('b', '789')])");
}

TEST(Headers, EqualityIgnoresOrderAndNameCase) {
    Headers h{{"a", "123"}, {"a", "456"}, {"b", "789"}};
    EXPECT_EQ(h, (Headers{{"a", "123"}, {"b", "789"}, {"a", "456"}}));
    EXPECT_EQ(h, (Headers{{"a", "123"}, {"A", "456"}, {"b", "789"}}));
    EXPECT_NE(h, (Headers{{"a", "123"}, {"b", "789"}}));
    EXPECT_NE(h, (Headers{{"a", "123"}, {"a", "999"}, {"b", "789"}}));
    // Values are case-sensitive.
    EXPECT_NE((Headers{{"a", "x"}}), (Headers{{"a", "X"}}));
    EXPECT_EQ(Headers{}, Headers{});
}

TEST(Headers, KeepsOriginalCaseAndLooksUpIgnoringIt) {
    Headers h{{"Content-Type", "text/html"}, {"X-Custom", "1"}};
    EXPECT_EQ(h["content-type"], "text/html");
    EXPECT_EQ(h["CONTENT-TYPE"], "text/html");
    EXPECT_EQ(h.multi_items().front().first, "Content-Type");
    EXPECT_EQ(h.keys(), (Strings{"content-type", "x-custom"}));
}

TEST(Headers, ConstructsFromVectorAndIterates) {
    Headers h(Items{{"a", "1"}, {"b", "2"}});
    Items seen;
    for (const auto& [name, value] : h) seen.emplace_back(name, value);
    EXPECT_EQ(seen, (Items{{"a", "1"}, {"b", "2"}}));
    EXPECT_EQ(repr(h), "Headers({'a': '1', 'b': '2'})");
}

TEST(Headers, SubscriptThrowsWhenMissing) {
    Headers h{{"a", "1"}};
    EXPECT_THROW((void)h["b"], std::out_of_range);
}

TEST(Headers, Mutations) {
    Headers h;
    EXPECT_TRUE(h.empty());
    h.set("a", "1");
    EXPECT_EQ(h, (Headers{{"a", "1"}}));
    h.set("a", "2");
    EXPECT_EQ(h, (Headers{{"a", "2"}}));
    EXPECT_EQ(h.setdefault("a", "3"), "2");
    EXPECT_EQ(h, (Headers{{"a", "2"}}));
    EXPECT_EQ(h.setdefault("b", "4"), "4");
    EXPECT_EQ(h, (Headers{{"a", "2"}, {"b", "4"}}));
    EXPECT_EQ(h.erase("a"), 1u);
    EXPECT_EQ(h.multi_items(), (Items{{"b", "4"}}));
    EXPECT_EQ(h.erase("a"), 0u);
    h.clear();
    EXPECT_TRUE(h.empty());
}

TEST(Headers, CopyCompareEqual) {
    Headers headers{{"custom", "example"}};
    Headers copy = headers;
    EXPECT_EQ(headers, copy);
    copy.add("other", "x");
    EXPECT_NE(headers, copy);
    EXPECT_EQ(headers.size(), 1u);
}

TEST(Headers, SetRetainsOrdering) {
    Headers h{{"a", "a"}, {"b", "b"}, {"c", "c"}};
    h.set("b", "123");
    EXPECT_EQ(h.multi_items(), (Items{{"a", "a"}, {"b", "123"}, {"c", "c"}}));
}

TEST(Headers, SetAppendsIfNew) {
    Headers h{{"a", "a"}, {"b", "b"}, {"c", "c"}};
    h.set("d", "123");
    EXPECT_EQ(h.multi_items(), (Items{{"a", "a"}, {"b", "b"}, {"c", "c"}, {"d", "123"}}));
}

TEST(Headers, SetRemovesAllExistingAtFirstPosition) {
    Headers h{{"A", "123"}, {"x", "0"}, {"a", "456"}};
    h.set("a", "789");
    // The first field takes the new name, in the case given to set().
    EXPECT_EQ(h.multi_items(), (Items{{"a", "789"}, {"x", "0"}}));
}

TEST(Headers, SetWithKeyReferringToStoredName) {
    Headers h{{"x", "0"}, {"a", "1"}, {"a", "2"}};
    h.set(h.multi_items()[2].first, "3");
    EXPECT_EQ(h.multi_items(), (Items{{"x", "0"}, {"a", "3"}}));
    EXPECT_EQ(h.erase(h.multi_items()[1].first), 1u);
    EXPECT_EQ(h.multi_items(), (Items{{"x", "0"}}));
}

TEST(Headers, EraseRemovesAllExisting) {
    Headers h{{"a", "123"}, {"A", "456"}};
    EXPECT_EQ(h.erase("a"), 2u);
    EXPECT_TRUE(h.empty());
}

TEST(Headers, AddKeepsDuplicates) {
    Headers h{{"a", "1"}};
    h.add("A", "2");
    EXPECT_EQ(h.get_list("a"), (Strings{"1", "2"}));
    EXPECT_EQ(h["a"], "1, 2");
}

TEST(Headers, UpdateReplacesNamesPresentInOther) {
    Headers h{{"a", "1"}, {"b", "2"}, {"a", "3"}};
    h.update(Headers{{"A", "x"}, {"c", "y"}, {"a", "z"}});
    EXPECT_EQ(h.multi_items(), (Items{{"b", "2"}, {"A", "x"}, {"c", "y"}, {"a", "z"}}));
    h.update(h);
    EXPECT_EQ(h.size(), 4u);
}

TEST(Headers, DictRepr) {
    EXPECT_EQ(repr(Headers{{"custom", "example"}}), "Headers({'custom': 'example'})");
    EXPECT_EQ(repr(Headers{}), "Headers({})");
}

TEST(Headers, ReprLowerCasesNames) {
    EXPECT_EQ(repr(Headers{{"Content-Type", "text/html"}}),
              "Headers({'content-type': 'text/html'})");
}

TEST(Headers, ListReprWhenNamesRepeat) {
    EXPECT_EQ(repr(Headers{{"custom", "example 1"}, {"Custom", "example 2"}}),
              "Headers([('custom', 'example 1'), ('custom', 'example 2')])");
}

TEST(Headers, EncodingInRepr) {
    // UTF-8 values are shown as text, with the encoding HTTPX would have detected.
    EXPECT_EQ(repr(Headers{{"custom", "example \xE2\x98\x83"}}),
              "Headers({'custom': 'example \xE2\x98\x83'}, encoding='utf-8')");
    // Bytes that are not UTF-8 are read as ISO-8859-1 ("\xFF" is 'ÿ').
    EXPECT_EQ(repr(Headers{{"custom", "Code point: \xFF"}}),
              "Headers({'custom': 'Code point: \xC3\xBF'}, encoding='iso-8859-1')");
}

// HTTPX's Headers.encoding and __getitem__: one encoding for the whole set, ascii, else utf-8,
// else iso-8859-1; lookups return text (UTF-8 here), iteration the bytes (HTTPX's `raw`).
TEST(Headers, LookupsDecodeHeaderBytesAsHttpxDoes) {
    Headers ascii{{"a", "plain"}};
    EXPECT_EQ(ascii.encoding(), "ascii");
    Headers utf8{{"a", "caf\xC3\xA9"}, {"b", "plain"}};
    EXPECT_EQ(utf8.encoding(), "utf-8");
    EXPECT_EQ(utf8.get("A"), "caf\xC3\xA9");

    // Latin-1 bytes: each byte is its character ("\xE9" is U+00E9, "\xC3\xA9" in UTF-8).
    Headers latin{{"Content-Disposition", "attachment; filename=\"caf\xE9.txt\""}};
    EXPECT_EQ(latin.encoding(), "iso-8859-1");
    EXPECT_EQ(latin.get("content-disposition"), "attachment; filename=\"caf\xC3\xA9.txt\"");
    EXPECT_EQ(latin["Content-Disposition"], "attachment; filename=\"caf\xC3\xA9.txt\"");
    EXPECT_EQ(latin.multi_items()[0].second, "attachment; filename=\"caf\xE9.txt\"");
    EXPECT_EQ(latin.begin()->second, "attachment; filename=\"caf\xE9.txt\"");

    // One field that is not UTF-8 makes the whole set Latin-1, valid UTF-8 included, as HTTPX.
    Headers mixed{{"a", "caf\xC3\xA9"}, {"b", "\xFF"}, {"c", "x, caf\xE9"}};
    EXPECT_EQ(mixed.encoding(), "iso-8859-1");
    EXPECT_EQ(mixed.get("a"), "caf\xC3\x83\xC2\xA9");
    EXPECT_EQ(mixed.get("b"), "\xC3\xBF");
    EXPECT_EQ(mixed.get_list("c", true), (Strings{"x", "caf\xC3\xA9"}));
    EXPECT_EQ(mixed.get_list("C"), (Strings{"x, caf\xC3\xA9"}));
    EXPECT_EQ(mixed.setdefault("b", "ignored"), "\xC3\xBF");
    // A non-ASCII name counts too.
    Headers name{{"x-caf\xE9", "1"}, {"a", "caf\xC3\xA9"}};
    EXPECT_EQ(name.get("a"), "caf\xC3\x83\xC2\xA9");
}

TEST(Headers, ReprQuotesAndEscapesLikePython) {
    EXPECT_EQ(repr(Headers{{"a", "it's"}}), "Headers({'a': \"it's\"})");
    EXPECT_EQ(repr(Headers{{"a", "q\"'"}}), "Headers({'a': 'q\"\\''})");
    EXPECT_EQ(repr(Headers{{"a", "back\\slash\ttab\x01"}}),
              "Headers({'a': 'back\\\\slash\\ttab\\x01'})");
}

TEST(Headers, GetListSplitCommas) {
    Headers cookies{{"set-cookie", "a, b"}, {"set-cookie", "c"}};
    EXPECT_EQ(cookies.get_list("Set-Cookie"), (Strings{"a, b", "c"}));

    Headers vary{{"vary", "a, b"}, {"vary", "c"}};
    EXPECT_EQ(vary.get_list("Vary", true), (Strings{"a", "b", "c"}));
    EXPECT_TRUE(vary.get_list("missing", true).empty());
}

TEST(Headers, SensitiveValuesMaskedInRepr) {
    for (const char* name : {"authorization", "proxy-authorization", "Authorization"}) {
        Headers h{{name, "s3kr3t"}};
        const std::string text = repr(h);
        EXPECT_EQ(text.find("s3kr3t"), std::string::npos) << text;
        EXPECT_NE(text.find("'[secure]'"), std::string::npos) << text;
        EXPECT_EQ(h[name], "s3kr3t");  // masking is for display only
    }
    EXPECT_EQ(repr(Headers{{"content-type", "text/html"}, {"Proxy-Authorization", "x"}}),
              "Headers({'content-type': 'text/html', 'proxy-authorization': '[secure]'})");
}

TEST(Headers, IequalsIsAsciiCaseInsensitive) {
    EXPECT_TRUE(httpx::iequals("Content-Length", "content-length"));
    EXPECT_TRUE(httpx::iequals("", ""));
    EXPECT_FALSE(httpx::iequals("content-length", "content-lengths"));
    EXPECT_FALSE(httpx::iequals("a", "b"));
    // '@' and '`' differ from 'A'/'a' only by the bits a naive |0x20 would ignore.
    EXPECT_FALSE(httpx::iequals("@", "`"));
    EXPECT_FALSE(httpx::iequals("[", "{"));
    // Only ASCII letters fold: "\xC4" (Ä in Latin-1) is not "\xE4" (ä).
    EXPECT_FALSE(httpx::iequals("\xC4", "\xE4"));
}

}  // namespace
