// What httpxx reads out of response header values: Content-Type's charset (Response::encoding),
// Link (Response::links) and Set-Cookie (Cookies::extract_cookies and the Cookie header it leads
// to). Any value parses without a crash or an exception.
//
// Input: header values separated by '\n': Content-Type, Link, then any number of Set-Cookie.
#include "fuzz_support.hpp"

#include <httpx/cookies.hpp>
#include <httpx/headers.hpp>
#include <httpx/response.hpp>
#include <httpx/url.hpp>

#include <string>

using namespace httpx::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    // A value as the HTTP/1.1 parser lets it through: no control characters but HTAB.
    auto next_value = [&] {
        const auto newline = input.find('\n');
        std::string value;
        for (char c : input.substr(0, newline)) {
            const auto u = static_cast<unsigned char>(c);
            if (u >= 0x20 ? u != 0x7F : c == '\t') value.push_back(c);
        }
        input.remove_prefix(newline == std::string_view::npos ? input.size() : newline + 1);
        return value;
    };
    httpx::ResponseOptions options;
    options.headers.add("Content-Type", next_value());
    options.headers.add("Link", next_value());
    while (!input.empty()) options.headers.add("Set-Cookie", next_value());
    options.content = "body";
    httpx::Response response(200, options);

    (void)response.charset_encoding();
    (void)response.encoding();
    (void)response.text();  // decodes with the charset when it is a known one
    for (const auto& [key, link] : response.links()) {
        (void)key;
        FUZZ_CHECK(link.count("url") == 1);
    }

    static const httpx::URL request_url("https://www.example.com/dir/page?x=1");
    httpx::Cookies cookies;
    cookies.extract_cookies(request_url, response.headers());
    for (const auto& cookie : cookies) {
        // What is stored can be sent back without breaking the request head.
        FUZZ_CHECK(cookie.name.find_first_of("\r\n") == std::string::npos);
        FUZZ_CHECK(cookie.value.find_first_of("\r\n") == std::string::npos);
    }
    const auto header = cookies.cookie_header_for(request_url);
    FUZZ_CHECK(header.find_first_of("\r\n") == std::string::npos);
    (void)cookies.cookie_header_for(httpx::URL("http://other.example.org/"));
    return 0;
}
