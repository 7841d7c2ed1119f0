// Ported from HTTPX 0.28.1 tests/models/test_url.py, plus httpxx's own decisions.
// Test that header file is self-contained.
#include "httpx/url.hpp"

#include "httpx/exceptions.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace {

using httpx::InvalidURL;
using httpx::QueryParams;
using httpx::URL;

// The message of the InvalidURL that `make` throws, or "" when it does not throw.
template <class Make>
std::string invalid_url_message(Make make) {
    try {
        make();
    } catch (const InvalidURL& error) {
        return error.what();
    }
    return "";
}

TEST(Url, Basic) {
    const URL url("https://www.example.com/");
    EXPECT_EQ(url.scheme(), "https");
    EXPECT_EQ(url.userinfo(), "");
    EXPECT_EQ(url.netloc(), "www.example.com");
    EXPECT_EQ(url.host(), "www.example.com");
    EXPECT_EQ(url.port(), std::nullopt);
    EXPECT_EQ(url.path(), "/");
    EXPECT_EQ(url.query(), "");
    EXPECT_EQ(url.fragment(), "");
    EXPECT_EQ(url.str(), "https://www.example.com/");
    EXPECT_TRUE(url.is_absolute_url());
}

TEST(Url, Complete) {
    const URL url("https://example.org:123/path/to/somewhere?abc=123#anchor");
    EXPECT_EQ(url.scheme(), "https");
    EXPECT_EQ(url.host(), "example.org");
    EXPECT_EQ(url.port(), 123);
    EXPECT_EQ(url.path(), "/path/to/somewhere");
    EXPECT_EQ(url.query(), "abc=123");
    EXPECT_EQ(url.raw_path(), "/path/to/somewhere?abc=123");
    EXPECT_EQ(url.fragment(), "anchor");
    EXPECT_EQ(url.str(), "https://example.org:123/path/to/somewhere?abc=123#anchor");
}

TEST(Url, DocstringExample) {
    const URL url(
        "HTTPS://jo%40email.com:a%20secret@m\xC3\xBCller.de:1234/pa%20th?search=ab#anchorlink");
    EXPECT_EQ(url.scheme(), "https");
    EXPECT_EQ(url.username(), "jo@email.com");
    EXPECT_EQ(url.password(), "a secret");
    EXPECT_EQ(url.userinfo(), "jo%40email.com:a%20secret");
    EXPECT_EQ(url.host(), "m\xC3\xBCller.de");
    EXPECT_EQ(url.raw_host(), "xn--mller-kva.de");
    EXPECT_EQ(url.port(), 1234);
    EXPECT_EQ(url.netloc(), "xn--mller-kva.de:1234");
    EXPECT_EQ(url.path(), "/pa th");
    EXPECT_EQ(url.query(), "search=ab");
    EXPECT_EQ(url.raw_path(), "/pa%20th?search=ab");
    EXPECT_EQ(url.fragment(), "anchorlink");
}

TEST(Url, EmptyQueryIsKeptInRawPath) {
    EXPECT_EQ(URL("https://www.example.com/path").raw_path(), "/path");
    const URL with_mark("https://www.example.com/path?");
    EXPECT_EQ(with_mark.path(), "/path");
    EXPECT_EQ(with_mark.query(), "");
    EXPECT_TRUE(with_mark.has_query());
    EXPECT_EQ(with_mark.raw_path(), "/path?");
    EXPECT_EQ(with_mark.str(), "https://www.example.com/path?");
}

TEST(Url, NoScheme) {
    const URL url("://example.com");
    EXPECT_EQ(url.scheme(), "");
    EXPECT_EQ(url.host(), "example.com");
    EXPECT_EQ(url.path(), "/");
    EXPECT_TRUE(url.is_relative_url());
}

TEST(Url, NoAuthority) {
    const URL url("http://");
    EXPECT_EQ(url.scheme(), "http");
    EXPECT_EQ(url.host(), "");
    EXPECT_EQ(url.path(), "/");
    EXPECT_TRUE(url.is_relative_url());
}

TEST(Url, EmptyIsTheEmptyRelativeUrl) {
    const URL url("");
    EXPECT_EQ(url.str(), "");
    EXPECT_TRUE(url.is_relative_url());
    EXPECT_EQ(url.raw_path(), "/");
    EXPECT_EQ(URL(), url);
}

TEST(Url, EmptyPathStaysEmptyInStrButIsSlashAsTarget) {
    const URL url("https://example.com");
    EXPECT_EQ(url.str(), "https://example.com");
    EXPECT_EQ(url.encoded_path(), "/");
    EXPECT_EQ(url.raw_path(), "/");
}

struct PercentCase {
    const char* url;
    const char* raw_path;
    const char* path;
    const char* query;
    const char* fragment;
};

TEST(Url, PathQueryFragmentPercentEncoding) {
    const PercentCase cases[] = {
        {"https://example.com/!$&'()*+,;= abc ABC 123 :/[]@",
         "/!$&'()*+,;=%20abc%20ABC%20123%20:/[]@", "/!$&'()*+,;= abc ABC 123 :/[]@", "", ""},
        {"https://example.com/!$&'()*+,;=%20abc%20ABC%20123%20:/[]@",
         "/!$&'()*+,;=%20abc%20ABC%20123%20:/[]@", "/!$&'()*+,;= abc ABC 123 :/[]@", "", ""},
        {"https://example.com/ %61%62%63", "/%20%61%62%63", "/ abc", "", ""},
        {"https://example.com/?!$&'()*+,;= abc ABC 123 :/[]@?",
         "/?!$&'()*+,;=%20abc%20ABC%20123%20:/[]@?", "/", "!$&'()*+,;=%20abc%20ABC%20123%20:/[]@?",
         ""},
        {"https://example.com/?!$&%27()*+,;=%20abc%20ABC%20123%20:%2F[]@?",
         "/?!$&%27()*+,;=%20abc%20ABC%20123%20:%2F[]@?", "/",
         "!$&%27()*+,;=%20abc%20ABC%20123%20:%2F[]@?", ""},
        {"https://example.com/?%20%97%98%99", "/?%20%97%98%99", "/", "%20%97%98%99", ""},
        {"https://example.com/#!$&'()*+,;= abc ABC 123 :/[]@?#", "/", "/", "",
         "!$&'()*+,;= abc ABC 123 :/[]@?#"},
    };
    for (const PercentCase& c : cases) {
        SCOPED_TRACE(c.url);
        const URL url(c.url);
        EXPECT_EQ(url.raw_path(), c.raw_path);
        EXPECT_EQ(url.path(), c.path);
        EXPECT_EQ(url.query(), c.query);
        EXPECT_EQ(url.fragment(), c.fragment);
    }
}

TEST(Url, QueryEncodingInStringVersusParams) {
    EXPECT_EQ(URL("https://www.example.com/?a=b c&d=e/f").raw_path(), "/?a=b%20c&d=e/f");
    EXPECT_EQ(URL("https://www.example.com/?a=b+c&d=e/f").raw_path(), "/?a=b+c&d=e/f");
    const URL with_params("https://www.example.com/",
                          {.params = QueryParams{{"a", "b c"}, {"d", "e/f"}}});
    EXPECT_EQ(with_params.raw_path(), "/?a=b+c&d=e%2Ff");
}

TEST(Url, ParamsReplaceTheQuery) {
    const URL url("https://example.org:123/path/to/somewhere",
                  {.params = QueryParams{{"a", "123"}}});
    EXPECT_EQ(url.str(), "https://example.org:123/path/to/somewhere?a=123");
    EXPECT_EQ(url.params(), QueryParams({{"a", "123"}}));

    const URL replaced("https://example.org:123/path/to/somewhere?b=456",
                       {.params = QueryParams{{"a", "123"}}});
    EXPECT_EQ(replaced.str(), "https://example.org:123/path/to/somewhere?a=123");

    const URL emptied("https://example.org/?b=456", {.params = QueryParams()});
    EXPECT_EQ(emptied.str(), "https://example.org/");
}

struct UserinfoCase {
    const char* url;
    const char* userinfo;
    const char* username;
    const char* password;
};

TEST(Url, UsernameAndPassword) {
    const UserinfoCase cases[] = {
        {"https://username:password@example.com", "username:password", "username", "password"},
        {"https://username%40gmail.com:pa%20ssword@example.com", "username%40gmail.com:pa%20ssword",
         "username@gmail.com", "pa ssword"},
        {"https://user%20name:p%40ssword@example.com", "user%20name:p%40ssword", "user name",
         "p@ssword"},
        {"https://username@gmail.com:pa ssword@example.com", "username%40gmail.com:pa%20ssword",
         "username@gmail.com", "pa ssword"},
        {"https://user name:p@ssword@example.com", "user%20name:p%40ssword", "user name",
         "p@ssword"},
    };
    for (const UserinfoCase& c : cases) {
        SCOPED_TRACE(c.url);
        const URL url(c.url);
        EXPECT_EQ(url.userinfo(), c.userinfo);
        EXPECT_EQ(url.username(), c.username);
        EXPECT_EQ(url.password(), c.password);
    }
}

TEST(Url, Hosts) {
    EXPECT_EQ(URL("https://example.com/").host(), "example.com");
    EXPECT_EQ(URL("https://EXAMPLE.com/").host(), "example.com");
    EXPECT_EQ(URL("https://exam le.com/").host(), "exam%20le.com");
    EXPECT_EQ(URL("https://023b76x43144/").host(), "023b76x43144");
}

TEST(Url, Ports) {
    EXPECT_EQ(URL("https://example.com:123/").port(), 123);
    EXPECT_EQ(URL("https://example.com:443/").port(), std::nullopt);
    EXPECT_EQ(URL("https://example.com:443/").str(), "https://example.com/");
    EXPECT_EQ(URL("http://example.com:80/"), URL("http://example.com/"));
    EXPECT_EQ(URL("ws://example.com:80/").port(), std::nullopt);
    EXPECT_EQ(URL("wss://example.com:443/").port(), std::nullopt);
    EXPECT_EQ(URL("ftp://example.com:21/").port(), std::nullopt);
    EXPECT_EQ(URL("http://example.com:443/").port(), 443);
    EXPECT_EQ(URL("http://example.com:/").port(), std::nullopt);
    EXPECT_EQ(invalid_url_message([] { URL("https://example.com:abc/"); }), "Invalid port: 'abc'");
}

// httpxx's own decision: HTTPX accepts any Python int (99999, -80); a TCP port cannot be.
TEST(Url, PortOutOfRangeIsInvalid) {
    EXPECT_EQ(invalid_url_message([] { URL("http://example.com:99999/"); }),
              "Invalid port: '99999'");
    EXPECT_EQ(invalid_url_message([] { URL("http://example.com:-80/"); }), "Invalid port: '-80'");
    EXPECT_EQ(URL("http://example.com:65535/").port(), 65535);
}

TEST(Url, NormalizedPath) {
    EXPECT_EQ(URL("https://example.com/abc/def/../ghi/./jkl").path(), "/abc/ghi/jkl");
    EXPECT_EQ(URL("https://example.com/ /\xF0\x9F\x8C\x9F/").raw_path(), "/%20/%F0%9F%8C%9F/");
    EXPECT_EQ(URL("https://example.com/../abc").path(), "/abc");
    EXPECT_EQ(URL("../abc").path(), "../abc");
    // HTTPX drops the trailing slash that RFC 3986 would keep.
    EXPECT_EQ(URL("https://example.com/a/b/..").path(), "/a");
}

TEST(Url, ParamsAreFormEncoded) {
    EXPECT_EQ(URL("http://webservice", {.params = QueryParams{{"u", "with spaces"}}}).str(),
              "http://webservice?u=with+spaces");
    EXPECT_EQ(URL("http://webservice", {.params = QueryParams{{"u", "%"}}}).str(),
              "http://webservice?u=%25");
    EXPECT_EQ(URL("http://webservice", {.params = QueryParams{{"u", "with%20spaces"}}}).str(),
              "http://webservice?u=with%2520spaces");
    EXPECT_EQ(
        URL("http://webservice", {.params = QueryParams{{"u", "http://example.com?q=foo%2Fa"}}})
            .str(),
        "http://webservice?u=http%3A%2F%2Fexample.com%3Fq%3Dfoo%252Fa");
}

TEST(Url, QueryInStringIsEncodedLikeABrowser) {
    EXPECT_EQ(URL("http://webservice?u=phrase%20with%20spaces").str(),
              "http://webservice?u=phrase%20with%20spaces");
    EXPECT_EQ(URL("http://webservice?u=phrase with spaces").str(),
              "http://webservice?u=phrase%20with%20spaces");
    EXPECT_EQ(URL("http://webservice?u=phrase%20with spaces").str(),
              "http://webservice?u=phrase%20with%20spaces");
}

TEST(Url, InvalidUrls) {
    EXPECT_NE(invalid_url_message([] { URL("https://\xF0\x9F\x98\x87/"); }), "");
    EXPECT_EQ(
        invalid_url_message([] { URL("https://www.example.com/" + std::string(100000, 'x')); }),
        "URL too long");
    EXPECT_EQ(invalid_url_message(
                  [] { URL("https://www.example.com", {.path = "/" + std::string(100000, 'x')}); }),
              "URL component 'path' too long");
    EXPECT_EQ(invalid_url_message([] { URL("https://www.example.com/\n"); }),
              "Invalid non-printable ASCII character in URL, '\\n' at position 24.");
    EXPECT_EQ(invalid_url_message([] { URL(std::string_view("htt\0p://x", 9)); }),
              "Invalid non-printable ASCII character in URL, '\\x00' at position 3.");
    EXPECT_EQ(invalid_url_message([] { URL("https://www.example.com", {.path = "/\n"}); }),
              "Invalid non-printable ASCII character in URL path component, '\\n' at position 1.");
}

TEST(Url, FromComponents) {
    const URL url("", {.scheme = "https", .host = "www.example.com", .path = "/"});
    EXPECT_EQ(url.scheme(), "https");
    EXPECT_EQ(url.userinfo(), "");
    EXPECT_EQ(url.host(), "www.example.com");
    EXPECT_EQ(url.port(), std::nullopt);
    EXPECT_EQ(url.path(), "/");
    EXPECT_EQ(url.str(), "https://www.example.com/");
}

TEST(Url, InvalidComponents) {
    EXPECT_EQ(invalid_url_message(
                  [] { URL("", {.scheme = "~", .host = "www.example.com", .path = "/"}); }),
              "Invalid URL component 'scheme'");
    EXPECT_EQ(invalid_url_message(
                  [] { URL("", {.scheme = "https", .host = "www.example.com", .path = "abc"}); }),
              "For absolute URLs, path must be empty or begin with '/'");
    EXPECT_EQ(invalid_url_message([] { URL("", {.path = "//abc"}); }),
              "Relative URLs cannot have a path starting with '//'");
    EXPECT_EQ(invalid_url_message([] { URL("", {.path = ":abc"}); }),
              "Relative URLs cannot have a path starting with ':'");
    EXPECT_EQ(URL("", {.path = "abc"}).path(), "abc");
    EXPECT_EQ(invalid_url_message([] { URL("", {.path = "/a?b"}); }),
              "Invalid URL component 'path'");
}

TEST(Url, RelativePathRulesInStrings) {
    EXPECT_EQ(invalid_url_message([] { URL("::"); }),
              "Relative URLs cannot have a path starting with ':'");
    // HTTPX's regex reads a leading ':' as an empty scheme.
    EXPECT_EQ(URL(":foo").str(), "foo");
}

TEST(Url, EqualityIsByNormalisedString) {
    const URL url("https://example.org:123/path/to/somewhere?abc=123#anchor");
    EXPECT_EQ(url, URL("https://example.org:123/path/to/somewhere?abc=123#anchor"));
    EXPECT_EQ(URL("HTTPS://EXAMPLE.org:443"), URL("https://example.org"));
    EXPECT_FALSE(URL("https://example.org/a") == URL("https://example.org/b"));
}

TEST(Url, StreamMasksPassword) {
    std::ostringstream masked;
    masked << URL("https://user:secret@example.org/path?q=1#f");
    EXPECT_EQ(masked.str(), "https://user:[secure]@example.org/path?q=1#f");
    std::ostringstream no_password;
    no_password << URL("https://user@example.org/");
    EXPECT_EQ(no_password.str(), "https://user@example.org/");
}

TEST(UrlJoin, Basic) {
    const URL url("https://example.org:123/path/to/somewhere");
    EXPECT_EQ(url.join("/somewhere-else"), URL("https://example.org:123/somewhere-else"));
    EXPECT_EQ(url.join("somewhere-else"), URL("https://example.org:123/path/to/somewhere-else"));
    EXPECT_EQ(url.join("../somewhere-else"), URL("https://example.org:123/path/somewhere-else"));
    EXPECT_EQ(url.join("../../somewhere-else"), URL("https://example.org:123/somewhere-else"));
}

TEST(UrlJoin, RelativeBase) {
    const URL url("/path/to/somewhere");
    EXPECT_EQ(url.join("/somewhere-else").str(), "/somewhere-else");
    EXPECT_EQ(url.join("somewhere-else").str(), "/path/to/somewhere-else");
    EXPECT_EQ(url.join("../somewhere-else").str(), "/path/somewhere-else");
    EXPECT_EQ(url.join("../../somewhere-else").str(), "/somewhere-else");
}

TEST(UrlJoin, Rfc3986Examples) {
    const URL url("http://example.com/b/c/d;p?q");
    const std::pair<const char*, const char*> cases[] = {
        {"g", "http://example.com/b/c/g"},
        {"./g", "http://example.com/b/c/g"},
        {"g/", "http://example.com/b/c/g/"},
        {"/g", "http://example.com/g"},
        {"//g", "http://g"},
        {"?y", "http://example.com/b/c/d;p?y"},
        {"g?y", "http://example.com/b/c/g?y"},
        {"#s", "http://example.com/b/c/d;p?q#s"},
        {"g#s", "http://example.com/b/c/g#s"},
        {"g?y#s", "http://example.com/b/c/g?y#s"},
        {";x", "http://example.com/b/c/;x"},
        {"g;x", "http://example.com/b/c/g;x"},
        {"g;x?y#s", "http://example.com/b/c/g;x?y#s"},
        {"", "http://example.com/b/c/d;p?q"},
        {".", "http://example.com/b/c/"},
        {"./", "http://example.com/b/c/"},
        {"..", "http://example.com/b/"},
        {"../", "http://example.com/b/"},
        {"../g", "http://example.com/b/g"},
        {"../..", "http://example.com/"},
        {"../../", "http://example.com/"},
        {"../../g", "http://example.com/g"},
        {"../../../g", "http://example.com/g"},
        {"../../../../g", "http://example.com/g"},
        {"/./g", "http://example.com/g"},
        {"/../g", "http://example.com/g"},
        {"g.", "http://example.com/b/c/g."},
        {".g", "http://example.com/b/c/.g"},
        {"g..", "http://example.com/b/c/g.."},
        {"..g", "http://example.com/b/c/..g"},
        {"./../g", "http://example.com/b/g"},
        {"./g/.", "http://example.com/b/c/g/"},
        {"g/./h", "http://example.com/b/c/g/h"},
        {"g/../h", "http://example.com/b/c/h"},
        {"g;x=1/./y", "http://example.com/b/c/g;x=1/y"},
        {"g;x=1/../y", "http://example.com/b/c/y"},
        {"g?y/./x", "http://example.com/b/c/g?y/./x"},
        {"g?y/../x", "http://example.com/b/c/g?y/../x"},
        {"g#s/./x", "http://example.com/b/c/g#s/./x"},
        {"g#s/../x", "http://example.com/b/c/g#s/../x"},
        // urljoin's non-strict rule: the base's own scheme without authority is relative.
        {"http:g", "http://example.com/b/c/g"},
        {"https://other.org/x", "https://other.org/x"},
    };
    for (const auto& [reference, expected] : cases) {
        SCOPED_TRACE(reference);
        EXPECT_EQ(url.join(reference).str(), expected);
    }
}

TEST(UrlJoin, KeepsCharactersRfc3986Forbids) {
    EXPECT_EQ(URL("https://example.com/?[]").join("/").str(), "https://example.com/");
    EXPECT_EQ(URL("https://example.com/a|b/c").join("d?x[1]=%zz").str(),
              "https://example.com/a|b/d?x[1]=%zz");
    EXPECT_EQ(URL("http://[::1]:8080/a").join("b").str(), "http://[::1]:8080/b");
}

TEST(UrlCopy, CopyWith) {
    URL url("https://www.example.com/");
    url = url.copy_with({});
    EXPECT_EQ(url.str(), "https://www.example.com/");
    url = url.copy_with({.scheme = "http"});
    EXPECT_EQ(url.str(), "http://www.example.com/");
    url = url.copy_with({.host = "example.com"});
    EXPECT_EQ(url.str(), "http://example.com/");
    url = url.copy_with({.path = "/abc"});
    EXPECT_EQ(url.str(), "http://example.com/abc");
    url = url.copy_with({.fragment = "top"});
    EXPECT_EQ(url.str(), "http://example.com/abc#top");
    url = url.copy_with({.fragment = ""});
    EXPECT_EQ(url.str(), "http://example.com/abc");
}

TEST(UrlCopy, AuthoritySubcomponents) {
    const URL url("https://example.org");
    const URL copy = url.copy_with(
        {.username = "username", .password = "password", .host = "example.net", .port = 444});
    EXPECT_EQ(copy.str(), "https://username:password@example.net:444");
}

TEST(UrlCopy, UserinfoIsEncoded) {
    const URL copy = URL("https://example.org")
                         .copy_with({.username = "tom@example.org", .password = "abc123@ %"});
    EXPECT_EQ(copy.str(), "https://tom%40example.org:abc123%40%20%@example.org");
    EXPECT_EQ(copy.username(), "tom@example.org");
    EXPECT_EQ(copy.password(), "abc123@ %");
    EXPECT_EQ(copy.userinfo(), "tom%40example.org:abc123%40%20%");
}

// httpxx's own decision (the header's contract): an unset half of the userinfo is kept,
// where HTTPX's copy_with(password=...) would drop the username.
TEST(UrlCopy, SettingPasswordKeepsUsername) {
    const URL copy = URL("https://tom:old@example.org/").copy_with({.password = "new"});
    EXPECT_EQ(copy.str(), "https://tom:new@example.org/");
}

TEST(UrlCopy, PathAndQuery) {
    const URL with_path = URL("https://example.org").copy_with({.path = "/path to somewhere"});
    EXPECT_EQ(with_path.path(), "/path to somewhere");
    EXPECT_EQ(with_path.query(), "");
    EXPECT_EQ(with_path.raw_path(), "/path%20to%20somewhere");

    const URL with_query = URL("https://example.org").copy_with({.query = "a=123"});
    EXPECT_EQ(with_query.path(), "/");
    EXPECT_EQ(with_query.query(), "a=123");
    EXPECT_EQ(with_query.raw_path(), "/?a=123");
}

TEST(UrlCopy, Security) {
    // CVE-2021-41945: copy_with must not let a component smuggle in another URL.
    EXPECT_NE(invalid_url_message([] { URL("https://u:p@[invalid!]//evilHost/path?t=w#tw"); }), "");
    const URL url("https://example.com/path?t=w#tw");
    EXPECT_EQ(invalid_url_message([&] {
                  url.copy_with({.scheme = "https://xxxx:xxxx@xxxxxxx/xxxxx/xxx?x=x#xxxxx"});
              }),
              "Invalid URL component 'scheme'");
    EXPECT_EQ(invalid_url_message([&] { url.copy_with({.host = "evil.com/x"}); }), "");
    EXPECT_EQ(url.copy_with({.host = "evil.com/x"}).str(), "https://evil.com%2Fx/path?t=w#tw");
}

TEST(UrlCopy, ParamManipulation) {
    const URL url("https://example.org:123/?a=123");
    EXPECT_EQ(url.copy_set_param("a", "456").str(), "https://example.org:123/?a=456");
    EXPECT_EQ(url.copy_add_param("a", "456").str(), "https://example.org:123/?a=123&a=456");
    EXPECT_EQ(url.copy_remove_param("a").str(), "https://example.org:123/");
    EXPECT_EQ(url.copy_merge_params(QueryParams{{"b", "456"}}).str(),
              "https://example.org:123/?a=123&b=456");
    EXPECT_EQ(url.copy_merge_params(QueryParams{{"a", "x y"}}).str(),
              "https://example.org:123/?a=x+y");
}

struct IdnaCase {
    const char* given;
    const char* idna;
    const char* host;
    const char* raw_host;
    const char* scheme;
    std::optional<int> port;
};

TEST(UrlIdna, Hosts) {
    const IdnaCase cases[] = {
        {"http://\xE4\xB8\xAD\xE5\x9B\xBD.icom.museum:80/", "http://xn--fiqs8s.icom.museum:80/",
         "\xE4\xB8\xAD\xE5\x9B\xBD.icom.museum", "xn--fiqs8s.icom.museum", "http", std::nullopt},
        {"http://K\xC3\xB6nigsg\xC3\xA4\xC3\x9F"
         "chen.de",
         "http://xn--knigsgchen-b4a3dun.de",
         "k\xC3\xB6nigsg\xC3\xA4\xC3\x9F"
         "chen.de",
         "xn--knigsgchen-b4a3dun.de", "http", std::nullopt},
        {"https://fa\xC3\x9F.de", "https://xn--fa-hia.de", "fa\xC3\x9F.de", "xn--fa-hia.de",
         "https", std::nullopt},
        {"https://\xCE\xB2\xCF\x8C\xCE\xBB\xCE\xBF\xCF\x82.com:443", "https://xn--nxasmm1c.com:443",
         "\xCE\xB2\xCF\x8C\xCE\xBB\xCE\xBF\xCF\x82.com", "xn--nxasmm1c.com", "https", std::nullopt},
        {"http://\xE0\xB7\x81\xE0\xB7\x8A\xE2\x80\x8D\xE0\xB6\xBB\xE0\xB7\x93.com:444",
         "http://xn--10cl1a0b660p.com:444",
         "\xE0\xB7\x81\xE0\xB7\x8A\xE2\x80\x8D\xE0\xB6\xBB\xE0\xB7\x93.com", "xn--10cl1a0b660p.com",
         "http", 444},
        {"https://\xD9\x86\xD8\xA7\xD9\x85\xD9\x87\xE2\x80\x8C\xD8\xA7\xDB\x8C.com:4433",
         "https://xn--mgba3gch31f060k.com:4433",
         "\xD9\x86\xD8\xA7\xD9\x85\xD9\x87\xE2\x80\x8C\xD8\xA7\xDB\x8C.com",
         "xn--mgba3gch31f060k.com", "https", 4433},
    };
    for (const IdnaCase& c : cases) {
        SCOPED_TRACE(c.given);
        const URL url(c.given);
        EXPECT_EQ(url, URL(c.idna));
        EXPECT_EQ(url.host(), c.host);
        EXPECT_EQ(url.raw_host(), c.raw_host);
        EXPECT_EQ(url.scheme(), c.scheme);
        EXPECT_EQ(url.port(), c.port);
    }
}

TEST(UrlIdna, EscapedAndUnescaped) {
    EXPECT_EQ(URL("https://\xE4\xB8\xAD\xE5\x9B\xBD.icom.museum/").raw_host(),
              "xn--fiqs8s.icom.museum");
    const URL escaped("https://xn--fiqs8s.icom.museum/");
    EXPECT_EQ(escaped.raw_host(), "xn--fiqs8s.icom.museum");
    EXPECT_EQ(escaped.host(), "\xE4\xB8\xAD\xE5\x9B\xBD.icom.museum");
    // httpxx decodes any xn-- label, not only a leading one as HTTPX does.
    EXPECT_EQ(URL("https://www.xn--fiqs8s.com/").host(), "www.\xE4\xB8\xAD\xE5\x9B\xBD.com");
    // Not valid Punycode: host() falls back to the ASCII form instead of throwing.
    EXPECT_EQ(URL("https://xn--/").host(), "xn--");
}

TEST(UrlIdna, Invalid) {
    EXPECT_EQ(invalid_url_message([] { URL("https://\xE2\x98\x83.com/"); }),
              "Invalid IDNA hostname: '\xE2\x98\x83.com'");
    // Full-width letters are mapped by UTS #46 but are not valid IDNA 2008.
    EXPECT_NE(invalid_url_message([] { URL("http://\xEF\xBC\xA7\xEF\xBD\x8F.com"); }), "");
    EXPECT_NE(invalid_url_message([] { URL("http://\xE4\xB8\xAD..com"); }), "");
    EXPECT_NE(invalid_url_message([] { URL("http://a_b.\xE4\xB8\xAD\xE5\x9B\xBD/"); }), "");
    // The ideographic full stop separates labels.
    EXPECT_EQ(URL("http://www.foo\xE3\x80\x82"
                  "bar.com")
                  .raw_host(),
              "www.foo.bar.com");
}

TEST(UrlIp, V4) {
    EXPECT_EQ(URL("https://1.2.3.4/").host(), "1.2.3.4");
    EXPECT_EQ(invalid_url_message([] { URL("https://999.999.999.999/"); }),
              "Invalid IPv4 address: '999.999.999.999'");
    EXPECT_EQ(invalid_url_message([] { URL("https://01.2.3.4/"); }),
              "Invalid IPv4 address: '01.2.3.4'");
}

TEST(UrlIp, V6) {
    const URL url("http://[::ffff:192.168.0.1]:5678/");
    EXPECT_EQ(url.host(), "::ffff:192.168.0.1");
    EXPECT_EQ(url.netloc(), "[::ffff:192.168.0.1]:5678");
    EXPECT_EQ(URL("https://[2001:db8::ff00:42:8329]/").host(), "2001:db8::ff00:42:8329");
    EXPECT_EQ(invalid_url_message([] { URL("https://[2001]/"); }),
              "Invalid IPv6 address: '[2001]'");
}

TEST(UrlIp, V6FromComponents) {
    for (const char* host : {"[::ffff:192.168.0.1]", "::ffff:192.168.0.1"}) {
        SCOPED_TRACE(host);
        const URL url("", {.scheme = "https", .host = host, .port = 443, .path = "/"});
        EXPECT_EQ(url.host(), "::ffff:192.168.0.1");
        EXPECT_EQ(url.netloc(), "[::ffff:192.168.0.1]");
        EXPECT_EQ(url.str(), "https://[::ffff:192.168.0.1]/");
    }
}

TEST(UrlIp, V6CopyWithHost) {
    for (const char* original :
         {"http://127.0.0.1:1234", "http://example.com:1234", "http://[::ffff:127.0.0.1]:1234"}) {
        for (const char* new_host : {"[::ffff:192.168.0.1]", "::ffff:192.168.0.1"}) {
            SCOPED_TRACE(std::string(original) + " " + new_host);
            const URL url = URL(original).copy_with({.host = new_host});
            EXPECT_EQ(url.host(), "::ffff:192.168.0.1");
            EXPECT_EQ(url.netloc(), "[::ffff:192.168.0.1]:1234");
            EXPECT_EQ(url.str(), "http://[::ffff:192.168.0.1]:1234");
        }
    }
}

}  // namespace
