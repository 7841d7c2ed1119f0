#include "content/encoders.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

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

}  // namespace
