// Ported from HTTPX 0.28.1 tests/models/test_queryparams.py, plus the encoding rules of
// `str(QueryParams)` (urllib.parse.urlencode).
// Test that header file is self-contained.
#include "httpx/query_params.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using httpx::QueryParams;
using Pairs = std::vector<QueryParams::value_type>;

TEST(QueryParams, FromStringPairsAndVector) {
    const QueryParams sources[] = {
        QueryParams("a=123&a=456&b=789"),
        QueryParams{{"a", "123"}, {"a", "456"}, {"b", "789"}},
        QueryParams(Pairs{{"a", "123"}, {"a", "456"}, {"b", "789"}}),
    };
    for (const QueryParams& q : sources) {
        SCOPED_TRACE(q.str());
        EXPECT_TRUE(q.contains("a"));
        EXPECT_FALSE(q.contains("A"));
        EXPECT_FALSE(q.contains("c"));
        EXPECT_EQ(q.get("a"), "123");
        EXPECT_EQ(q.get("nope"), std::nullopt);
        EXPECT_EQ(q.get_list("a"), (std::vector<std::string>{"123", "456"}));
        EXPECT_EQ(q.get_list("nope"), std::vector<std::string>{});
        EXPECT_EQ(q.keys(), (std::vector<std::string>{"a", "b"}));
        EXPECT_EQ(q.size(), 3u);
        EXPECT_EQ(q.multi_items(), (Pairs{{"a", "123"}, {"a", "456"}, {"b", "789"}}));
        EXPECT_EQ(q.str(), "a=123&a=456&b=789");
    }
}

TEST(QueryParams, EqualityIgnoresOrder) {
    EXPECT_EQ((QueryParams{{"a", "123"}, {"b", "456"}}), QueryParams("a=123&b=456"));
    EXPECT_EQ((QueryParams{{"a", "123"}, {"b", "456"}}), (QueryParams{{"b", "456"}, {"a", "123"}}));
    EXPECT_EQ(QueryParams(), QueryParams(""));
    EXPECT_EQ((QueryParams{{"a", "123"}, {"a", "456"}}), QueryParams("a=123&a=456"));
    EXPECT_FALSE(QueryParams("a=1") == QueryParams("a=2"));
    EXPECT_FALSE(QueryParams("a=1") == QueryParams("a=1&a=1"));
}

// HTTPX keeps a dict of lists: the values of one key stay together.
TEST(QueryParams, ValuesOfOneKeyAreGrouped) {
    const QueryParams q("a=1&b=2&a=3");
    EXPECT_EQ(q.multi_items(), (Pairs{{"a", "1"}, {"a", "3"}, {"b", "2"}}));
    EXPECT_EQ(q.str(), "a=1&a=3&b=2");
    EXPECT_EQ(q.add("a", "4").str(), "a=1&a=3&a=4&b=2");
}

TEST(QueryParams, IterationInOrder) {
    const QueryParams q("x=1&y=2");
    std::vector<std::string> seen;
    for (const auto& [key, value] : q) seen.push_back(key + ":" + value);
    EXPECT_EQ(seen, (std::vector<std::string>{"x:1", "y:2"}));
}

TEST(QueryParams, BlankValuesAreKept) {
    EXPECT_EQ((QueryParams{{"a", ""}}).str(), "a=");
    EXPECT_EQ(QueryParams("a=").str(), "a=");
    EXPECT_EQ(QueryParams("a").str(), "a=");
    EXPECT_EQ(QueryParams("a").get("a"), "");
    EXPECT_TRUE(QueryParams("").empty());
    EXPECT_EQ(QueryParams("&&a=1&").size(), 1u);
}

TEST(QueryParams, ParsingDecodes) {
    const QueryParams q("?name=J%C3%BCrgen+M&sum=1%2B1&eq=a=b&raw=%zz");
    EXPECT_EQ(q.get("name"), "J\xC3\xBCrgen M");
    EXPECT_EQ(q.get("sum"), "1+1");
    EXPECT_EQ(q.get("eq"), "a=b");
    EXPECT_EQ(q.get("raw"), "%zz");
    // As Python's unquote: bytes that are not UTF-8 become U+FFFD.
    EXPECT_EQ(QueryParams("v=%E9").get("v"), "\xEF\xBF\xBD");
}

TEST(QueryParams, StrIsFormUrlencoding) {
    EXPECT_EQ((QueryParams{{"a", "b c/d"}}).str(), "a=b+c%2Fd");
    EXPECT_EQ((QueryParams{{"k y", "A-z_0.9~"}}).str(), "k+y=A-z_0.9~");
    EXPECT_EQ((QueryParams{{"q", "&=?#+%"}}).str(), "q=%26%3D%3F%23%2B%25");
    EXPECT_EQ((QueryParams{{"u", "\xC3\xBC"}}).str(), "u=%C3%BC");
    EXPECT_EQ(QueryParams().str(), "");
    std::ostringstream printed;
    printed << QueryParams{{"a", "1"}, {"b", "2"}};
    EXPECT_EQ(printed.str(), "a=1&b=2");
}

TEST(QueryParams, RoundTripThroughStr) {
    const QueryParams original{{"a b", "c&d"}, {"e", "f=g+h"}, {"\xC3\xA9", "/"}};
    EXPECT_EQ(QueryParams(original.str()), original);
}

TEST(QueryParams, Set) {
    const QueryParams q("a=123");
    EXPECT_EQ(q.set("a", "456"), QueryParams("a=456"));
    EXPECT_EQ(q.str(), "a=123");  // immutable
    EXPECT_EQ(QueryParams("a=1&a=2&b=3").set("a", "9").str(), "a=9&b=3");
    EXPECT_EQ(QueryParams("a=1").set("b", "2").str(), "a=1&b=2");
}

TEST(QueryParams, Add) {
    EXPECT_EQ(QueryParams("a=123").add("a", "456"), QueryParams("a=123&a=456"));
    EXPECT_EQ(QueryParams("a=123").add("b", "").str(), "a=123&b=");
}

TEST(QueryParams, Remove) {
    EXPECT_EQ(QueryParams("a=123").remove("a"), QueryParams(""));
    EXPECT_EQ(QueryParams("a=1&b=2&a=3").remove("a").str(), "b=2");
    EXPECT_EQ(QueryParams("a=1").remove("zz").str(), "a=1");
}

TEST(QueryParams, Merge) {
    QueryParams q("a=123");
    q = q.merge(QueryParams{{"b", "456"}});
    EXPECT_EQ(q, QueryParams("a=123&b=456"));
    q = q.merge(QueryParams{{"a", "000"}, {"c", "789"}});
    EXPECT_EQ(q, QueryParams("a=000&b=456&c=789"));
    // A merged key takes all of the other's values, in the key's old position.
    EXPECT_EQ(QueryParams("a=1&a=2&b=3").merge(QueryParams("a=x&a=y")).str(), "a=x&a=y&b=3");
}

// HTTPX's QueryParams({"a": 1, "b": True, "c": None}): primitive_value_to_str on every value.
TEST(QueryParams, NumbersBoolsAndNoneAsHttpxWritesThem) {
    QueryParams params{{"a", 1},
                       {"b", true},
                       {"c", false},
                       {"d", std::nullopt},
                       {"e", 1.5},
                       {"f", 1e16},
                       {"g", -3},
                       {"h", 10'000'000'000LL},
                       {"i", 0.1f},
                       {"j", 2u},
                       {"k", std::string("s")}};
    EXPECT_EQ(params.str(),
              "a=1&b=true&c=false&d=&e=1.5&f=1e%2B16&g=-3&h=10000000000&i=0.10000000149011612"
              "&j=2&k=s");
    EXPECT_EQ(params.set("a", false).get("a"), "false");
    EXPECT_EQ(params.add("z", 2.0).get("z"), "2.0");
    // A char is neither a number nor a string here: refused at compile time.
    static_assert(!std::is_constructible_v<httpx::PrimitiveValue, char>);
    static_assert(std::is_constructible_v<httpx::PrimitiveValue, long double>);
}

}  // namespace
