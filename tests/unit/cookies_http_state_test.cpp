// The IETF http-state cookie suite (../shared/data/cookies, see its README) against the jar:
// one test per case, named by its id. Each starts from an empty jar, stores the case's
// Set-Cookie fields as a response to request_url, and compares the Cookie header for
// result_url, at the suite's fixed time (2017-08-09T00:00:00Z: some Expires dates lie between
// 1980 and 2027). Cases where the jar knowingly differs are listed below with the reason; they
// must keep differing (a case that starts to pass is taken off the list). Also the suite's
// cookie-date cases (RFC 6265 §5.1.1).
#include "models/cookies_access.hpp"
#include "models/set_cookie.hpp"

#include <httpx/cookies.hpp>
#include <httpx/headers.hpp>
#include <httpx/url.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

using nlohmann::json;

const std::string kDir = HTTPXX_SHARED_DATA "/cookies/";

// 2017-08-09T00:00:00Z
constexpr std::chrono::sys_seconds kNow =
    std::chrono::sys_days(std::chrono::year(2017) / 8 / 9) + std::chrono::seconds(0);

// Cases whose expectation the jar knowingly does not meet, with the reason. All three are
// disabled upstream too; every other case (optional ones included) passes.
const std::map<std::string, std::string> known_differences = {
    {"disabled-chromium0022",
     "expects Chromium's old truncation at a NUL (\"AAA=BB\"), which RFC 6265 does not say; "
     "httpxx follows RFC 6265bis §5.6 and ignores a field with a control character (it would "
     "make every later Cookie header invalid). http.cookiejar keeps the NUL in the value."},
    {"disabled-chromium0023", "the same with a CR in the value"},
    {"disabled-path0029",
     "expects the cookie path /cookie-parser-result/foo/bar to match the request path "
     "/cookie-parser-result/f%6Fo/bar; RFC 6265 path-match compares the path as sent, without "
     "percent-decoding, as http.cookiejar does (it sends no cookie either)."},
};

json read_json(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    // The BSD date file opens with a licence in // comments.
    for (std::string line; std::getline(in, line);)
        if (!line.starts_with("//")) text << line << '\n';
    return json::parse(text.str());
}

std::vector<json> parser_cases() {
    std::vector<json> cases;
    const json suite = read_json(kDir + "http-state-cases.json");
    for (const auto& c : suite["cases"]) cases.push_back(c);
    return cases;
}

std::string test_name(const ::testing::TestParamInfo<json>& info) {
    std::string name = info.param["id"].get<std::string>();
    for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return name;
}

struct HttpState : ::testing::TestWithParam<json> {};

TEST_P(HttpState, CookieHeaderAfterSetCookie) {
    const json& c = GetParam();
    const std::string id = c["id"];
    httpx::Headers response;
    for (const auto& field : c["set_cookie"]) response.add("Set-Cookie", field.get<std::string>());
    httpx::Cookies jar;
    httpx::detail::CookiesAccess::extract_cookies(
        jar, httpx::URL(c["request_url"].get<std::string>()), response, kNow);
    const std::string header = httpx::detail::CookiesAccess::cookie_header_for(
        jar, httpx::URL(c["result_url"].get<std::string>()), kNow);
    const std::string expected = c["expected_cookie_header"];
    if (const auto known = known_differences.find(id); known != known_differences.end()) {
        EXPECT_NE(header, expected) << id << " now passes: take it off known_differences";
        GTEST_SKIP() << "differs on purpose: " << known->second;
    }
    EXPECT_EQ(header, expected) << "Set-Cookie: " << c["set_cookie"].dump();
}

INSTANTIATE_TEST_SUITE_P(Suite, HttpState, ::testing::ValuesIn(parser_cases()), test_name);

TEST(HttpStateSuite, IsPresentWhole) {
    EXPECT_EQ(parser_cases().size(), 222u) << "http-state cases not found under " << kDir;
}

void check_dates(const std::string& file, std::size_t count) {
    const json cases = read_json(kDir + file);
    ASSERT_EQ(cases.size(), count) << file;
    for (const auto& c : cases) {
        const std::string text = c["test"];
        const auto parsed = httpx::detail::parse_cookie_date(text);
        if (c["expected"].is_null()) {
            EXPECT_FALSE(parsed) << '"' << text << "\" parsed as "
                                 << httpx::detail::format_cookie_date(*parsed);
        } else {
            ASSERT_TRUE(parsed) << '"' << text << "\" not parsed";
            EXPECT_EQ(httpx::detail::format_cookie_date(*parsed), c["expected"].get<std::string>())
                << '"' << text << '"';
        }
    }
}

TEST(HttpStateDates, Examples) {
    check_dates("http-state-dates-examples.json", 15);
}

TEST(HttpStateDates, BsdExamples) {
    check_dates("http-state-dates-bsd-examples.json.txt", 55);
}

}  // namespace
