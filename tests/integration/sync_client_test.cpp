// httpx::Client and the top-level functions against the project's test server: verbs,
// range-for streaming as the chunks arrive, a chunked sync upload, timeouts, pooling, HTTP/2,
// threads sharing one client, a client inside another io_context's handler.
#include <gtest/gtest.h>

#include "httpx/httpx.hpp"
#include "test_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
namespace asio = boost::asio;
using httpx::testing::TestServer;

namespace {

struct SyncClientTest : ::testing::Test {
    TestServer server;
    void SetUp() override { server.start(); }
    std::string url(std::string_view path) const { return server.url(path); }
};

TEST_F(SyncClientTest, VerbsAgainstARealServer) {
    httpx::Client client({.timeout = httpx::Timeout(10s)});
    httpx::Response r = client.get(url("/"));
    EXPECT_EQ(r.status_code(), 200);
    EXPECT_EQ(r.text(), "Hello, world!");
    EXPECT_EQ(r.http_version(), "HTTP/1.1");
    EXPECT_EQ(client.post(url("/echo"), {.content = "posted"}).text(), "posted");
    EXPECT_EQ(client.put(url("/echo"), {.json = nlohmann::json{{"k", "v"}}}).json()["k"], "v");
    EXPECT_EQ(client.head(url("/bytes/100")).headers().get("Content-Length"), "100");
    EXPECT_EQ(client.get(url("/gzip")).text(), "Hello, world!");
    EXPECT_EQ(client.get(url("/status/404")).status_code(), 404);
    httpx::Response redirected = client.get(url("/redirect/2"), {.follow_redirects = true});
    EXPECT_EQ(redirected.text(), "redirected");
    EXPECT_EQ(redirected.history().size(), 2u);
}

TEST_F(SyncClientTest, RangeForSeesTheFirstChunksBeforeTheBodyEnds) {
    httpx::Client client;
    const auto start = std::chrono::steady_clock::now();
    httpx::Response r = client.stream("GET", url("/drip?chunks=4&ms=150&size=10"));
    std::vector<std::chrono::steady_clock::duration> arrivals;
    std::string body;
    for (const httpx::Bytes& chunk : r.iter_bytes()) {
        arrivals.push_back(std::chrono::steady_clock::now() - start);
        body += chunk;
    }
    EXPECT_EQ(body, httpx::testing::pattern(0, 40));
    ASSERT_GE(arrivals.size(), 2u);
    EXPECT_GE(arrivals.back(), 450ms);
    EXPECT_LT(arrivals.front(), arrivals.back() - 250ms);  // the first chunk did not wait
    EXPECT_TRUE(r.is_closed());
}

TEST_F(SyncClientTest, AVectorAndACallableAreUploadedChunked) {
    httpx::Client client;
    std::vector<httpx::Bytes> parts(5, std::string(1000, 'p'));
    httpx::Response r = client.post(url("/upload"), {.content = parts});
    EXPECT_EQ(r.json()["bytes"], 5000);
    EXPECT_EQ(r.json()["chunked"], true);

    int calls = 0;
    httpx::AsyncByteStream generated([&calls]() -> std::optional<httpx::Bytes> {
        if (calls == 3) return std::nullopt;
        return std::string(100 * ++calls, 'g');
    });
    r = client.post(url("/upload"), {.content = generated});
    EXPECT_EQ(r.json()["bytes"], 600);
    EXPECT_EQ(r.json()["chunked"], true);
}

TEST_F(SyncClientTest, AReadTimeoutRaisesReadTimeout) {
    httpx::Client client({.timeout = httpx::Timeout(10s, {.read = 50ms})});
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(client.get(url("/slow?ms=1000")), httpx::ReadTimeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 900ms);
    EXPECT_EQ(client.get(url("/")).status_code(), 200);  // the client goes on
}

TEST_F(SyncClientTest, ConnectionsArePooledAcrossCalls) {
    httpx::Client client;
    const auto first = client.get(url("/stats")).json()["connection"];
    const auto second = client.get(url("/stats")).json()["connection"];
    EXPECT_EQ(first, second);
    EXPECT_EQ(server.connections_accepted(), 1u);
    // A streamed response read with range-for gives its connection back too.
    httpx::Response r = client.stream("GET", url("/stream/5000"));
    for (const auto& chunk : r.iter_bytes()) (void)chunk;
    EXPECT_EQ(client.get(url("/stats")).json()["connection"], first);
    EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(SyncClientHttp2, RequestsAndStreamsOverOneHttp2Connection) {
    TestServer::Options server_options;
    server_options.http2 = true;
    TestServer server(server_options);
    server.start();
    auto transport = std::make_shared<httpx::AsyncHTTPTransport>(
        httpx::HTTPTransportOptions{.http1 = false, .http2 = true});
    httpx::Client client({.transport = transport});
    httpx::Response r = client.get(server.url("/"));
    EXPECT_EQ(r.http_version(), "HTTP/2");
    EXPECT_EQ(r.text(), "Hello, world!");
    httpx::Response streamed = client.stream("GET", server.url("/stream/50000?chunk=5000"));
    std::size_t n = 0;
    for (const auto& chunk : streamed.iter_bytes()) n += chunk.size();
    EXPECT_EQ(n, 50000u);
    r = client.post(server.url("/upload"), {.content = std::vector<httpx::Bytes>{"ab", "cd"}});
    EXPECT_EQ(r.json()["bytes"], 4);
    EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST_F(SyncClientTest, ThreadsShareOneClientAndItsPool) {
    auto transport = std::make_shared<httpx::AsyncHTTPTransport>(
        httpx::HTTPTransportOptions{.limits = {.max_connections = 4}});
    httpx::Client client({.timeout = httpx::Timeout(30s), .transport = transport});
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10; ++i) {
                if ((t + i) % 2 == 0) {
                    ok += client.get(url("/")).text() == "Hello, world!";
                } else {
                    httpx::Response r = client.stream("GET", url("/stream/20000?chunk=999"));
                    std::string body;
                    for (const auto& chunk : r.iter_bytes()) body += chunk;
                    ok += body == httpx::testing::pattern(0, 20000);
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(ok, 60);
    const auto stats = transport->pool_stats();
    EXPECT_LE(stats.connections, 4u);
    EXPECT_EQ(stats.connections, stats.idle);
}

TEST_F(SyncClientTest, ThreadWaitingForAFastCallIsNotHeldByASlowOne) {
    httpx::Client client;
    std::chrono::steady_clock::duration slow_took{};
    std::thread slow([&] {
        const auto start = std::chrono::steady_clock::now();
        EXPECT_EQ(client.get(url("/slow?ms=1000")).status_code(), 200);
        slow_took = std::chrono::steady_clock::now() - start;
    });
    std::this_thread::sleep_for(100ms);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(client.get(url("/slow?ms=50")).status_code(), 200);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 600ms);
    slow.join();
    EXPECT_GE(slow_took, 1000ms);
}

TEST_F(SyncClientTest, WorksInsideAHandlerOfAnotherIoContext) {
    httpx::Client client;
    asio::io_context program;
    std::string text;
    asio::post(program, [&] { text = client.get(url("/")).text(); });
    program.run();
    EXPECT_EQ(text, "Hello, world!");
}

TEST_F(SyncClientTest, TopLevelFunctions) {
    EXPECT_EQ(httpx::get(url("/")).text(), "Hello, world!");
    EXPECT_EQ(httpx::post(url("/echo"), {.content = "top"}).text(), "top");
    EXPECT_EQ(httpx::put(url("/echo"), {.json = nlohmann::json::array({1, 2})}).json(),
              nlohmann::json::array({1, 2}));
    EXPECT_EQ(httpx::patch(url("/echo"), {.data = {{"a", "b"}}}).text(), "a=b");
    EXPECT_EQ(httpx::delete_(url("/status/204")).status_code(), 204);
    EXPECT_EQ(httpx::options(url("/")).status_code(), 200);
    EXPECT_EQ(httpx::head(url("/")).status_code(), 200);
    EXPECT_EQ(httpx::request("GET", url("/redirect/1"), {.follow_redirects = true}).text(),
              "redirected");
    EXPECT_EQ(httpx::get(url("/redirect/1")).status_code(), 302);  // HTTPX's default
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(httpx::get(url("/slow?ms=1000"), {.timeout = httpx::Timeout(10s, {.read = 50ms})}),
                 httpx::ReadTimeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 900ms);  // the temporary client too
}

TEST_F(SyncClientTest, TopLevelStreamIsReadAfterItsTemporaryClientIsGone) {
    httpx::Response r = httpx::stream("GET", url("/drip?chunks=3&ms=30&size=1000"));
    EXPECT_FALSE(r.is_closed());
    std::string body;
    int chunks = 0;
    for (const auto& chunk : r.iter_bytes()) {
        body += chunk;
        ++chunks;
    }
    EXPECT_EQ(body, httpx::testing::pattern(0, 3000));
    EXPECT_GT(chunks, 1);
    httpx::Response lines = httpx::stream("GET", url("/"));
    std::vector<std::string> seen;
    for (const auto& line : lines.iter_lines()) seen.push_back(line);
    EXPECT_EQ(seen, std::vector<std::string>{"Hello, world!"});
}

}  // namespace
