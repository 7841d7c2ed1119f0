// Test that header file is self-contained.
#include "httpx/status_codes.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string_view>
#include <type_traits>

// Ported from HTTPX's tests/test_status_codes.py, plus every phrase of httpx/_status_codes.py.

namespace {

namespace codes = httpx::codes;

TEST(Codes, StatusCodeAsInt) {
    static_assert(codes::NOT_FOUND == 404);
    static_assert(codes::OK == 200);
    static_assert(codes::IM_A_TEAPOT == 418);
    EXPECT_EQ(codes::NOT_FOUND, 404);
}

TEST(Codes, ReasonPhraseForStatusCode) {
    EXPECT_EQ(codes::get_reason_phrase(404), "Not Found");
}

TEST(Codes, ReasonPhraseForUnknownStatusCode) {
    EXPECT_EQ(codes::get_reason_phrase(499), "");
    EXPECT_EQ(codes::get_reason_phrase(0), "");
    EXPECT_EQ(codes::get_reason_phrase(-1), "");
    EXPECT_EQ(codes::get_reason_phrase(306), "");
    EXPECT_EQ(codes::get_reason_phrase(999), "");
}

TEST(Codes, EveryPhraseMatchesHttpx) {
    struct Row {
        int code;
        std::string_view phrase;
    };
    // httpx/_status_codes.py, in order.
    constexpr Row rows[] = {
        {100, "Continue"},
        {101, "Switching Protocols"},
        {102, "Processing"},
        {103, "Early Hints"},
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {203, "Non-Authoritative Information"},
        {204, "No Content"},
        {205, "Reset Content"},
        {206, "Partial Content"},
        {207, "Multi-Status"},
        {208, "Already Reported"},
        {226, "IM Used"},
        {300, "Multiple Choices"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {303, "See Other"},
        {304, "Not Modified"},
        {305, "Use Proxy"},
        {307, "Temporary Redirect"},
        {308, "Permanent Redirect"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {402, "Payment Required"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {406, "Not Acceptable"},
        {407, "Proxy Authentication Required"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {410, "Gone"},
        {411, "Length Required"},
        {412, "Precondition Failed"},
        {413, "Request Entity Too Large"},
        {414, "Request-URI Too Long"},
        {415, "Unsupported Media Type"},
        {416, "Requested Range Not Satisfiable"},
        {417, "Expectation Failed"},
        {418, "I'm a teapot"},
        {421, "Misdirected Request"},
        {422, "Unprocessable Entity"},
        {423, "Locked"},
        {424, "Failed Dependency"},
        {425, "Too Early"},
        {426, "Upgrade Required"},
        {428, "Precondition Required"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {451, "Unavailable For Legal Reasons"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
        {505, "HTTP Version Not Supported"},
        {506, "Variant Also Negotiates"},
        {507, "Insufficient Storage"},
        {508, "Loop Detected"},
        {510, "Not Extended"},
        {511, "Network Authentication Required"},
    };
    EXPECT_EQ(std::size(rows), 62u);
    int known = 0;
    for (const auto& row : rows)
        EXPECT_EQ(codes::get_reason_phrase(row.code), row.phrase) << row.code;
    for (int code = 0; code < 1000; ++code)
        if (!codes::get_reason_phrase(code).empty()) ++known;
    EXPECT_EQ(known, 62);  // no phrase for codes HTTPX does not list
}

TEST(Codes, Categories) {
    EXPECT_TRUE(codes::is_informational(101));
    EXPECT_FALSE(codes::is_informational(200));
    EXPECT_TRUE(codes::is_success(204));
    EXPECT_FALSE(codes::is_success(300));
    EXPECT_TRUE(codes::is_redirect(codes::PERMANENT_REDIRECT));
    EXPECT_FALSE(codes::is_redirect(400));
    EXPECT_TRUE(codes::is_client_error(404));
    EXPECT_FALSE(codes::is_client_error(500));
    EXPECT_TRUE(codes::is_server_error(503));
    EXPECT_FALSE(codes::is_server_error(600));
    EXPECT_TRUE(codes::is_error(400));
    EXPECT_TRUE(codes::is_error(599));
    EXPECT_FALSE(codes::is_error(399));
    EXPECT_FALSE(codes::is_error(600));
}

// HTTPX's codes.not_found: every upper-case name has its lower-case alias, the same code.
TEST(Codes, LowerCaseAliases) {
    static_assert(codes::not_found == 404);
    static_assert(codes::not_found == codes::NOT_FOUND);
    static_assert(codes::ok == 200);
    static_assert(codes::continue_ == 100);  // `continue` is a C++ keyword
    static_assert(codes::im_a_teapot == codes::IM_A_TEAPOT);
    static_assert(codes::network_authentication_required == 511);
    EXPECT_EQ(codes::too_many_requests.phrase(), "Too Many Requests");
}

// HTTPX's codes.NOT_FOUND.phrase; a code is still an int wherever one is expected.
TEST(Codes, PhraseAccessorAndIntBehaviour) {
    EXPECT_EQ(codes::NOT_FOUND.phrase(), "Not Found");
    EXPECT_EQ(codes::IM_A_TEAPOT.phrase(), "I'm a teapot");
    EXPECT_EQ(httpx::StatusCode(204).phrase(), "No Content");
    EXPECT_EQ(httpx::StatusCode(499).phrase(), "");
    // In a switch, as a function argument, in arithmetic and printed: the number (HTTPX's
    // str(codes.NOT_FOUND) is "404").
    auto category = [](int status) {
        switch (status) {
            case codes::OK:
                return "ok";
            case codes::not_found:
                return "missing";
            default:
                return "other";
        }
    };
    EXPECT_STREQ(category(200), "ok");
    EXPECT_STREQ(category(codes::NOT_FOUND), "missing");
    EXPECT_EQ(codes::NOT_FOUND + 1, 405);
    std::ostringstream printed;
    printed << codes::NOT_FOUND;
    EXPECT_EQ(printed.str(), "404");
    // Not implicitly made from any int: StatusCode(n) is explicit, as codes(n) is a lookup.
    static_assert(!std::is_convertible_v<int, httpx::StatusCode>);
    static_assert(std::is_convertible_v<httpx::StatusCode, int>);
}

}  // namespace
