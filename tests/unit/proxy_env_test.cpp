// The environment's proxies (client/proxy_env.hpp): urllib's reading of *_proxy variables and
// HTTPX's get_environment_proxies() (its tests/test_utils.py cases), CIDR ranges beyond HTTPX,
// and the mount patterns they make (client/url_pattern.hpp).
#include "client/proxy_env.hpp"
#include "client/url_pattern.hpp"

#include <httpx/async_client.hpp>
#include <httpx/transport.hpp>
#include <httpx/url.hpp>

#include "run_async.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

using httpx::detail::environment_proxies;
using httpx::detail::environment_proxy_settings;
using httpx::detail::URLPattern;
using Mounts = std::map<std::string, std::optional<std::string>>;
using Settings = std::map<std::string, std::string>;

TEST(ProxyEnvironment, NothingSetNothingProxied) {
    EXPECT_EQ(environment_proxies({{"PATH", "/usr/bin"}, {"HOME", "/root"}}), Mounts{});
}

TEST(ProxyEnvironment, UpperCaseVariablesBecomeSchemeMounts) {
    EXPECT_EQ(environment_proxies({{"HTTP_PROXY", "http://127.0.0.1:3128"},
                                   {"HTTPS_PROXY", "http://127.0.0.1:3129"},
                                   {"ALL_PROXY", "socks5://127.0.0.1:1080"}}),
              (Mounts{{"http://", "http://127.0.0.1:3128"},
                      {"https://", "http://127.0.0.1:3129"},
                      {"all://", "socks5://127.0.0.1:1080"}}));
}

TEST(ProxyEnvironment, SchemelessValueGetsHttp) {
    EXPECT_EQ(environment_proxies({{"HTTPS_PROXY", "proxy.corp:8080"}}),
              (Mounts{{"https://", "http://proxy.corp:8080"}}));
}

TEST(ProxyEnvironment, OtherSchemesAreReadButNotMounted) {
    // urllib reads ftp_proxy; HTTPX mounts only http, https and all.
    EXPECT_EQ(environment_proxy_settings({{"FTP_PROXY", "http://f"}}),
              (Settings{{"ftp", "http://f"}}));
    EXPECT_EQ(environment_proxies({{"FTP_PROXY", "http://f"}}), Mounts{});
}

TEST(ProxyEnvironment, LowerCaseWinsWhateverTheOrder) {
    for (bool lower_first : {true, false}) {
        httpx::detail::Environment env = {{"HTTP_PROXY", "http://upper"}};
        if (lower_first)
            env.insert(env.begin(), {"http_proxy", "http://lower"});
        else
            env.push_back({"http_proxy", "http://lower"});
        EXPECT_EQ(environment_proxies(env), (Mounts{{"http://", "http://lower"}})) << lower_first;
    }
}

TEST(ProxyEnvironment, MixedCaseNamesCountLikeUpperCase) {
    EXPECT_EQ(environment_proxy_settings({{"Https_Proxy", "http://mixed"}}),
              (Settings{{"https", "http://mixed"}}));
    EXPECT_EQ(environment_proxy_settings(
                  {{"Https_Proxy", "http://mixed"}, {"https_proxy", "http://lower"}}),
              (Settings{{"https", "http://lower"}}));
}

TEST(ProxyEnvironment, EmptyLowerCaseRemovesTheEntry) {
    EXPECT_EQ(environment_proxies({{"HTTP_PROXY", "http://upper"}, {"http_proxy", ""}}), Mounts{});
    EXPECT_EQ(environment_proxies({{"http_proxy", ""}, {"HTTP_PROXY", "http://upper"}}), Mounts{});
    // An empty upper-case variable is just ignored.
    EXPECT_EQ(environment_proxies({{"http_proxy", "http://lower"}, {"HTTP_PROXY", ""}}),
              (Mounts{{"http://", "http://lower"}}));
    // An empty lower-case no_proxy drops an upper-case NO_PROXY too.
    EXPECT_EQ(environment_proxies(
                  {{"ALL_PROXY", "http://p"}, {"NO_PROXY", "example.com"}, {"no_proxy", ""}}),
              (Mounts{{"all://", "http://p"}}));
}

TEST(ProxyEnvironment, HttpoxyRequestMethodIgnoresUpperCaseHttpProxy) {
    // A CGI script: HTTP_PROXY may come from the request's "Proxy:" header.
    EXPECT_EQ(environment_proxies({{"REQUEST_METHOD", "GET"},
                                   {"HTTP_PROXY", "http://attacker:8080"},
                                   {"HTTPS_PROXY", "http://corp:3128"}}),
              (Mounts{{"https://", "http://corp:3128"}}));
    // Lower-case http_proxy cannot come from a request header: it still counts.
    EXPECT_EQ(environment_proxies({{"REQUEST_METHOD", "POST"},
                                   {"HTTP_PROXY", "http://attacker:8080"},
                                   {"http_proxy", "http://corp:3128"}}),
              (Mounts{{"http://", "http://corp:3128"}}));
    // Without REQUEST_METHOD, HTTP_PROXY counts.
    EXPECT_EQ(environment_proxies({{"HTTP_PROXY", "http://corp:3128"}}),
              (Mounts{{"http://", "http://corp:3128"}}));
}

TEST(ProxyEnvironment, NoProxyEntriesAsHttpx) {
    // HTTPX's tests/test_utils.py test_get_environment_proxies cases.
    EXPECT_EQ(environment_proxies({{"all_proxy", "http://127.0.0.1"},
                                   {"no_proxy", "127.0.0.1, localhost,  ::1,example.com,,"}}),
              (Mounts{{"all://", "http://127.0.0.1"},
                      {"all://127.0.0.1", std::nullopt},
                      {"all://localhost", std::nullopt},
                      {"all://[::1]", std::nullopt},
                      {"all://*example.com", std::nullopt}}));
    EXPECT_EQ(environment_proxies({{"NO_PROXY", ".example.com,*.example.org,http://internal"}}),
              (Mounts{{"all://*.example.com", std::nullopt},
                      {"all://*.example.org", std::nullopt},
                      {"http://internal", std::nullopt}}));
    EXPECT_EQ(environment_proxies({{"NO_PROXY", "[::1],LocalHost"}}),
              (Mounts{{"all://[::1]", std::nullopt}, {"all://LocalHost", std::nullopt}}));
}

TEST(ProxyEnvironment, NoProxyStarMeansNoProxiesAtAll) {
    EXPECT_EQ(environment_proxies({{"HTTP_PROXY", "http://p"}, {"NO_PROXY", "example.com, *"}}),
              Mounts{});
}

TEST(ProxyEnvironment, NoProxyRangesBecomeRangePatterns) {
    EXPECT_EQ(environment_proxies({{"NO_PROXY", "10.0.0.0/8, fd00::/8,[fe80::]/10"}}),
              (Mounts{{"all://10.0.0.0/8", std::nullopt},
                      {"all://[fd00::]/8", std::nullopt},
                      {"all://[fe80::]/10", std::nullopt}}));
}

namespace {

bool matches(const char* pattern, const char* url) {
    return URLPattern(pattern).matches(httpx::URL(url));
}

// What NO_PROXY=`entry` exempts: whether `url` matches one of the direct mounts it makes.
bool exempt(const char* entry, const char* url) {
    for (const auto& [pattern, proxy] : environment_proxies({{"NO_PROXY", entry}}))
        if (!proxy && URLPattern(pattern).matches(httpx::URL(url))) return true;
    return false;
}

}  // namespace

TEST(ProxyEnvironment, NameExemptsItselfAndSubdomainsDotDomainOnlySubdomains) {
    EXPECT_TRUE(exempt("example.com", "http://example.com/"));
    EXPECT_TRUE(exempt("example.com", "https://www.example.com/"));
    EXPECT_FALSE(exempt("example.com", "http://notexample.com/"));
    EXPECT_FALSE(exempt(".example.com", "http://example.com/"));
    EXPECT_TRUE(exempt(".example.com", "http://www.example.com/"));
    EXPECT_FALSE(exempt("*.example.com", "http://example.com/"));
    EXPECT_TRUE(exempt("*.example.com", "http://a.b.example.com/"));
    EXPECT_TRUE(exempt("localhost", "http://localhost:8080/"));
    EXPECT_FALSE(exempt("localhost", "http://localhost.example/"));
    EXPECT_TRUE(exempt("127.0.0.1", "http://127.0.0.1:8000/"));
    EXPECT_FALSE(exempt("127.0.0.1", "http://127.0.0.2/"));
    EXPECT_TRUE(exempt("::1", "http://[::1]:8000/"));
    EXPECT_FALSE(exempt("::1", "http://[::2]/"));
    EXPECT_TRUE(exempt("example.com:8080", "http://example.com:8080/"));
    EXPECT_FALSE(exempt("example.com:8080", "http://example.com/"));
}

TEST(ProxyEnvironment, CidrRangesExemptAddressesInside) {
    EXPECT_TRUE(exempt("10.0.0.0/8", "http://10.1.2.3/"));
    EXPECT_TRUE(exempt("10.0.0.0/8", "https://10.255.255.255:8443/"));
    EXPECT_FALSE(exempt("10.0.0.0/8", "http://11.0.0.1/"));
    EXPECT_FALSE(exempt("10.0.0.0/8", "http://ten.example/"));  // names are not resolved
    EXPECT_TRUE(exempt("192.168.1.0/24", "http://192.168.1.77/"));
    EXPECT_FALSE(exempt("192.168.1.0/24", "http://192.168.2.1/"));
    EXPECT_TRUE(exempt("192.168.1.7/32", "http://192.168.1.7/"));
    EXPECT_FALSE(exempt("192.168.1.7/32", "http://192.168.1.6/"));
    EXPECT_TRUE(exempt("0.0.0.0/0", "http://8.8.8.8/"));
    EXPECT_TRUE(exempt("fd00::/8", "http://[fd12:3456::1]/"));
    EXPECT_FALSE(exempt("fd00::/8", "http://[fe80::1]/"));
    EXPECT_FALSE(exempt("fd00::/8", "http://10.0.0.1/"));  // another family
    EXPECT_TRUE(exempt("2001:db8::/33", "http://[2001:db8:7fff::1]/"));
    EXPECT_FALSE(exempt("2001:db8::/33", "http://[2001:db8:8000::1]/"));
    EXPECT_FALSE(exempt("10.0.0.0/8", "http://[::ffff:10.0.0.1]/"));
}

TEST(URLPatternRange, PrefixLengthOnlyAfterAnAddress) {
    EXPECT_TRUE(matches("all://10.0.0.0/8", "http://10.9.9.9/"));
    EXPECT_TRUE(matches("https://[fd00::]/8", "https://[fdff::1]/"));
    EXPECT_FALSE(matches("https://[fd00::]/8", "http://[fdff::1]/"));  // scheme still counts
    // A path after a name is ignored, as HTTPX does.
    EXPECT_TRUE(matches("all://example.com/8", "http://example.com/"));
    EXPECT_FALSE(matches("all://example.com/8", "http://example.org/"));
    EXPECT_THROW(URLPattern("all://10.0.0.0/33"), std::invalid_argument);
    EXPECT_THROW(URLPattern("all://[::]/129"), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// The client reads the process environment (setenv here, restored after each test).

namespace {

class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        ::setenv(name, value, 1);
    }
    ~ScopedEnv() {
        if (old_)
            ::setenv(name_.c_str(), old_->c_str(), 1);
        else
            ::unsetenv(name_.c_str());
    }

private:
    std::string name_;
    std::optional<std::string> old_;
};

struct CountingMock {
    std::shared_ptr<int> calls = std::make_shared<int>(0);
    std::shared_ptr<httpx::MockTransport> transport() const {
        return std::make_shared<httpx::MockTransport>([calls = calls](httpx::Request&) {
            ++*calls;
            return httpx::Response(200);
        });
    }
};

// Whether a GET of http://example.org/ reaches `mock` with these options; false also when the
// client refuses (before proxies are wired in, a proxied transport cannot be built; after, the
// proxy at port 9 refuses the connection).
bool reaches(const CountingMock& mock, httpx::ClientOptions options) {
    const int before = *mock.calls;
    try {
        httpx::AsyncClient client(std::move(options));
        httpx::test::run_async(client.get("http://example.org/"));
    } catch (const std::exception&) {
    }
    return *mock.calls > before;
}

}  // namespace

TEST(ClientEnvironment, ProxiesFromTheEnvironmentUnlessTrustEnvIsFalseOrATransportIsGiven) {
    const ScopedEnv upper("HTTP_PROXY", "http://127.0.0.1:9");
    const ScopedEnv lower("http_proxy", "http://127.0.0.1:9");
    const ScopedEnv no_proxy("no_proxy", "");  // unsets NO_PROXY too
    CountingMock mock;

    // The environment's "http://" mount is more specific than the user's "all://".
    httpx::ClientOptions trusting;
    trusting.mounts = {{"all://", mock.transport()}};
    EXPECT_FALSE(reaches(mock, std::move(trusting)));

    httpx::ClientOptions not_trusting;
    not_trusting.trust_env = false;
    not_trusting.mounts = {{"all://", mock.transport()}};
    EXPECT_TRUE(reaches(mock, std::move(not_trusting)));

    httpx::ClientOptions with_transport;
    with_transport.transport = mock.transport();
    EXPECT_TRUE(reaches(mock, std::move(with_transport)));
}
