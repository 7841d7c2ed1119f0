// The WHATWG URL parsing tests (web-platform-tests urltestdata.json) that apply to http and
// https URLs, checked against httpxx's rule: behave as HTTPX 0.28.1. What HTTPX itself does
// with each raw input is recorded in httpx-0.28.1-vs-whatwg.jsonl (see
// ../shared/data/url/httpx-url-differences.md). Every case where httpxx differs from WHATWG
// is listed below with its reason; a listed case that stops differing fails too, so the
// lists stay true.
#include "httpx/url.hpp"

#include "httpx/exceptions.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

using nlohmann::json;

const std::string kDataDir = std::string(HTTPXX_SHARED_DATA) + "/url/";

// Why httpxx, following HTTPX, differs from WHATWG. Each index is a position in
// urltestdata.json (the "index" field of the .jsonl).
struct Deviation {
    const char* reason;
    std::set<int> indexes;
};

const std::vector<Deviation>& whatwg_deviations() {
    static const std::vector<Deviation> deviations = {
        {"HTTPX rejects any ASCII control character (TAB, LF, CR, NUL, DEL); WHATWG strips or "
         "percent-encodes them",
         {1, 8, 19, 25, 166, 170, 490, 491, 492, 564, 818, 841, 842, 897, 898, 899}},
        {"HTTPX keeps '\\' as data; WHATWG reads it as '/' in special schemes",
         {27, 31, 41, 42, 53, 54, 55, 56, 171, 188, 978, 984}},
        {"HTTPX's regex reads a leading ':' as an empty scheme (':a' is the path 'a', '::' is "
         "rejected); WHATWG keeps it in the path",
         {26, 28, 29, 30, 32, 39, 43, 44}},
        {"HTTPX does not strip leading/trailing spaces; it percent-encodes them", {9, 11}},
        {"'http:' without '//' is a path-only URL in HTTPX (or a relative reference when the base "
         "has that scheme); WHATWG finds the host anyway",
         {82, 98, 207, 209, 219, 221, 232, 233, 235, 236, 239, 240, 252, 253, 561, 977, 979}},
        {"HTTPX accepts an empty host after userinfo or a port, and 'http://?'; WHATWG fails",
         {186, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 256, 257, 718, 719}},
        {"HTTPX's normalize_path ignores %2e and drops the trailing slash ('/foo/bar/..' is "
         "'/foo'); WHATWG decodes %2e and keeps it",
         {144, 146, 153, 155, 156, 157, 158, 185, 230}},
        {"HTTPX validates dotted-quad IPv4 only; WHATWG parses hex, octal, short and trailing-dot "
         "forms, or fails on numeric last labels",
         {183, 571, 572, 573, 575, 577, 578, 580, 582, 583, 584, 585, 586, 587, 589,
          590, 591, 592, 594, 865, 866, 867, 868, 869, 870, 872, 875, 876, 877, 878,
          879, 880, 881, 882, 883, 884, 885, 886, 887, 888, 889, 891, 892, 893}},
        {"HTTPX keeps an IPv6 literal's text (and accepts a zone); WHATWG serialises it compressed",
         {75, 77, 359, 708}},
        {"HTTPX neither percent-decodes a host nor forbids WHATWG's forbidden host code points; it "
         "percent-encodes them",
         {281, 282, 304, 307, 321, 324, 330, 332, 333, 335, 336, 339, 341, 342, 480,
          481, 482, 483, 484, 485, 486, 487, 494, 495, 496, 497, 498, 499, 500, 501,
          502, 503, 504, 505, 506, 507, 508, 509, 510, 511, 512, 513, 514, 515, 516,
          517, 518, 519, 520, 521, 522, 523, 524, 525, 526, 527, 528, 529, 530, 531,
          532, 533, 534, 535, 536, 537, 538, 539, 546, 547, 549, 604, 914, 916}},
        {"HTTPX uses IDNA 2008 without UTS #46 mapping: full-width and zero-width characters are "
         "invalid, not mapped",
         {288, 318, 344}},
        {"HTTPX's query set keeps \"'\"; WHATWG escapes it in special-scheme queries", {382}},
    };
    return deviations;
}

// Where httpxx deliberately differs from HTTPX too; these cases expect WHATWG's outcome.
const std::vector<Deviation>& httpx_deviations() {
    static const std::vector<Deviation> deviations = {
        {"A port must be 0-65535 in ASCII digits (it is a TCP port); HTTPX accepts any Python int: "
         "999999, -80, ' 21 ', 2^128+81",
         {21, 23, 192, 721, 723, 725}},
    };
    return deviations;
}

// The components both the .jsonl and urltestdata.json record for an accepted URL.
struct Outcome {
    bool failure = false;
    std::string error;
    std::map<std::string, std::string> components;
    std::string href;  // httpx's str(URL); WHATWG's href differs in form (trailing '/')
};

const char* const kCompared[] = {"protocol", "hostname", "port", "pathname", "search", "hash"};

Outcome outcome_of(const json& record) {
    Outcome outcome;
    for (const char* name : kCompared) outcome.components[name] = record.at(name);
    if (record.contains("href")) outcome.href = record.at("href");
    return outcome;
}

// The .jsonl records `path or "/"` for URLs with a host, and the bare path otherwise.
std::string recorded_pathname(const httpx::URL& url) {
    if (!url.raw_host().empty()) return url.encoded_path();
    std::string_view rest = url.str();
    rest.remove_prefix(url.scheme().empty() ? 0 : url.scheme().size() + 1);
    if (rest.substr(0, 2) == "//")
        rest.remove_prefix(std::min(rest.find_first_of("/?#", 2), rest.size()));
    return std::string(rest.substr(0, rest.find_first_of("?#")));
}

// The encoded fragment: everything after the first '#', which no other component holds.
std::string encoded_fragment(const httpx::URL& url) {
    const std::size_t hash = url.str().find('#');
    return hash == std::string::npos ? "" : url.str().substr(hash + 1);
}

Outcome httpxx_outcome(const std::string& input, const json& base) {
    Outcome outcome;
    try {
        const httpx::URL url =
            base.is_null() ? httpx::URL(input) : httpx::URL(base.get<std::string>()).join(input);
        const std::string& host = url.raw_host();
        outcome.components = {
            {"protocol", url.scheme().empty() ? "" : url.scheme() + ":"},
            {"hostname", host.find(':') != std::string::npos ? "[" + host + "]" : host},
            {"port", url.port() ? std::to_string(*url.port()) : ""},
            {"pathname", recorded_pathname(url)},
            {"search", url.query().empty() ? "" : "?" + url.query()},
            {"hash", encoded_fragment(url).empty() ? "" : "#" + encoded_fragment(url)},
        };
        outcome.href = url.str();
    } catch (const httpx::InvalidURL& error) {
        outcome.failure = true;
        outcome.error = error.what();
    }
    return outcome;
}

bool same_components(const Outcome& a, const Outcome& b) {
    if (a.failure || b.failure) return a.failure == b.failure;
    return a.components == b.components;
}

std::string describe(const Outcome& outcome) {
    if (outcome.failure) return "failure " + outcome.error;
    std::string text = outcome.href.empty() ? "" : outcome.href + " ";
    for (const auto& [name, value] : outcome.components) text += name + "=" + value + " ";
    return text;
}

// The case concerns http(s) when its input's scheme, or else its base's, is http or https.
bool is_http_case(const json& test) {
    std::string input = test.at("input");
    const std::size_t start = input.find_first_not_of(std::string("\0\t\n\r ", 5));
    input.erase(0, std::min(start, input.size()));
    auto scheme_of = [](const std::string& text) -> std::string {
        std::size_t end = 0;
        while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                     text[end] == '+' || text[end] == '-' || text[end] == '.')) {
            ++end;
        }
        if (end == 0 || end == text.size() || text[end] != ':' ||
            !std::isalpha(static_cast<unsigned char>(text[0]))) {
            return "";
        }
        std::string scheme = text.substr(0, end);
        for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return scheme;
    };
    std::string scheme = scheme_of(input);
    if (scheme.empty() && test.at("base").is_string()) scheme = scheme_of(test.at("base"));
    return scheme == "http" || scheme == "https";
}

const Deviation* find_deviation(const std::vector<Deviation>& list, int index) {
    for (const Deviation& deviation : list) {
        if (deviation.indexes.count(index)) return &deviation;
    }
    return nullptr;
}

TEST(UrlWhatwg, HttpCasesFollowHttpx) {
    std::ifstream tests_file(kDataDir + "urltestdata.json");
    std::ifstream httpx_file(kDataDir + "httpx-0.28.1-vs-whatwg.jsonl");
    ASSERT_TRUE(tests_file && httpx_file) << "missing data in " << kDataDir;
    const json tests = json::parse(tests_file);
    std::map<int, json> httpx_records;
    for (std::string line; std::getline(httpx_file, line);) {
        if (line.empty()) continue;
        json record = json::parse(line);
        const int index = record.at("index");
        httpx_records[index] = std::move(record);
    }

    int run = 0, agree_with_whatwg = 0, follow_httpx = 0, own_deviation = 0;
    for (int index = 0; index < static_cast<int>(tests.size()); ++index) {
        const json& test = tests[index];
        if (!test.is_object() || !is_http_case(test)) continue;
        ++run;
        const std::string input = test.at("input");
        SCOPED_TRACE("urltestdata.json[" + std::to_string(index) + "] input=" + json(input).dump() +
                     " base=" + test.at("base").dump());
        ASSERT_TRUE(httpx_records.count(index));
        const json& record = httpx_records.at(index);
        ASSERT_EQ(record.at("input"), test.at("input"));

        const Outcome actual = httpxx_outcome(input, test.at("base"));
        Outcome whatwg;
        whatwg.failure = test.value("failure", false);
        if (!whatwg.failure) whatwg = outcome_of(test);
        Outcome httpx;
        httpx.failure = !record.at("httpx_error").is_null();
        if (httpx.failure) {
            httpx.error = record.at("httpx_error");
        } else {
            httpx = outcome_of(record.at("httpx"));
        }

        if (const Deviation* own = find_deviation(httpx_deviations(), index)) {
            ++own_deviation;
            EXPECT_TRUE(same_components(actual, whatwg))
                << own->reason << "\n  httpxx: " << describe(actual)
                << "\n  whatwg: " << describe(whatwg);
            EXPECT_FALSE(same_components(httpx, whatwg)) << "listed, but HTTPX agrees with WHATWG";
        } else if (const Deviation* deviation = find_deviation(whatwg_deviations(), index)) {
            ++follow_httpx;
            EXPECT_TRUE(same_components(actual, httpx) && actual.href == httpx.href)
                << deviation->reason << "\n  httpxx: " << describe(actual)
                << "\n  httpx:  " << describe(httpx);
            EXPECT_FALSE(same_components(actual, whatwg))
                << "listed as a deviation, but httpxx now agrees with WHATWG";
        } else {
            ++agree_with_whatwg;
            EXPECT_TRUE(same_components(actual, whatwg))
                << "\n  httpxx: " << describe(actual) << "\n  whatwg: " << describe(whatwg)
                << "\n  httpx:  " << describe(httpx);
            if (!httpx.failure && !actual.failure) {
                EXPECT_EQ(actual.href, httpx.href) << "str() differs from HTTPX's";
            }
        }
    }
    std::cout << "[ whatwg   ] http(s) cases run: " << run << ", as WHATWG: " << agree_with_whatwg
              << ", following HTTPX where it differs from WHATWG: " << follow_httpx
              << ", httpxx's own deviations from HTTPX: " << own_deviation << "\n";
    EXPECT_GT(run, 400);
}

}  // namespace
