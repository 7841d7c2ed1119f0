// URL parsing (Location headers, redirects and links come from servers): any input is either
// refused with InvalidURL or gives a URL whose accessors work and whose string form parses back
// (a fixed point from the second round on when it has a host); joining it onto a base URL (as a
// redirect does) fails only with InvalidURL.
//
// Input: the URL, optionally followed by '\n' and a relative reference to join onto it.
#include "fuzz_support.hpp"

#include <httpx/exceptions.hpp>
#include <httpx/url.hpp>

#include <string>

using namespace httpx::fuzz;

namespace {

void use(const httpx::URL& url) {
    // Every accessor, as a client and a user would call them.
    (void)url.scheme(), (void)url.host(), (void)url.raw_host(), (void)url.port();
    (void)url.path(), (void)url.raw_path(), (void)url.query(), (void)url.fragment();
    (void)url.username(), (void)url.password(), (void)url.is_absolute_url();
    for (const auto& [key, value] : url.params()) (void)key, (void)value;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto newline = input.find('\n');
    try {
        const httpx::URL url(input.substr(0, newline));
        use(url);
        // Normalising is idempotent from the second round on, for URLs with a host. Not from
        // the first: as in HTTPX, "http://a<b" gives host "a%3Cb" (lower-cased, then quoted),
        // which parses again as "a%3cb". Not without a host: as in HTTPX, str() writes no "//"
        // for an empty authority, so a path that normalised to "//..." ("x:///a/..//") reads
        // back as an authority (found by fuzz_url; only non-special schemes get there).
        const httpx::URL again(url.str());
        use(again);
        if (!url.raw_host().empty()) {
            const httpx::URL third(again.str());
            FUZZ_CHECK(third == again);
            FUZZ_CHECK(third.str() == again.str());
        }
        if (newline != std::string_view::npos) {
            const httpx::URL base("https://user@example.com:8443/a/b/c?q=1#f");
            use(base.join(httpx::URL(input.substr(newline + 1))));
            if (url.is_absolute_url()) use(url.join(httpx::URL(input.substr(newline + 1))));
        }
    } catch (const httpx::InvalidURL&) {
    }
    return 0;
}
