// AsyncClient + AsyncHTTPTransport over HTTP/2 against the project's own test server on loopback:
// negotiation, multiplexing, flow control, resets, GOAWAY, cancellation, timeouts, pool limits.
#include "httpx/http_transport.hpp"

#include <gtest/gtest.h>

#include "client_fixture.hpp"
#include "httpx/async_generator.hpp"
#include "httpx/httpx.hpp"
#include "resident_memory.hpp"
#include "run_async.hpp"
#include "streamed_body.hpp"
#include "test_certificates.hpp"
#include "test_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>

#include <openssl/evp.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <thread>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using httpx::testing::TestServer;

namespace {

using httpx::test::await_future;
using httpx::test::resident_bytes;
using httpx::test::run_on;

// The SHA-256 of `size` test-server pattern bytes, in hex (as /upload?hash=sha256 reports).
std::string pattern_sha256(std::uint64_t size) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    for (std::uint64_t offset = 0; offset < size; offset += 1 << 20) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(1 << 20, size - offset));
        const std::string piece = httpx::testing::pattern(offset, n);
        EVP_DigestUpdate(ctx, piece.data(), piece.size());
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx, digest, &length);
    EVP_MD_CTX_free(ctx);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xF];
    }
    return out;
}

httpx::AsyncGenerator<httpx::Bytes> pattern_chunks(std::uint64_t size, std::size_t chunk) {
    for (std::uint64_t offset = 0; offset < size; offset += chunk)
        co_yield httpx::testing::pattern(
            offset, static_cast<std::size_t>(std::min<std::uint64_t>(chunk, size - offset)));
}

struct Http2Fixture : ::testing::Test, httpx::test::ClientFixture {
    std::unique_ptr<TestServer> server;

    // An h2c (prior knowledge) server and client unless told otherwise.
    void serve(TestServer::Options options = http2_server()) {
        client.reset();
        server = std::make_unique<TestServer>(std::move(options));
        server->start();
    }
    static TestServer::Options http2_server() {
        TestServer::Options options;
        options.http2 = true;
        return options;
    }
    static httpx::HTTPTransportOptions prior_knowledge() {
        httpx::HTTPTransportOptions options;
        options.http1 = false;
        options.http2 = true;
        return options;
    }
    void make_client(httpx::HTTPTransportOptions options = prior_knowledge(),
                     httpx::Timeout timeout = httpx::Timeout(10s)) {
        ClientFixture::make_client(std::move(options), timeout);
    }
    void SetUp() override {
        serve();
        make_client();
    }
    std::string url(std::string_view path) const { return server->url(path); }

    // `n` concurrent GETs of `path`: the responses (or the first exception).
    httpx::awaitable<std::vector<httpx::Response>> concurrently(std::string path, int n,
                                                                bool absolute = false) {
        auto executor = co_await asio::this_coro::executor;
        std::vector<std::future<httpx::Response>> futures;
        for (int i = 0; i < n; ++i) {
            httpx::URL u = absolute ? httpx::URL(path) : httpx::URL(url(path));
            futures.push_back(asio::co_spawn(executor, client->get(u), asio::use_future));
        }
        std::vector<httpx::Response> responses;
        for (auto& f : futures) responses.push_back(co_await await_future(f));
        co_return responses;
    }
};

using Http2Transport = Http2Fixture;

// The server's view of its connection `index` once it has seen it close (waits up to 2 s).
TestServer::ConnectionStats once_closed(const TestServer& server, std::size_t index) {
    for (int i = 0; i < 200; ++i) {
        auto stats = server.connection_stats();
        if (stats.size() > index && !stats[index].open) return stats[index];
        std::this_thread::sleep_for(10ms);
    }
    return server.connection_stats().at(index);
}

// ---------------------------------------------------------------------------------------------
// Negotiation

struct Http2Tls : Http2Fixture {
    static inline std::filesystem::path dir;
    static inline httpx::testing::TestCertificates certs;
    static void SetUpTestSuite() {
        dir = std::filesystem::temp_directory_path() /
              ("httpxx-h2-tls-" + std::to_string(::getpid()));
        certs = httpx::testing::make_test_certificates(dir);
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir); }
    void SetUp() override {}
    void serve_tls(bool http2, bool http1 = true) {
        TestServer::Options options;
        options.tls = certs.server();
        options.http2 = http2;
        options.http1 = http1;
        serve(options);
    }
    void client_over_tls(bool http2, bool http1 = true) {
        httpx::HTTPTransportOptions options;
        options.verify = certs.ca_cert;
        options.http2 = http2;
        options.http1 = http1;
        make_client(options);
    }
    std::string version_of_get() {
        httpx::Response r =
            run(client->get("https://localhost:" + std::to_string(server->port()) + "/"));
        EXPECT_EQ(r.text(), "Hello, world!");
        return r.http_version();
    }
};

TEST_F(Http2Tls, AlpnChoosesH2WhenBothSidesOfferIt) {
    serve_tls(true);
    client_over_tls(true);
    EXPECT_EQ(version_of_get(), "HTTP/2");
    ASSERT_EQ(server->connection_stats().size(), 1u);
    EXPECT_EQ(server->connection_stats()[0].protocol, "HTTP/2");
}

TEST_F(Http2Tls, AcloseSaysGoawayBeforeClosingTheConnection) {
    serve_tls(true);
    client_over_tls(true);
    EXPECT_EQ(version_of_get(), "HTTP/2");
    run(client->aclose());
    const auto stats = once_closed(*server, 0);
    EXPECT_FALSE(stats.open);
    EXPECT_EQ(stats.goaways_received, 1u);
    EXPECT_EQ(stats.goaway_error, 0u);  // NO_ERROR
}

TEST_F(Http2Tls, AlpnFallsBackToHttp11WhenEitherSideLacksH2) {
    serve_tls(true);
    client_over_tls(false);
    EXPECT_EQ(version_of_get(), "HTTP/1.1");
    serve_tls(false);
    client_over_tls(true);
    EXPECT_EQ(version_of_get(), "HTTP/1.1");
}

TEST_F(Http2Tls, Http2OnlyOffersOnlyH2) {
    serve_tls(true, false);
    client_over_tls(true, false);
    EXPECT_EQ(version_of_get(), "HTTP/2");
    // An HTTP/1.1-only client cannot agree with an h2-only server.
    client_over_tls(false);
    EXPECT_THROW(version_of_get(), httpx::ConnectError);
}

TEST_F(Http2Tls, RequestsWaitingForAnHttp11AnswerToAlpnProceedInParallel) {
    // While the first connection is set up, the others wait for it (it might be HTTP/2);
    // ALPN says http/1.1, so they open their own connections within the limits.
    serve_tls(false);
    httpx::HTTPTransportOptions options;
    options.verify = certs.ca_cert;
    options.http2 = true;
    options.limits.max_connections = 4;
    make_client(options);
    auto responses = run(concurrently(
        "https://localhost:" + std::to_string(server->port()) + "/slow?ms=100", 20, true));
    for (auto& r : responses) EXPECT_EQ(r.http_version(), "HTTP/1.1");
    EXPECT_GE(server->connections_accepted(), 2u);
    EXPECT_LE(server->connections_accepted(), 4u);
    EXPECT_EQ(transport->pool_stats().waiting, 0u);
}

TEST_F(Http2Transport, PlainTcpSpeaksH2OnlyWithPriorKnowledge) {
    EXPECT_EQ(run(client->get(url("/"))).http_version(), "HTTP/2");
    httpx::HTTPTransportOptions both;
    both.http2 = true;  // http1 still on: HTTP/1.1, no h2c upgrade (as httpcore)
    make_client(both);
    EXPECT_EQ(run(client->get(url("/"))).http_version(), "HTTP/1.1");
    auto stats = server->connection_stats();
    ASSERT_EQ(stats.size(), 2u);
    EXPECT_EQ(stats[0].protocol, "HTTP/2");
    EXPECT_EQ(stats[1].protocol, "HTTP/1.1");
}

TEST_F(Http2Transport, NeitherProtocolIsAnInvalidArgument) {
    httpx::HTTPTransportOptions none;
    none.http1 = false;
    EXPECT_THROW(httpx::AsyncHTTPTransport{none}, std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Multiplexing and the pool

TEST_F(Http2Transport, AHundredConcurrentRequestsShareOneConnection) {
    auto responses = run(concurrently("/slow?ms=200", 100));
    int ok = 0;
    for (auto& r : responses) ok += r.status_code() == 200 && r.http_version() == "HTTP/2";
    EXPECT_EQ(ok, 100);
    EXPECT_EQ(server->connections_accepted(), 1u);
    EXPECT_EQ(server->requests_served(), 100u);
    EXPECT_GT(server->peak_concurrent_streams(), 50u);  // really in flight together
    auto stats = transport->pool_stats();
    EXPECT_EQ(stats.connections, 1u);
    EXPECT_EQ(stats.idle, 1u);
    EXPECT_EQ(stats.waiting, 0u);
}

TEST_F(Http2Transport, CoroutinesOnTwoThreadsShareOneConnection) {
    io.restart();
    std::vector<std::future<httpx::Response>> futures;
    for (int i = 0; i < 100; ++i)  // what one connection carries at once
        futures.push_back(asio::co_spawn(io, client->get(url("/bytes/20000")), asio::use_future));
    std::thread other([&] { io.run(); });
    io.run();
    other.join();
    for (auto& f : futures) EXPECT_EQ(f.get().content(), httpx::testing::pattern(0, 20'000));
    EXPECT_EQ(server->connections_accepted(), 1u);
    EXPECT_EQ(transport->pool_stats().idle, 1u);
}

TEST_F(Http2Transport, MaxConcurrentStreamsOverflowOpensMoreConnections) {
    auto options = http2_server();
    options.http2_max_concurrent_streams = 10;
    serve(options);
    make_client();
    auto responses = run(concurrently("/slow?ms=300", 25));
    for (auto& r : responses) EXPECT_EQ(r.status_code(), 200);
    auto stats = server->connection_stats();
    EXPECT_EQ(stats.size(), 3u);
    for (const auto& c : stats) EXPECT_LE(c.peak_streams, 10u);
    EXPECT_EQ(server->peak_concurrent_streams(), 10u);
}

TEST_F(Http2Transport, StreamsWaitForASlotWithinMaxConnections) {
    auto options = http2_server();
    options.http2_max_concurrent_streams = 4;
    serve(options);
    auto client_options = prior_knowledge();
    client_options.limits.max_connections = 2;
    make_client(client_options);
    auto responses = run(concurrently("/slow?ms=50", 30));
    for (auto& r : responses) EXPECT_EQ(r.status_code(), 200);
    EXPECT_EQ(server->connections_accepted(), 2u);
    EXPECT_LE(server->peak_concurrent_streams(), 4u);
    EXPECT_EQ(transport->pool_stats().waiting, 0u);
}

TEST_F(Http2Transport, PoolTimeoutWhenEveryStreamIsTaken) {
    auto options = http2_server();
    options.http2_max_concurrent_streams = 1;
    serve(options);
    auto client_options = prior_knowledge();
    client_options.limits.max_connections = 1;
    make_client(client_options, httpx::Timeout(10s, {.pool = 100ms}));
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response held = co_await client->stream("GET", url("/bytes/1000"));
        EXPECT_THROW(co_await client->get(url("/")), httpx::PoolTimeout);
        co_await held.aclose();
        httpx::Response after = co_await client->get(url("/"));
        EXPECT_EQ(after.status_code(), 200);
    };
    run(task());
    EXPECT_EQ(server->connections_accepted(), 1u);
}

TEST_F(Http2Transport, IdleConnectionsExpireLikeHttp11Ones) {
    auto client_options = prior_knowledge();
    client_options.limits.keepalive_expiry = 100ms;
    make_client(client_options);
    auto task = [&]() -> httpx::awaitable<void> {
        (void)co_await client->get(url("/"));
        (void)co_await client->get(url("/"));  // reused
        EXPECT_EQ(transport->pool_stats().idle, 1u);
        co_await httpx::sleep(250ms);
        (void)co_await client->get(url("/"));  // expired: a new connection
    };
    run(task());
    EXPECT_EQ(server->connections_accepted(), 2u);
    EXPECT_EQ(transport->pool_stats().connections, 1u);
}

TEST_F(Http2Transport, AcloseSaysGoawayBeforeClosingTheConnection) {
    auto task = [&]() -> httpx::awaitable<void> {
        EXPECT_EQ((co_await client->get(url("/"))).status_code(), 200);
        co_await client->aclose();
    };
    run(task());
    const auto stats = once_closed(*server, 0);
    EXPECT_FALSE(stats.open);
    EXPECT_EQ(stats.goaways_received, 1u);
    EXPECT_EQ(stats.goaway_error, 0u);  // NO_ERROR
}

TEST_F(Http2Transport, AnExpiredIdleConnectionSaysGoawayWhenThePoolClosesIt) {
    auto client_options = prior_knowledge();
    client_options.limits.keepalive_expiry = 100ms;
    make_client(client_options);
    auto task = [&]() -> httpx::awaitable<void> {
        (void)co_await client->get(url("/"));
        co_await httpx::sleep(250ms);
        (void)co_await client->get(url("/"));  // the first connection expired: closed
    };
    run(task());
    ASSERT_EQ(server->connections_accepted(), 2u);
    const auto stats = once_closed(*server, 0);
    EXPECT_FALSE(stats.open);
    EXPECT_EQ(stats.goaways_received, 1u);
    EXPECT_EQ(stats.goaway_error, 0u);
    EXPECT_EQ(server->connection_stats().at(1).goaways_received, 0u);  // still in use
}

TEST_F(Http2Transport, ClosingAfterTheServerWentAwayNeitherThrowsNorHangs) {
    EXPECT_EQ(run(client->get(url("/"))).status_code(), 200);
    server->stop();  // the idle connection's peer is gone: the GOAWAY has nobody to go to
    EXPECT_NO_THROW(run(client->aclose()));
    EXPECT_EQ(transport->pool_stats().connections, 0u);
}

TEST_F(Http2Transport, AConnectionTheServerClosedWhileIdleIsReplaced) {
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response closing = co_await client->get(url("/misbehave/close_idle"));
        EXPECT_EQ(closing.status_code(), 200);
        co_await httpx::sleep(100ms);
        httpx::Response next = co_await client->get(url("/"));
        EXPECT_EQ(next.text(), "Hello, world!");
    };
    run(task());
    EXPECT_EQ(server->connections_accepted(), 2u);
}

// ---------------------------------------------------------------------------------------------
// Bodies, flow control, trailers, headers

TEST_F(Http2Transport, Streams64MiBDownloadInBoundedChunks) {
    constexpr std::size_t size = 64u << 20;
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response r = co_await client->stream("GET", url("/bytes/" + std::to_string(size)));
        EXPECT_EQ(r.http_version(), "HTTP/2");
        const httpx::test::StreamedBody body = co_await httpx::test::read_pattern_body(r);
        EXPECT_EQ(body.total, size);
        EXPECT_TRUE(body.pattern_ok);
        EXPECT_LE(body.largest_chunk, 1u << 20);
    };
    run(task());
}

TEST_F(Http2Transport, Uploads64MiBFromAGeneratorAsDataFrames) {
    constexpr std::uint64_t size = 64ull << 20;
    auto task = [&]() -> httpx::awaitable<nlohmann::json> {
        httpx::RequestOptions options;
        options.content = httpx::AsyncByteStream(pattern_chunks(size, 100'000));
        httpx::Response r = co_await client->post(url("/upload?hash=sha256"), options);
        EXPECT_EQ(r.http_version(), "HTTP/2");
        co_return r.json();
    };
    nlohmann::json result = run(task());
    EXPECT_EQ(result["bytes"], size);
    EXPECT_EQ(result["sha256"], pattern_sha256(size));
}

TEST_F(Http2Transport, InMemoryAndStreamedBodiesBothWays) {
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::RequestOptions bytes;
        bytes.content = httpx::testing::pattern(0, 300'000);
        httpx::Response r = co_await client->post(url("/echo"), bytes);
        EXPECT_EQ(r.content(), httpx::testing::pattern(0, 300'000));
        httpx::RequestOptions streamed;
        streamed.content = httpx::AsyncByteStream(pattern_chunks(200'000, 7'000));
        httpx::Response s = co_await client->post(url("/echo"), streamed);
        EXPECT_EQ(s.content(), httpx::testing::pattern(0, 200'000));
        httpx::Response head = co_await client->head(url("/bytes/5000"));
        EXPECT_EQ(head.headers()["content-length"], "5000");
        EXPECT_TRUE(head.content().empty());
        httpx::Response gz = co_await client->get(url("/gzip?n=100000"));
        EXPECT_EQ(gz.content(), httpx::testing::pattern(0, 100'000));
    };
    run(task());
}

TEST_F(Http2Transport, AnUploadIsNotHeldBackByUploadsStartedAfterIt) {
    // Windows large enough for every body at once: the order the bodies go out in is the
    // client's choice alone. An upload that has sent a frame must not wait behind every upload
    // started after it (nghttp2's RFC 7540 scheduler puts a stream's first frame first: a steady
    // stream of new uploads on a connection whose window is scarce kept an older one waiting
    // into its read timeout). Oldest first, as RFC 9218 schedules by default.
    auto options = http2_server();
    options.http2_initial_window_size = 4u << 20;
    serve(options);
    make_client();
    constexpr int kLater = 20;
    auto task = [&]() -> httpx::awaitable<std::vector<int>> {
        (void)co_await client->get(url("/"));  // the connection and the server's SETTINGS
        auto executor = co_await asio::this_coro::executor;
        auto done = std::make_shared<std::vector<int>>();
        auto upload = [this, done](int index, std::size_t size) -> httpx::awaitable<void> {
            httpx::RequestOptions body;
            body.content = httpx::testing::pattern(0, size);
            httpx::Response r = co_await client->post(url("/upload"), body);
            EXPECT_EQ(r.json()["bytes"], size);
            done->push_back(index);
        };
        std::vector<std::future<void>> all;
        all.push_back(asio::co_spawn(executor, upload(0, 1u << 20), asio::use_future));
        for (int i = 1; i <= kLater; ++i)
            all.push_back(asio::co_spawn(executor, upload(i, 16384), asio::use_future));
        for (auto& f : all) co_await await_future(f);
        co_return *done;
    };
    const std::vector<int> order = run(task());
    ASSERT_EQ(order.size(), std::size_t{kLater + 1});
    EXPECT_EQ(order.front(), 0) << "the first upload finished after "
                                << std::find(order.begin(), order.end(), 0) - order.begin()
                                << " later ones";
    EXPECT_EQ(server->connections_accepted(), 1u);
}

TEST_F(Http2Transport, ASlowReaderHoldsBackOnlyItsOwnStream) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "ASan's quarantine keeps freed memory resident: RSS says nothing here";
#endif
    constexpr std::size_t size = 256u << 20;
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response slow =
            co_await client->stream("GET", url("/bytes/" + std::to_string(size)));
        auto chunks = slow.aiter_bytes();
        auto first = co_await chunks.next();
        EXPECT_TRUE(first);
        if (!first) co_return;
        const std::size_t rss_before = resident_bytes();
        // While this reader stalls the server may send no more than the stream window, and the
        // connection keeps carrying other streams.
        for (int i = 0; i < 10; ++i) {
            httpx::Response other = co_await client->get(url("/bytes/100000"));
            EXPECT_EQ(other.content(), httpx::testing::pattern(0, 100'000));
            co_await httpx::sleep(30ms);
        }
        EXPECT_LT(resident_bytes(), rss_before + (16u << 20)) << "the slow stream was buffered";
        std::size_t total = first->size();
        bool pattern_ok = *first == httpx::testing::pattern(0, first->size());
        while (auto chunk = co_await chunks.next()) {
            pattern_ok &= *chunk == httpx::testing::pattern(total, chunk->size());
            total += chunk->size();
        }
        EXPECT_EQ(total, size);
        EXPECT_TRUE(pattern_ok);
    };
    run(task());
    EXPECT_EQ(server->connections_accepted(), 1u);
}

TEST_F(Http2Transport, TrailersArriveAfterTheBody) {
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response r = co_await client->get(url("/trailers?n=100000"));
        EXPECT_EQ(r.content(), httpx::testing::pattern(0, 100'000));
        auto trailers =
            std::any_cast<std::shared_ptr<const httpx::Headers>>(r.extensions()["trailers"]);
        EXPECT_TRUE(trailers && trailers->get("x-trailer") == "done");
        EXPECT_TRUE(trailers && trailers->get("x-body-length") == "100000");
    };
    run(task());
}

TEST_F(Http2Transport, HeadersFollowHttp2Rules) {
    auto task = [&]() -> httpx::awaitable<nlohmann::json> {
        httpx::RequestOptions options;
        options.headers = httpx::Headers{{"X-Mixed-Case", "Value"},
                                         {"Connection", "keep-alive"},
                                         {"Keep-Alive", "timeout=5"},
                                         {"Upgrade", "websocket"},
                                         {"TE", "trailers"}};
        options.content = httpx::AsyncByteStream(pattern_chunks(10, 5));  // Transfer-Encoding
        httpx::Response r = co_await client->post(url("/echo_headers?raw=1"), options);
        co_return r.json();
    };
    nlohmann::json fields = run(task());
    std::map<std::string, std::string> seen;
    std::vector<std::string> order;
    for (const auto& field : fields) {
        seen[field[0]] = field[1];
        order.push_back(field[0]);
    }
    ASSERT_GE(order.size(), 4u);
    EXPECT_EQ(order[0], ":method");
    EXPECT_EQ(seen[":method"], "POST");
    EXPECT_EQ(seen[":scheme"], "http");
    EXPECT_EQ(seen[":authority"], "127.0.0.1:" + std::to_string(server->port()));
    EXPECT_EQ(seen[":path"], "/echo_headers?raw=1");
    EXPECT_EQ(seen["x-mixed-case"], "Value");
    EXPECT_EQ(seen["te"], "trailers");
    for (const char* banned : {"host", "connection", "keep-alive", "upgrade", "transfer-encoding"})
        EXPECT_EQ(seen.count(banned), 0u) << banned;
    for (const auto& name : order) {
        bool lower = true;
        for (char c : name) lower &= !(c >= 'A' && c <= 'Z');
        EXPECT_TRUE(lower) << name;
    }
}

TEST_F(Http2Transport, InvalidHeaderValuesAreRefusedBeforeSending) {
    const std::vector<std::string> bad_values{"a\r\nInjected: 1", "a\nb", std::string("a\0b", 3)};
    for (const std::string& bad : bad_values) {
        httpx::RequestOptions options;
        options.headers = httpx::Headers{{"X-Bad", bad}};
        EXPECT_THROW(run(client->get(url("/"), options)), httpx::LocalProtocolError);
    }
    httpx::RequestOptions bad_name;
    bad_name.headers = httpx::Headers{{"Bad Name", "x"}};
    EXPECT_THROW(run(client->get(url("/"), bad_name)), httpx::LocalProtocolError);
    EXPECT_EQ(server->requests_served(), 0u);
    EXPECT_EQ(run(client->get(url("/"))).status_code(), 200);  // the connection is fine
    EXPECT_EQ(server->connections_accepted(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Resets, GOAWAY, protocol errors

TEST_F(Http2Transport, AStreamResetByTheServerFailsOnlyThatRequest) {
    auto task = [&]() -> httpx::awaitable<void> {
        auto executor = co_await asio::this_coro::executor;
        std::vector<std::future<httpx::Response>> others;
        for (int i = 0; i < 5; ++i) {
            httpx::URL u = url("/slow?ms=200");
            others.push_back(asio::co_spawn(executor, client->get(u), asio::use_future));
        }
        co_await httpx::sleep(50ms);
        try {
            (void)co_await client->get(url("/h2/reset?code=2"));
            ADD_FAILURE() << "no error";
        } catch (const httpx::RemoteProtocolError& e) {
            EXPECT_NE(std::string(e.what()).find("INTERNAL_ERROR"), std::string::npos) << e.what();
        }
        // Reset in the middle of the body: the head arrives, reading the body fails.
        httpx::Response partial =
            co_await client->stream("GET", url("/h2/reset?stage=body&n=5000"));
        EXPECT_EQ(partial.status_code(), 200);
        EXPECT_THROW(co_await partial.aread(), httpx::RemoteProtocolError);
        for (auto& f : others) EXPECT_EQ((co_await await_future(f)).text(), "Hello, world!");
    };
    run(task());
    EXPECT_EQ(server->connections_accepted(), 1u);
}

TEST_F(Http2Transport, ARefusedStreamIsRetriedThenReported) {
    // REFUSED_STREAM means "not processed": retried on a new connection, a few times at most.
    try {
        (void)run(client->get(url("/h2/reset?code=7")));
        ADD_FAILURE() << "no error";
    } catch (const httpx::RemoteProtocolError& e) {
        EXPECT_NE(std::string(e.what()).find("REFUSED_STREAM"), std::string::npos) << e.what();
    }
    EXPECT_GT(server->requests_served(), 1u);
    EXPECT_LE(server->requests_served(), 5u);
}

TEST_F(Http2Transport, GoawayStreamsAboveLastStreamIdAreRetriedOnANewConnection) {
    auto task = [&]() -> httpx::awaitable<void> {
        auto executor = co_await asio::this_coro::executor;
        httpx::URL goaway_url = url("/h2/goaway?ms=150");
        auto goaway = asio::co_spawn(executor, client->get(goaway_url), asio::use_future);
        co_await httpx::sleep(50ms);  // the GOAWAY stream is open; these come after it
        std::vector<std::future<httpx::Response>> later;
        for (int i = 0; i < 5; ++i) {
            httpx::URL u = url("/slow?ms=400");
            later.push_back(asio::co_spawn(executor, client->get(u), asio::use_future));
        }
        EXPECT_EQ((co_await await_future(goaway)).text(), "goaway sent");
        for (auto& f : later) EXPECT_EQ((co_await await_future(f)).text(), "Hello, world!");
        // The connection that said GOAWAY takes no new streams.
        httpx::Response stats = co_await client->get(url("/stats"));
        EXPECT_EQ(stats.json()["connection"], 2);
    };
    run(task());
    auto stats = server->connection_stats();
    ASSERT_EQ(stats.size(), 2u);
    EXPECT_EQ(stats[1].requests, 6u);  // the 5 requests sent again, and /stats
}

TEST_F(Http2Transport, ARequestHeldBackByAZeroStreamLimitIsRefusedByGoawayAtOnce) {
    // SETTINGS_MAX_CONCURRENT_STREAMS 0: a request waits on the connection without going out;
    // the server then says GOAWAY (an idle connection). The request was never sent: it is
    // refused at once and goes again on a new connection (same story), until the attempts
    // run out; it does not wait for its read timeout.
    auto options = http2_server();
    options.http2_max_concurrent_streams = 0;
    options.idle_close = 50ms;
    serve(options);
    make_client(prior_knowledge(), httpx::Timeout(10s, {.read = 20s}));
    try {
        (void)run(client->get(url("/")));
        ADD_FAILURE() << "no error";
    } catch (const httpx::RemoteProtocolError& e) {
        EXPECT_NE(std::string(e.what()).find("REFUSED_STREAM"), std::string::npos) << e.what();
    }
    EXPECT_EQ(server->requests_served(), 0u);
    // Attempts went on after a GOAWAY, on new connections. (The first request on a connection
    // goes out with the preface, before the server's SETTINGS: that one the server refuses
    // with RST_STREAM, and the retry then waits on the same connection.)
    EXPECT_GE(server->connections_accepted(), 2u);
    auto stats = transport->pool_stats();
    EXPECT_EQ(stats.connections, stats.idle);
    EXPECT_EQ(stats.waiting, 0u);
}

TEST_F(Http2Transport, GoawayWithAnErrorCodeFailsTheStreamsInFlight) {
    auto task = [&]() -> httpx::awaitable<void> {
        auto executor = co_await asio::this_coro::executor;
        httpx::URL slow_url = url("/slow?ms=2000");
        auto slow = asio::co_spawn(executor, client->get(slow_url), asio::use_future);
        co_await httpx::sleep(50ms);
        try {
            (void)co_await client->get(url("/h2/goaway?code=1&close=1"));
        } catch (const httpx::RemoteProtocolError&) {
        }
        try {
            (void)co_await await_future(slow);
            ADD_FAILURE() << "no error";
        } catch (const httpx::RemoteProtocolError& e) {
            EXPECT_NE(std::string(e.what()).find("PROTOCOL_ERROR"), std::string::npos) << e.what();
        }
        EXPECT_EQ((co_await client->get(url("/"))).text(), "Hello, world!");
    };
    run(task());
    EXPECT_EQ(server->connections_accepted(), 2u);
}

TEST_F(Http2Transport, BrokenResponsesAreRemoteProtocolErrors) {
    EXPECT_THROW(run(client->get(url("/misbehave/garbage"))), httpx::RemoteProtocolError);
    EXPECT_THROW(run(client->get(url("/misbehave/bad_chunk"))), httpx::RemoteProtocolError);
    EXPECT_THROW(run(client->get(url("/misbehave/truncate"))), httpx::RemoteProtocolError);
    try {
        // More body than its content-length: our side resets the stream.
        (void)run(client->get(url("/misbehave/lie_length")));
        ADD_FAILURE() << "no error";
    } catch (const httpx::RemoteProtocolError& e) {
        EXPECT_NE(std::string(e.what()).find("PROTOCOL_ERROR"), std::string::npos) << e.what();
    }
    EXPECT_EQ(run(client->get(url("/"))).text(), "Hello, world!");
    EXPECT_EQ(transport->pool_stats().connections, 1u);
}

// ---------------------------------------------------------------------------------------------
// Cancellation and timeouts

TEST_F(Http2Transport, CancellingOneStreamLeavesTheOthersAndTheConnection) {
    auto task = [&]() -> httpx::awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        auto executor = co_await asio::this_coro::executor;
        std::vector<std::future<httpx::Response>> others;
        for (int i = 0; i < 10; ++i) {
            httpx::URL u = url("/slow?ms=300");
            others.push_back(asio::co_spawn(executor, client->get(u), asio::use_future));
        }
        httpx::URL slow = url("/slow?ms=5000");
        auto result = co_await (client->get(slow) || httpx::sleep(50ms));
        EXPECT_EQ(result.index(), 1u);
        // An early aclose() of a streamed body resets that stream only.
        httpx::Response big = co_await client->stream("GET", url("/bytes/10000000"));
        co_await big.aclose();
        for (auto& f : others) EXPECT_EQ((co_await await_future(f)).status_code(), 200);
        EXPECT_EQ((co_await client->get(url("/"))).text(), "Hello, world!");
        auto stats = transport->pool_stats();
        EXPECT_EQ(stats.connections, 1u);
        EXPECT_EQ(stats.idle, 1u);
        EXPECT_EQ(stats.waiting, 0u);
    };
    run(task());
    EXPECT_EQ(server->connections_accepted(), 1u);
    // The cancelled request and the closed stream each sent RST_STREAM (the server read them
    // before the request that followed on the same connection).
    EXPECT_EQ(server->connection_stats().at(0).resets_received, 2u);
}

TEST_F(Http2Transport, ReadTimeoutFailsTheStreamNotTheConnection) {
    make_client(prior_knowledge(), httpx::Timeout(10s, {.read = 200ms}));
    EXPECT_THROW(run(client->get(url("/misbehave/stall"))), httpx::ReadTimeout);
    EXPECT_EQ(run(client->get(url("/"))).text(), "Hello, world!");
    EXPECT_EQ(server->connections_accepted(), 1u);
    EXPECT_EQ(server->connection_stats().at(0).resets_received, 1u);
}

TEST_F(Http2Transport, WriteTimeoutWhenThePeerGrantsNoWindow) {
    // A listener that never accepts: the kernel completes the connection, nobody reads, no
    // SETTINGS or WINDOW_UPDATE ever comes, so the stream's first 64 KiB window never grows.
    asio::ip::tcp::acceptor listener(
        io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    listener.listen(8);
    const std::string target =
        "http://127.0.0.1:" + std::to_string(listener.local_endpoint().port()) + "/upload";
    make_client(prior_knowledge(), httpx::Timeout(10s, {.write = 200ms}));
    httpx::RequestOptions options;
    options.content = httpx::AsyncByteStream(pattern_chunks(4u << 20, 64 * 1024));
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(run(client->post(target, options)), httpx::WriteTimeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_EQ(run(client->get(url("/"))).text(), "Hello, world!");
}

}  // namespace
