#include "content/encoders.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <utility>

namespace {

using httpx::content::encode_json;
using httpx::content::encode_urlencoded_form;

TEST(FormEncoder, LikePythonUrlencode) {
    // HTTPX's test_urlencoded_content and friends.
    EXPECT_EQ(encode_urlencoded_form({{"Hello", "world!"}}), "Hello=world%21");
    EXPECT_EQ(encode_urlencoded_form({{"example", "true"}}), "example=true");
    EXPECT_EQ(encode_urlencoded_form({{"example", ""}}), "example=");
    EXPECT_EQ(encode_urlencoded_form({{"example", "a"}, {"example", "1"}, {"example", "true"}}),
              "example=a&example=1&example=true");
    // Expected value from Python's urllib.parse.urlencode.
    EXPECT_EQ(encode_urlencoded_form({{"a b", "c&d=e"}, {"k", "~_.-*/?:@"}, {"u", "\xc3\xa9"}}),
              "a+b=c%26d%3De&k=~_.-%2A%2F%3F%3A%40&u=%C3%A9");
    EXPECT_EQ(encode_urlencoded_form({}), "");
}

TEST(JsonEncoder, Compact) {
    EXPECT_EQ(encode_json({{"Hello", "world!"}}), R"({"Hello":"world!"})");
    nlohmann::ordered_json data = {{"clé", "valeur"}, {"liste", {1, 2, 3}}};
    EXPECT_EQ(encode_json(data), R"({"clé":"valeur","liste":[1,2,3]})");
}

TEST(JsonEncoder, KeepsNonAsciiAsUtf8) {
    EXPECT_EQ(encode_json({{"greeting", "Bonjour, ça va ?"}}),
              "{\"greeting\":\"Bonjour, ça va ?\"}");
}

TEST(JsonEncoder, OrderedJsonKeepsInsertionOrder) {
    nlohmann::ordered_json data;
    data["z"] = 1;
    data["a"] = 2;
    EXPECT_EQ(encode_json(data), R"({"z":1,"a":2})");
}

TEST(JsonEncoder, NanAndInfinityAreRejected) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_THROW(encode_json({{"nombre", nan}}), std::invalid_argument);
    EXPECT_THROW(encode_json({{"nombre", inf}}), std::invalid_argument);
    EXPECT_THROW(encode_json(nlohmann::json::array({1, nlohmann::json::array({-inf})})),
                 std::invalid_argument);
    try {
        encode_json(nlohmann::json(nan));
        ADD_FAILURE() << "NaN accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "Out of range float values are not JSON compliant");
    }
    EXPECT_EQ(encode_json({{"x", 1.5}}), R"({"x":1.5})");
}

TEST(JsonEncoder, InvalidUtf8IsRejected) {
    EXPECT_THROW(encode_json(nlohmann::json("\xff")), std::invalid_argument);
}

// Python's float repr, which json.dumps uses: shortest round trip, positional up to 1e16 (the
// bytes below are what HTTPX 0.28.1 sends; nlohmann's own dump writes 1e15 as "1e+15").
TEST(JsonEncoder, FloatsAsPythonWritesThem) {
    const std::pair<double, const char*> cases[] = {
        {1.0, "1.0"},
        {0.1, "0.1"},
        {100.0, "100.0"},
        {1e15, "1000000000000000.0"},
        {1234567890123456.0, "1234567890123456.0"},
        {1e16, "1e+16"},
        {1e22, "1e+22"},
        {1e-5, "1e-05"},
        {2.5e-7, "2.5e-07"},
        {0.0001, "0.0001"},
        {-0.0, "-0.0"},
        {1.5e300, "1.5e+300"},
        {5e-324, "5e-324"},
        {123456789.123, "123456789.123"},
        {0.1 + 0.2, "0.30000000000000004"},
    };
    for (const auto& [value, python] : cases)
        EXPECT_EQ(encode_json(nlohmann::json(value)), python) << python;
}

// json.dumps(..., ensure_ascii=False): only '"', '\' and C0 controls are escaped (lower-case
// \u00XX where JSON has no short form); DEL, U+2028 and other non-ASCII go out as UTF-8.
TEST(JsonEncoder, StringEscapesAsPython) {
    EXPECT_EQ(encode_json(nlohmann::json("q\"b\\s/\n\r\t\b\f\x01\x1f\x7f é ☃ \u2028 😀")),
              "\"q\\\"b\\\\s/\\n\\r\\t\\b\\f\\u0001\\u001f\x7f é ☃ \u2028 😀\"");
    // Keys are escaped the same way.
    EXPECT_EQ(encode_json(nlohmann::json{{"a\"\n", 1}}), R"({"a\"\n":1})");
}

TEST(JsonEncoder, IntegersAtBothEndsAndNesting) {
    nlohmann::ordered_json value = {
        {"b", 1},
        {"a", 2},
        {"nested", {{"z", {1, 2.5, nullptr, true, false}}, {"y", "x"}}},
        {"k", std::numeric_limits<std::int64_t>::min()},
        {"u", std::numeric_limits<std::uint64_t>::max()},
        {"empty", nlohmann::ordered_json::object()},
        {"none", nlohmann::ordered_json::array()},
    };
    EXPECT_EQ(encode_json(value),
              R"({"b":1,"a":2,"nested":{"z":[1,2.5,null,true,false],"y":"x"},)"
              R"("k":-9223372036854775808,"u":18446744073709551615,"empty":{},"none":[]})");
}

TEST(JsonEncoder, BinaryIsRejectedAsPythonRejectsBytes) {
    EXPECT_THROW(encode_json(nlohmann::json::binary({1, 2, 3})), std::invalid_argument);
}

// HTTPX's primitive_value_to_str for data= values: JSON-style booleans, "" for None.
TEST(FormEncoder, PrimitiveValuesAsHttpxWritesThem) {
    EXPECT_EQ(encode_urlencoded_form({{"a", 1},
                                      {"b", true},
                                      {"c", false},
                                      {"d", std::nullopt},
                                      {"e", 1.5},
                                      {"f", 1e16},
                                      {"g", -3},
                                      {"h", 2.0f}}),
              "a=1&b=true&c=false&d=&e=1.5&f=1e%2B16&g=-3&h=2.0");
}

}  // namespace
