// Interop: AsyncClient with its default AsyncHTTPTransport against real servers on loopback,
// nginx (static files, gzip, keep-alive, TLS with a test CA) and httpbin (Debian's
// python3-httpbin under gunicorn). tests/interop/run.sh starts the servers and passes their
// URLs in HTTPXX_INTEROP_* environment variables; without them every test is skipped.
#include <gtest/gtest.h>

#include "client_fixture.hpp"
#include "httpx/http_transport.hpp"
#include "httpx/httpx.hpp"
#include "interop_support.hpp"
#include "run_async.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <unistd.h>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

using httpx::interop::env;
using httpx::interop::read_file;

struct InteropFixture : ::testing::Test, httpx::test::ClientFixture {};

// ---------------------------------------------------------------------------------------------
// nginx

struct Nginx : InteropFixture, httpx::interop::NginxAccessLog {
    std::string base, tls_base, tls_ip_base, wrong_host_base, static_dir, ca;

    void SetUp() override {
        base = env("HTTPXX_INTEROP_NGINX_URL");
        tls_base = env("HTTPXX_INTEROP_NGINX_TLS_URL");
        tls_ip_base = env("HTTPXX_INTEROP_NGINX_TLS_IP_URL");
        wrong_host_base = env("HTTPXX_INTEROP_NGINX_WRONG_HOST_URL");
        static_dir = env("HTTPXX_INTEROP_NGINX_STATIC_DIR");
        access_log = env("HTTPXX_INTEROP_NGINX_ACCESS_LOG");
        ca = env("HTTPXX_INTEROP_CA");
        if (base.empty() || tls_base.empty() || static_dir.empty() || ca.empty())
            GTEST_SKIP() << "run through tests/interop/run.sh (HTTPXX_INTEROP_* unset)";
        make_client();
    }
    std::string url(std::string_view path) const { return base + std::string(path); }
    std::string file(std::string_view name) const {
        return read_file(static_dir + "/" + std::string(name));
    }
};

TEST_F(Nginx, GetsAStaticFile) {
    httpx::Response r = run(client->get(url("/hello.txt")));
    EXPECT_EQ(r.status_code(), 200);
    EXPECT_EQ(r.http_version(), "HTTP/1.1");
    EXPECT_EQ(r.text(), file("hello.txt"));
    EXPECT_EQ(r.headers()["Content-Length"], std::to_string(file("hello.txt").size()));
    EXPECT_EQ(r.headers()["Content-Type"], "text/plain");
    EXPECT_NE(r.headers()["Server"].find("nginx"), std::string::npos);
}

TEST_F(Nginx, HeadHasNoBodyButAContentLengthAndKeepsTheConnection) {
    const std::string marker = unique_marker("head");
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response head = co_await client->head(url("/big.bin?" + marker));
        EXPECT_EQ(head.status_code(), 200);
        EXPECT_EQ(head.headers()["Content-Length"], std::to_string(5 * 1024 * 1024));
        EXPECT_TRUE(head.content().empty());
        // The next request goes over the same connection: the HEAD response had no body to read.
        httpx::Response get = co_await client->get(url("/hello.txt?" + marker));
        EXPECT_EQ(get.text(), file("hello.txt"));
    };
    run(task());
    auto lines = log_lines(marker, 2);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(connection_ids(lines).size(), 1u) << lines[0] << "\n" << lines[1];
}

TEST_F(Nginx, Streams5MiBWithAiterBytes) {
    const std::string expected = file("big.bin");
    ASSERT_EQ(expected.size(), 5u * 1024 * 1024);
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response r = co_await client->stream("GET", url("/big.bin"));
        EXPECT_EQ(r.status_code(), 200);
        EXPECT_EQ(r.headers()["Content-Length"], std::to_string(expected.size()));
        auto chunks = r.aiter_bytes();
        std::size_t total = 0, count = 0;
        bool same = true;
        while (auto chunk = co_await chunks.next()) {
            same &= expected.compare(total, chunk->size(), *chunk) == 0;
            total += chunk->size();
            ++count;
        }
        EXPECT_EQ(total, expected.size());
        EXPECT_TRUE(same);
        EXPECT_GT(count, 1u);  // streamed in pieces, not in one buffer
    };
    run(task());
    // The body was read to its end: the connection went back to the pool.
    EXPECT_EQ(transport->pool_stats().idle, 1u);
}

TEST_F(Nginx, DecodesGzippedText) {
    httpx::Response r = run(client->get(url("/lines.txt")));
    EXPECT_EQ(r.status_code(), 200);
    EXPECT_NE(r.request().headers()["Accept-Encoding"].find("gzip"), std::string::npos);
    EXPECT_EQ(r.headers()["Content-Encoding"], "gzip");
    EXPECT_FALSE(r.headers().contains("Content-Length"));  // chunked
    EXPECT_EQ(r.text(), file("lines.txt"));
}

TEST_F(Nginx, ReusesOneKeepAliveConnection) {
    const std::string marker = unique_marker("keepalive");
    constexpr int count = 100;
    auto task = [&]() -> httpx::awaitable<int> {
        int ok = 0;
        for (int i = 0; i < count; ++i) {
            httpx::Response r =
                co_await client->get(url("/hello.txt?" + marker + "-" + std::to_string(i)));
            ok += r.status_code() == 200 && r.text() == file("hello.txt");
        }
        co_return ok;
    };
    EXPECT_EQ(run(task()), count);
    EXPECT_EQ(transport->pool_stats().connections, 1u);
    auto lines = log_lines(marker, count);
    EXPECT_EQ(lines.size(), std::size_t(count));
    EXPECT_EQ(connection_ids(lines).size(), 1u);
}

TEST_F(Nginx, GetsOverTlsVerifiedWithTheTestCa) {
    httpx::HTTPTransportOptions options;
    options.verify = std::string(ca);
    make_client(options);
    auto task = [&]() -> httpx::awaitable<void> {
        for (int i = 0; i < 3; ++i) {
            httpx::Response r = co_await client->get(tls_base + "/hello.txt");
            EXPECT_EQ(r.status_code(), 200);
            EXPECT_EQ(r.text(), file("hello.txt"));
        }
        httpx::Response big = co_await client->get(tls_base + "/big.bin");
        EXPECT_TRUE(big.content() == file("big.bin"));
        httpx::Response gz = co_await client->get(tls_base + "/lines.txt");
        EXPECT_EQ(gz.headers()["Content-Encoding"], "gzip");
        EXPECT_EQ(gz.text(), file("lines.txt"));
    };
    run(task());
    EXPECT_EQ(transport->pool_stats().connections, 1u);  // one TLS connection, reused
}

TEST_F(Nginx, VerifiesAnIpAddressAgainstTheCertificate) {
    if (tls_ip_base.empty()) GTEST_SKIP() << "HTTPXX_INTEROP_NGINX_TLS_IP_URL unset";
    httpx::HTTPTransportOptions options;
    options.verify = std::string(ca);
    make_client(options);
    httpx::Response r = run(client->get(tls_ip_base + "/hello.txt"));
    EXPECT_EQ(r.text(), file("hello.txt"));
}

TEST_F(Nginx, TlsThroughTheClientsVerifyOption) {
    client.reset();
    httpx::ClientOptions options;
    options.verify = std::string(ca);
    client = std::make_unique<httpx::AsyncClient>(std::move(options));
    EXPECT_EQ(run(client->get(tls_base + "/hello.txt")).text(), file("hello.txt"));
}

TEST_F(Nginx, TlsWithoutVerificationAcceptsTheTestCertificate) {
    httpx::HTTPTransportOptions options;
    options.verify = false;
    make_client(options);
    EXPECT_EQ(run(client->get(tls_base + "/hello.txt")).text(), file("hello.txt"));
}

TEST_F(Nginx, TlsWithTheSystemTrustStoreFailsWithConnectError) {
    client.reset();
    client = std::make_unique<httpx::AsyncClient>();  // default: verify = true
    try {
        run(client->get(tls_base + "/hello.txt"));
        ADD_FAILURE() << "no exception";
    } catch (const httpx::ConnectError& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("certificate verify failed"), std::string::npos) << message;
    }
}

TEST_F(Nginx, TlsWithACertificateForAnotherHostFailsWithConnectError) {
    if (wrong_host_base.empty()) GTEST_SKIP() << "HTTPXX_INTEROP_NGINX_WRONG_HOST_URL unset";
    httpx::HTTPTransportOptions options;
    options.verify = std::string(ca);
    make_client(options);
    try {
        run(client->get(wrong_host_base + "/hello.txt"));
        ADD_FAILURE() << "no exception";
    } catch (const httpx::ConnectError& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("hostname mismatch"), std::string::npos) << message;
    }
    // Without verification the same server is fine.
    httpx::HTTPTransportOptions unverified;
    unverified.verify = false;
    make_client(unverified);
    EXPECT_EQ(run(client->get(wrong_host_base + "/hello.txt")).text(), file("hello.txt"));
}

TEST_F(Nginx, PlainHttpToTheTlsPortIsAnError) {
    // nginx answers "400 The plain HTTP request was sent to HTTPS port".
    std::string plain = tls_base;
    plain.replace(0, 5, "http");
    httpx::Response r = run(client->get(plain + "/hello.txt"));
    EXPECT_EQ(r.status_code(), 400);
}

TEST_F(Nginx, NotFoundRaisesHttpStatusError) {
    httpx::Response r = run(client->get(url("/missing.txt")));
    EXPECT_EQ(r.status_code(), 404);
    EXPECT_THROW(r.raise_for_status(), httpx::HTTPStatusError);
    try {
        r.raise_for_status();
    } catch (const httpx::HTTPStatusError& e) {
        EXPECT_EQ(e.response().status_code(), 404);
        EXPECT_EQ(e.request().url().path(), "/missing.txt");
    }
    // The 404 body was read; the connection serves the next request.
    EXPECT_EQ(run(client->get(url("/hello.txt"))).status_code(), 200);
    EXPECT_EQ(transport->pool_stats().connections, 1u);
}

// ---------------------------------------------------------------------------------------------
// httpbin

struct Httpbin : InteropFixture {
    std::string base;

    void SetUp() override {
        base = env("HTTPXX_INTEROP_HTTPBIN_URL");
        if (base.empty())
            GTEST_SKIP() << "run through tests/interop/run.sh (HTTPXX_INTEROP_HTTPBIN_URL unset)";
        make_client();
    }
    std::string url(std::string_view path) const { return base + std::string(path); }
};

TEST_F(Httpbin, GetEchoesQueryParams) {
    httpx::RequestOptions opts;
    opts.params = httpx::QueryParams{{"a", "1"}, {"b", "two words"}, {"c", "é&="}};
    httpx::Response r = run(client->get(url("/get"), opts));
    ASSERT_EQ(r.status_code(), 200);
    auto json = r.json();
    EXPECT_EQ(json["args"]["a"], "1");
    EXPECT_EQ(json["args"]["b"], "two words");
    EXPECT_EQ(json["args"]["c"], "é&=");
}

TEST_F(Httpbin, PostsJson) {
    const nlohmann::json body = {{"name", "httpxx"}, {"n", 3}, {"list", {1, 2, 3}}};
    httpx::RequestOptions opts;
    opts.json = body;
    httpx::Response r = run(client->post(url("/post"), opts));
    ASSERT_EQ(r.status_code(), 200);
    auto json = r.json();
    EXPECT_EQ(json["json"], body);
    EXPECT_EQ(json["headers"]["Content-Type"], "application/json");
}

TEST_F(Httpbin, PostsFormData) {
    httpx::RequestOptions opts;
    opts.data = {{"field", "value"}, {"spaced", "a b&c=d"}};
    httpx::Response r = run(client->post(url("/post"), opts));
    ASSERT_EQ(r.status_code(), 200);
    auto json = r.json();
    EXPECT_EQ(json["form"]["field"], "value");
    EXPECT_EQ(json["form"]["spaced"], "a b&c=d");
    EXPECT_EQ(json["headers"]["Content-Type"], "application/x-www-form-urlencoded");
}

TEST_F(Httpbin, PostsAMultipartFile) {
    httpx::RequestOptions opts;
    opts.data = {{"field", "value"}};
    httpx::File upload;
    upload.filename = "report.txt";
    upload.content = httpx::Bytes("file contents\nsecond line\n");
    upload.content_type = "text/plain";
    opts.files = {{"upload", upload}};
    httpx::Response r = run(client->post(url("/post"), opts));
    ASSERT_EQ(r.status_code(), 200);
    auto json = r.json();
    EXPECT_EQ(json["files"]["upload"], "file contents\nsecond line\n");
    EXPECT_EQ(json["form"]["field"], "value");
    EXPECT_EQ(json["headers"]["Content-Type"].get<std::string>().rfind(
                  "multipart/form-data; boundary=", 0),
              0u);
}

httpx::AsyncGenerator<httpx::Bytes> upload_chunks(int count) {
    for (int i = 0; i < count; ++i) co_yield httpx::Bytes(100, char('a' + i % 26));
}

TEST_F(Httpbin, PostsAChunkedStreamedBody) {
    httpx::RequestOptions opts;
    opts.content = httpx::AsyncByteStream(upload_chunks(30));
    opts.headers.set("Content-Type", "text/plain");
    httpx::Response r = run(client->post(url("/post"), opts));
    ASSERT_EQ(r.status_code(), 200);
    std::string expected;
    for (int i = 0; i < 30; ++i) expected += std::string(100, char('a' + i % 26));
    auto json = r.json();
    EXPECT_EQ(json["headers"]["Transfer-Encoding"], "chunked");
    EXPECT_EQ(json["data"], expected);
}

TEST_F(Httpbin, OtherMethodsReachAnything) {
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::RequestOptions opts;
        opts.content = httpx::Bytes("payload");
        httpx::Response put = co_await client->put(url("/anything/x"), opts);
        EXPECT_EQ(put.json()["method"], "PUT");
        EXPECT_EQ(put.json()["data"], "payload");
        httpx::Response patch = co_await client->patch(url("/anything/x"), opts);
        EXPECT_EQ(patch.json()["method"], "PATCH");
        httpx::Response del = co_await client->delete_(url("/anything/x"));
        EXPECT_EQ(del.json()["method"], "DELETE");
        httpx::Response options = co_await client->options(url("/get"));
        EXPECT_EQ(options.status_code(), 200);
        EXPECT_NE(options.headers()["Allow"].find("GET"), std::string::npos);
    };
    run(task());
}

TEST_F(Httpbin, SendsTheDefaultHeaders) {
    httpx::Response r = run(client->get(url("/headers")));
    ASSERT_EQ(r.status_code(), 200);
    auto headers = r.json()["headers"];
    EXPECT_EQ(headers["User-Agent"], std::string("httpxx/") + httpx::version);
    EXPECT_EQ(headers["Accept"], "*/*");
    EXPECT_EQ(headers["Host"], base.substr(base.find("//") + 2));
    EXPECT_NE(headers["Accept-Encoding"].get<std::string>().find("gzip"), std::string::npos);
}

TEST_F(Httpbin, DecodesGzipDeflateAndBrotli) {
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response gz = co_await client->get(url("/gzip"));
        EXPECT_EQ(gz.headers()["Content-Encoding"], "gzip");
        EXPECT_EQ(gz.json()["gzipped"], true);
        httpx::Response deflate = co_await client->get(url("/deflate"));
        EXPECT_EQ(deflate.headers()["Content-Encoding"], "deflate");
        EXPECT_EQ(deflate.json()["deflated"], true);
        httpx::Response br = co_await client->get(url("/brotli"));
        EXPECT_EQ(br.headers()["Content-Encoding"], "br");
        EXPECT_EQ(br.json()["brotli"], true);
    };
    run(task());
}

TEST_F(Httpbin, FollowsRedirects) {
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::RequestOptions follow;
        follow.follow_redirects = true;
        httpx::Response r = co_await client->get(url("/redirect/3"), follow);
        EXPECT_EQ(r.status_code(), 200);
        EXPECT_EQ(r.history().size(), 3u);
        EXPECT_EQ(r.url().path(), "/get");
        httpx::Response absolute = co_await client->get(url("/absolute-redirect/2"), follow);
        EXPECT_EQ(absolute.status_code(), 200);
        EXPECT_EQ(absolute.history().size(), 2u);
        // 303 turns a POST into a GET.
        httpx::RequestOptions post;
        post.follow_redirects = true;
        post.content = httpx::Bytes("body");
        httpx::Response see_other =
            co_await client->post(url("/redirect-to?url=/get&status_code=303"), post);
        EXPECT_EQ(see_other.status_code(), 200);
        EXPECT_EQ(see_other.request().method(), "GET");
        // Not following: the 302 itself, with its next request.
        httpx::Response first = co_await client->get(url("/redirect/1"));
        EXPECT_EQ(first.status_code(), 302);
        EXPECT_TRUE(first.next_request().has_value());
    };
    run(task());
}

TEST_F(Httpbin, BasicAuth) {
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::RequestOptions good;
        good.auth = httpx::BasicAuth("user", "pass");
        httpx::Response r = co_await client->get(url("/basic-auth/user/pass"), good);
        EXPECT_EQ(r.status_code(), 200);
        EXPECT_EQ(r.json()["authenticated"], true);
        EXPECT_EQ(r.json()["user"], "user");
        httpx::RequestOptions bad;
        bad.auth = httpx::BasicAuth("user", "wrong");
        httpx::Response denied = co_await client->get(url("/basic-auth/user/pass"), bad);
        EXPECT_EQ(denied.status_code(), 401);
    };
    run(task());
}

TEST_F(Httpbin, DigestAuth) {
    auto task = [&](std::string path) -> httpx::awaitable<void> {
        httpx::RequestOptions opts;
        opts.auth = httpx::DigestAuth("user", "pass");
        httpx::Response r = co_await client->get(url(path), opts);
        EXPECT_EQ(r.status_code(), 200) << path << ": " << r.text();
        EXPECT_EQ(r.history().size(), 1u) << path;  // the 401 challenge
        if (r.status_code() == 200) {
            EXPECT_EQ(r.json()["authenticated"], true) << path;
        }
    };
    run(task("/digest-auth/auth/user/pass"));
    make_client();  // httpbin keeps digest state in cookies: a fresh client per variant
    run(task("/digest-auth/auth/user/pass/SHA-256"));
    // Not covered: "?require-cookie=1" (the challenge's cookies sent back); Debian's httpbin
    // 0.7.0 answers 500 to any digest request with a query string (helpers.py concatenates str
    // and bytes).
}

TEST_F(Httpbin, KeepsCookiesAcrossRequests) {
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response set = co_await client->get(url("/cookies/set?name=value"));
        EXPECT_EQ(set.status_code(), 302);
        EXPECT_EQ(client->cookies().get("name"), "value");
        httpx::Response r = co_await client->get(url("/cookies"));
        EXPECT_EQ(r.json()["cookies"]["name"], "value");
        // Deleting through the server's redirect, followed.
        httpx::RequestOptions follow;
        follow.follow_redirects = true;
        httpx::Response deleted = co_await client->get(url("/cookies/delete?name"), follow);
        EXPECT_EQ(deleted.status_code(), 200);
        EXPECT_FALSE(deleted.json()["cookies"].contains("name")) << deleted.text();
    };
    run(task());
}

// The output of a shell command (run.sh checks that curl is installed), or "" when it fails.
std::string command_output(const std::string& command) {
    std::string out;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        char buffer[4096];
        while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
        if (::pclose(pipe) != 0) out.clear();
    }
    return out;
}

// cookies.txt both ways with curl: a jar curl wrote from httpbin's Set-Cookie is loaded and
// sent by httpxx; a jar httpxx saved is sent by curl (`-b`). httpbin's /cookies echoes what
// it received.
TEST_F(Httpbin, CookieFilesRoundTripWithCurl) {
    const std::string dir = std::filesystem::temp_directory_path() /
                            ("httpxx-interop-cookies-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string from_curl = dir + "/from-curl.txt", from_httpxx = dir + "/from-httpxx.txt";

    // curl -> httpxx
    ASSERT_EQ(std::system(("curl -s --max-time 10 -o /dev/null -c '" + from_curl + "' '" +
                           url("/cookies/set?flavour=oatmeal&shape=round") + "'")
                              .c_str()),
              0);
    const std::string curl_jar = read_file(from_curl);
    EXPECT_NE(curl_jar.find("\tflavour\toatmeal"), std::string::npos) << curl_jar;
    httpx::Cookies loaded;
    loaded.load(from_curl);
    EXPECT_EQ(loaded.size(), 2u);
    make_client();
    client->set_cookies(loaded);
    httpx::Response echoed = run(client->get(url("/cookies")));
    EXPECT_EQ(echoed.json()["cookies"],
              (nlohmann::json{{"flavour", "oatmeal"}, {"shape", "round"}}))
        << echoed.text();

    // httpxx -> curl: what httpbin set through httpxx, plus a cookie set through the API.
    make_client();
    run(client->get(url("/cookies/set?session=abc123")));
    const std::string host = httpx::URL(base).raw_host();
    client->cookies().set("theme", "dark", host);
    httpx::Cookie secure;
    secure.name = "token";
    secure.value = "only-over-https";
    secure.domain = host;
    secure.secure = true;
    client->cookies().set(secure);
    client->cookies().save(from_httpxx);
    const std::string sent =
        command_output("curl -s --max-time 10 -b '" + from_httpxx + "' '" + url("/cookies") + "'");
    ASSERT_FALSE(sent.empty()) << "curl failed";
    const auto echoed_by_curl = nlohmann::json::parse(sent)["cookies"];
    EXPECT_EQ(echoed_by_curl["session"], "abc123") << sent << read_file(from_httpxx);
    EXPECT_EQ(echoed_by_curl["theme"], "dark") << sent;
    // The Secure flag is in the file (curl sends the cookie anyway: it counts 127.0.0.1 as a
    // secure context, httpxx does not).
    EXPECT_NE(read_file(from_httpxx).find("\t/\tTRUE\t0\ttoken\tonly-over-https\n"),
              std::string::npos)
        << read_file(from_httpxx);
    std::filesystem::remove_all(dir);
}

TEST_F(Httpbin, StatusTeapot) {
    httpx::Response r = run(client->get(url("/status/418")));
    EXPECT_EQ(r.status_code(), 418);
    EXPECT_EQ(r.reason_phrase(), "I'M A TEAPOT");  // gunicorn sends httpbin's own phrase
    EXPECT_THROW(r.raise_for_status(), httpx::HTTPStatusError);
}

TEST_F(Httpbin, StreamsJsonLines) {
    auto task = [&]() -> httpx::awaitable<int> {
        httpx::Response r = co_await client->stream("GET", url("/stream/20"));
        EXPECT_EQ(r.headers()["Transfer-Encoding"], "chunked");
        auto lines = r.aiter_lines();
        int count = 0;
        while (auto line = co_await lines.next()) {
            if (line->empty()) continue;
            auto json = nlohmann::json::parse(*line);
            EXPECT_EQ(json["id"], count);
            ++count;
        }
        co_return count;
    };
    EXPECT_EQ(run(task()), 20);
}

TEST_F(Httpbin, ReadTimeoutOnASlowResponse) {
    httpx::Timeout timeout(10s);
    timeout.read = 1s;
    httpx::RequestOptions opts;
    opts.timeout = timeout;
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(run(client->get(url("/delay/3"), opts)), httpx::ReadTimeout);
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(elapsed, 900ms);
    EXPECT_LT(elapsed, 2500ms);
    // The timed-out connection is not reused; the client keeps working.
    EXPECT_EQ(run(client->get(url("/get"))).status_code(), 200);
    auto stats = transport->pool_stats();
    EXPECT_EQ(stats.waiting, 0u);
    EXPECT_EQ(stats.connections, stats.idle);
}

TEST_F(Httpbin, GetsBytes) {
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response r = co_await client->get(url("/bytes/1000"));
        EXPECT_EQ(r.status_code(), 200);
        EXPECT_EQ(r.content().size(), 1000u);
        EXPECT_EQ(r.headers()["Content-Type"], "application/octet-stream");
        httpx::Response streamed = co_await client->get(url("/stream-bytes/50000?chunk_size=999"));
        EXPECT_EQ(streamed.content().size(), 50000u);
        // Seeded: the same bytes twice.
        httpx::Response a = co_await client->get(url("/bytes/512?seed=7"));
        httpx::Response b = co_await client->get(url("/bytes/512?seed=7"));
        EXPECT_EQ(a.content(), b.content());
    };
    run(task());
}

TEST_F(Httpbin, ReusesConnectionsWithGunicorn) {
    auto task = [&]() -> httpx::awaitable<int> {
        int ok = 0;
        for (int i = 0; i < 20; ++i) ok += (co_await client->get(url("/get"))).status_code() == 200;
        co_return ok;
    };
    EXPECT_EQ(run(task()), 20);
    EXPECT_EQ(transport->pool_stats().connections, 1u);
}

}  // namespace
