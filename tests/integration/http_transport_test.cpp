// AsyncClient + AsyncHTTPTransport against the project's own test server on loopback.
// Test that header file is self-contained.
#include "httpx/http_transport.hpp"

#include <gtest/gtest.h>

#include "client_fixture.hpp"
#include "fiber_sanitizer.hpp"
#include "httpx/httpx.hpp"
#include "resident_memory.hpp"
#include "run_async.hpp"
#include "streamed_body.hpp"
#include "test_certificates.hpp"
#include "test_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using httpx::testing::TestServer;

namespace {

using httpx::test::resident_bytes;
using httpx::test::run_on;

struct Fixture : ::testing::Test, httpx::test::ClientFixture {
    TestServer server;

    void SetUp() override {
        server.start();
        make_client();
    }
    std::string url(std::string_view path) const { return server.url(path); }
};

using HttpTransport = Fixture;

TEST_F(HttpTransport, GetsAResponseOverHttp11) {
    auto response = run(client->get(url("/")));
    EXPECT_EQ(response.status_code(), 200);
    EXPECT_EQ(response.http_version(), "HTTP/1.1");
    EXPECT_EQ(response.text(), "Hello, world!");
    EXPECT_TRUE(response.is_closed());
}

TEST_F(HttpTransport, ReusesOneKeepAliveConnection) {
    auto task = [&]() -> httpx::awaitable<void> {
        for (int i = 0; i < 10; ++i) {
            httpx::Response r = co_await client->get(url("/bytes/1000"));
            EXPECT_EQ(r.content(), httpx::testing::pattern(0, 1000));
        }
    };
    run(task());
    EXPECT_EQ(server.connections_accepted(), 1u);
    EXPECT_EQ(server.requests_served(), 10u);
    EXPECT_EQ(transport->pool_stats().idle, 1u);
}

TEST_F(HttpTransport, ConcurrentRequestsStayWithinMaxConnections) {
    httpx::HTTPTransportOptions options;
    options.limits.max_connections = 4;
    make_client(options);
    auto task = [&]() -> httpx::awaitable<int> {
        auto executor = co_await asio::this_coro::executor;
        std::vector<std::future<httpx::Response>> futures;
        for (int i = 0; i < 40; ++i) {
            httpx::URL u = url("/slow?ms=5");
            futures.push_back(asio::co_spawn(executor, client->get(u), asio::use_future));
        }
        int ok = 0;
        for (auto& f : futures) {
            while (f.wait_for(0s) != std::future_status::ready) co_await httpx::sleep(1ms);
            ok += f.get().status_code() == 200;
        }
        co_return ok;
    };
    EXPECT_EQ(run(task()), 40);
    EXPECT_LE(server.connections_accepted(), 4u);
    EXPECT_EQ(transport->pool_stats().waiting, 0u);
}

TEST_F(HttpTransport, StreamsALargeBodyInBoundedChunks) {
    constexpr std::size_t size = 8 * 1024 * 1024;
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response r = co_await client->stream("GET", url("/bytes/" + std::to_string(size)));
        EXPECT_EQ(r.headers()["Content-Length"], std::to_string(size));
        const httpx::test::StreamedBody body = co_await httpx::test::read_pattern_body(r);
        EXPECT_EQ(body.total, size);
        EXPECT_TRUE(body.pattern_ok);
        EXPECT_LE(body.largest_chunk, 256u * 1024);  // streamed, never buffered whole
    };
    run(task());
}

TEST_F(HttpTransport, AGibibyteDownloadKeepsMemoryFlat) {
    if (httpx::test::kAddressSanitizer)
        GTEST_SKIP() << "ASan's quarantine keeps freed memory resident: RSS says nothing here";
    constexpr std::uint64_t size = 1ull << 30;
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response r = co_await client->stream("GET", url("/bytes/" + std::to_string(size)));
        auto chunks = r.aiter_bytes();
        std::uint64_t total = 0;
        std::size_t rss_at_start = 0, rss_peak = 0;
        while (auto chunk = co_await chunks.next()) {
            total += chunk->size();
            if (rss_at_start == 0 && total > (16u << 20)) rss_at_start = resident_bytes();
            if (total % (64u << 20) < chunk->size())
                rss_peak = std::max(rss_peak, resident_bytes());
        }
        EXPECT_EQ(total, size);
        EXPECT_LT(rss_peak, rss_at_start + (16u << 20)) << "RSS grew while streaming";
    };
    run(task());
}

TEST_F(HttpTransport, DecodesChunkedAndGzipBodies) {
    auto chunked = run(client->get(url("/stream/5000?chunk=7")));
    EXPECT_EQ(chunked.content(), httpx::testing::pattern(0, 5000));
    auto gz = run(client->get(url("/gzip")));
    EXPECT_EQ(gz.headers()["Content-Encoding"], "gzip");
    EXPECT_EQ(gz.text(), "Hello, world!");
}

TEST_F(HttpTransport, ReadsCloseDelimitedHttp10Bodies) {
    auto response = run(client->get(url("/http10?n=3000")));
    EXPECT_EQ(response.http_version(), "HTTP/1.0");
    EXPECT_EQ(response.content(), httpx::testing::pattern(0, 3000));
}

httpx::AsyncGenerator<httpx::Bytes> upload_chunks(int count) {
    for (int i = 0; i < count; ++i) {
        co_await httpx::sleep(1ms);
        co_yield httpx::Bytes(1000, 'u');
    }
}

TEST_F(HttpTransport, UploadsStreamedBodiesChunkedAndKnownLengthsPlain) {
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::RequestOptions streamed;
        streamed.content = httpx::AsyncByteStream(upload_chunks(50));
        httpx::Response r1 = co_await client->post(url("/upload"), streamed);
        EXPECT_EQ(r1.json()["bytes"], 50000);
        EXPECT_EQ(r1.json()["chunked"], true);

        httpx::RequestOptions in_memory;
        in_memory.content = httpx::Bytes(12345, 'm');
        httpx::Response r2 = co_await client->post(url("/upload"), in_memory);
        EXPECT_EQ(r2.json()["bytes"], 12345);
        EXPECT_EQ(r2.json()["chunked"], false);

        httpx::RequestOptions echo;
        echo.content = "echo me";
        echo.headers.set("Content-Type", "text/x-test");
        httpx::Response r3 = co_await client->post(url("/echo"), echo);
        EXPECT_EQ(r3.text(), "echo me");
        EXPECT_EQ(r3.headers()["Content-Type"], "text/x-test");
    };
    run(task());
}

TEST_F(HttpTransport, ForwardsOneResponseBodyIntoAnotherRequest) {
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response source = co_await client->stream("GET", url("/bytes/300000"));
        httpx::RequestOptions forward;
        forward.content = httpx::AsyncByteStream(source.aiter_bytes());
        httpx::Response r = co_await client->post(url("/upload"), forward);
        EXPECT_EQ(r.json()["bytes"], 300000);
    };
    run(task());
}

TEST_F(HttpTransport, FollowsRedirectsOnTheServer) {
    httpx::RequestOptions follow;
    follow.follow_redirects = true;
    auto response = run(client->get(url("/redirect/3"), follow));
    EXPECT_EQ(response.status_code(), 200);
    EXPECT_EQ(response.history().size(), 3u);
    EXPECT_EQ(response.url().path(), "/redirect/0");
}

template <class Error>
void expect_error(Fixture& f, std::string_view path) {
    SCOPED_TRACE(std::string(path));
    EXPECT_THROW(f.run(f.client->get(f.url(path))), Error);
    // The client stays usable and no pool slot leaks.
    EXPECT_EQ(f.run(f.client->get(f.url("/"))).status_code(), 200);
    auto stats = f.transport->pool_stats();
    EXPECT_EQ(stats.waiting, 0u);
    EXPECT_EQ(stats.connections, stats.idle);
}

TEST_F(HttpTransport, MisbehavingServersRaiseHttpxErrors) {
    expect_error<httpx::RemoteProtocolError>(*this, "/misbehave/truncate");
    expect_error<httpx::RemoteProtocolError>(*this, "/misbehave/garbage");
    expect_error<httpx::RemoteProtocolError>(*this, "/misbehave/bad_chunk");
    expect_error<httpx::RemoteProtocolError>(*this, "/misbehave/headers_only_then_close");
    expect_error<httpx::TransportError>(*this, "/misbehave/reset");
}

TEST_F(HttpTransport, ABodyLongerThanItsContentLengthIsNotReused) {
    auto first = run(client->get(url("/misbehave/lie_length")));
    EXPECT_EQ(first.content().size(), 10u);
    EXPECT_EQ(run(client->get(url("/"))).text(), "Hello, world!");
    EXPECT_EQ(server.connections_accepted(), 2u);
}

TEST_F(HttpTransport, ReplacesAnIdleConnectionTheServerClosed) {
    EXPECT_EQ(run(client->get(url("/misbehave/close_idle"))).status_code(), 200);
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(run(client->get(url("/"))).text(), "Hello, world!");
    EXPECT_EQ(server.connections_accepted(), 2u);
}

TEST_F(HttpTransport, ARequestAStaleConnectionDroppedGoesAgainOnANewOne) {
    // Two idle connections the server will drop unanswered (as after a restart it has not told
    // us about): the request that meets one is sent again once, on a new connection rather than
    // on the other stale one.
    auto task = [&]() -> httpx::awaitable<std::string> {
        auto executor = co_await asio::this_coro::executor;
        auto a =
            asio::co_spawn(executor, client->get(url("/misbehave/drop_next")), asio::use_future);
        auto b =
            asio::co_spawn(executor, client->get(url("/misbehave/drop_next")), asio::use_future);
        EXPECT_EQ((co_await httpx::test::await_future(a)).status_code(), 200);
        EXPECT_EQ((co_await httpx::test::await_future(b)).status_code(), 200);
        EXPECT_EQ(transport->pool_stats().idle, 2u);
        httpx::Response r = co_await client->get(url("/"));
        co_return r.text();
    };
    EXPECT_EQ(run(task()), "Hello, world!");
    EXPECT_EQ(server.connections_accepted(), 3u);
    EXPECT_EQ(transport->pool_stats().idle, 2u);  // the new one, and the other stale one
}

TEST_F(HttpTransport, ARequestDroppedBeforeItStartedGivesItsIdleConnectionBack) {
    // The transport hands an idle connection to a request as it is made: an awaitable dropped
    // without being awaited (a caller cancelled before it started) gives it back.
    EXPECT_EQ(run(client->get(url("/"))).status_code(), 200);
    ASSERT_EQ(transport->pool_stats().idle, 1u);
    {
        httpx::Request request("GET", url("/"));
        httpx::awaitable<httpx::Response> dropped = transport->handle_async_request(request);
        EXPECT_EQ(transport->pool_stats().idle, 0u);  // leased
    }
    EXPECT_EQ(transport->pool_stats().idle, 1u);
    EXPECT_EQ(transport->pool_stats().connections, 1u);
    EXPECT_EQ(run(client->get(url("/"))).text(), "Hello, world!");
    EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST_F(HttpTransport, ABodyIteratorGivenUpHalfWayFreesItsConnection) {
    // The response is kept, its body's iterator dropped after one chunk: the connection (the
    // only one allowed) is closed and its place freed for the next request.
    httpx::HTTPTransportOptions options;
    options.limits.max_connections = 1;
    make_client(options, httpx::Timeout(10s, {.pool = 2s}));
    auto task = [&]() -> httpx::awaitable<int> {
        httpx::Response kept = co_await client->stream("GET", url("/bytes/1000000"));
        {
            httpx::AsyncIterator<httpx::Bytes> chunks = kept.aiter_raw();
            EXPECT_TRUE(co_await chunks.next());
        }
        httpx::Response next = co_await client->get(url("/"));
        co_return next.status_code();
    };
    EXPECT_EQ(run(task()), 200);
    EXPECT_EQ(server.connections_accepted(), 2u);
}

TEST_F(HttpTransport, ReadTimeoutOnAStalledServer) {
    make_client({}, httpx::Timeout(10s, {.read = 200ms}));
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(run(client->get(url("/misbehave/stall"))), httpx::ReadTimeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    EXPECT_EQ(run(client->get(url("/"))).status_code(), 200);
}

TEST_F(HttpTransport, PoolTimeoutWhenNoConnectionFreesUp) {
    httpx::HTTPTransportOptions options;
    options.limits.max_connections = 1;
    make_client(options, httpx::Timeout(10s, {.pool = 100ms}));
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response held = co_await client->stream("GET", url("/bytes/10"));  // holds the slot
        EXPECT_THROW(co_await client->get(url("/")), httpx::PoolTimeout);
        co_await held.aclose();
        httpx::Response after = co_await client->get(url("/"));
        EXPECT_EQ(after.status_code(), 200);
    };
    run(task());
}

TEST_F(HttpTransport, CancelledRequestsReleaseTheirSlot) {
    httpx::HTTPTransportOptions options;
    options.limits.max_connections = 2;
    make_client(options);
    auto task = [&]() -> httpx::awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        for (int i = 0; i < 6; ++i) {
            httpx::URL slow = url("/slow?ms=2000");
            auto result = co_await (client->get(slow) || httpx::sleep(20ms));
            EXPECT_EQ(result.index(), 1u);
        }
        auto stats = transport->pool_stats();
        EXPECT_EQ(stats.connections, 0u);  // cancelled exchanges are closed, never pooled
        EXPECT_EQ(stats.waiting, 0u);
        httpx::Response after = co_await client->get(url("/"));
        EXPECT_EQ(after.status_code(), 200);
    };
    run(task());
}

TEST_F(HttpTransport, AnUnreadStreamedResponseIsClosedNotLeaked) {
    auto task = [&]() -> httpx::awaitable<void> {
        {
            httpx::Response r = co_await client->stream("GET", url("/bytes/1000000"));
            EXPECT_EQ(r.status_code(), 200);
        }  // dropped unread
        auto stats = transport->pool_stats();
        EXPECT_EQ(stats.connections, 0u);
        httpx::Response after = co_await client->get(url("/"));
        EXPECT_EQ(after.status_code(), 200);
    };
    run(task());
}

// A response kept unread is no operation in flight: its read timeout must not keep the
// io_context running (run() returning only when the timer fires, seconds later).
TEST_F(HttpTransport, AnUnreadStreamedResponseKeptOpenDoesNotHoldTheLoopForItsReadTimeout) {
    httpx::RequestOptions options;
    options.timeout = httpx::Timeout(30s);
    std::optional<httpx::Response> kept;
    auto task = [&]() -> httpx::awaitable<void> {
        kept.emplace(co_await client->stream("GET", url("/bytes/1000000"), options));
    };
    const auto started = std::chrono::steady_clock::now();
    run(task());
    EXPECT_LT(std::chrono::steady_clock::now() - started, 15s);
    EXPECT_EQ(kept->status_code(), 200);
    auto read_it = [&]() -> httpx::awaitable<std::size_t> {
        co_return (co_await kept->aread()).size();
    };
    EXPECT_EQ(run(read_it()), 1000000u);
}

TEST_F(HttpTransport, ExpiredIdleConnectionsAreNotReused) {
    httpx::HTTPTransportOptions options;
    options.limits.keepalive_expiry = std::chrono::milliseconds(50);
    make_client(options);
    EXPECT_EQ(run(client->get(url("/"))).status_code(), 200);
    EXPECT_EQ(run(client->get(url("/"))).status_code(), 200);  // within the expiry: reused
    EXPECT_EQ(server.connections_accepted(), 1u);
    std::this_thread::sleep_for(120ms);
    EXPECT_EQ(run(client->get(url("/"))).status_code(), 200);
    EXPECT_EQ(server.connections_accepted(), 2u);
}

TEST_F(HttpTransport, WaitingRequestsAreServedInOrder) {
    httpx::HTTPTransportOptions options;
    options.limits.max_connections = 1;
    make_client(options);
    std::vector<int> finished;
    auto one = [&](int i) -> httpx::awaitable<void> {
        httpx::URL u = url("/slow?ms=5&n=" + std::to_string(i));
        httpx::Response r = co_await client->get(u);
        EXPECT_EQ(r.status_code(), 200);
        finished.push_back(i);
    };
    auto task = [&]() -> httpx::awaitable<void> {
        auto executor = co_await asio::this_coro::executor;
        std::vector<std::future<void>> all;
        for (int i = 0; i < 8; ++i)
            all.push_back(asio::co_spawn(executor, one(i), asio::use_future));
        for (auto& f : all) {
            while (f.wait_for(0s) != std::future_status::ready) co_await httpx::sleep(1ms);
            f.get();
        }
    };
    run(task());
    EXPECT_EQ(finished, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
    EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST_F(HttpTransport, FailedConnectsAreRetriedWithBackoff) {
    httpx::HTTPTransportOptions options;
    options.retries = 2;  // attempts at 0 s, then +0 s, then +0.5 s
    make_client(options);
    server.stop();
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(run(client->get(url("/"))), httpx::ConnectError);
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(elapsed, 450ms);
    EXPECT_LT(elapsed, 3s);
}

TEST_F(HttpTransport, SocketOptionsAreAppliedAndABadOneFailsTheConnect) {
    httpx::HTTPTransportOptions good;
    good.socket_options = {{SOL_SOCKET, SO_KEEPALIVE, 1}};
    make_client(good);
    EXPECT_EQ(run(client->get(url("/"))).status_code(), 200);
    httpx::HTTPTransportOptions bad;
    bad.socket_options = {{SOL_SOCKET, -1, 1}};
    make_client(bad);
    EXPECT_THROW(run(client->get(url("/"))), httpx::ConnectError);
}

TEST_F(HttpTransport, SpeaksIpv6) {
    TestServer::Options options;
    options.host = "::1";
    TestServer v6(options);
    v6.start();
    auto response = run(client->get("http://[::1]:" + std::to_string(v6.port()) + "/"));
    EXPECT_EQ(response.text(), "Hello, world!");
    EXPECT_EQ(response.url().host(), "::1");
}

TEST_F(HttpTransport, LocalAddressBindsTheSocket) {
    httpx::HTTPTransportOptions v4;
    v4.local_address = "127.0.0.1";
    make_client(v4);
    EXPECT_EQ(run(client->get(url("/"))).status_code(), 200);
    httpx::HTTPTransportOptions v6;
    v6.local_address = "::";  // forces IPv6: the IPv4 server cannot be reached
    make_client(v6);
    EXPECT_THROW(run(client->get(url("/"))), httpx::ConnectError);
}

TEST_F(HttpTransport, WriteTimeoutWhenTheServerStopsReading) {
    // The kernel completes connections queued on a listener that never accepts; nobody reads.
    asio::ip::tcp::acceptor listener(
        io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    listener.listen(8);
    std::string target =
        "http://127.0.0.1:" + std::to_string(listener.local_endpoint().port()) + "/";
    make_client({}, httpx::Timeout(10s, {.write = 200ms}));
    httpx::RequestOptions upload;
    upload.content = httpx::Bytes(64 * 1024 * 1024, 'w');  // far more than socket buffers hold
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(run(client->post(target, upload)), httpx::WriteTimeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_EQ(run(client->get(url("/"))).status_code(), 200);
}

TEST_F(HttpTransport, ConnectTimeoutWhenTheServerNeverAccepts) {
    // A listener whose backlog is full and never accepts: further SYNs are dropped, so the
    // connect hangs until the connect timeout.
    asio::ip::tcp::acceptor listener(
        io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    listener.listen(0);
    const auto endpoint = listener.local_endpoint();
    std::vector<int> fillers;  // raw non-blocking sockets: a blocking connect would hang here
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(endpoint.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < 8; ++i) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        (void)::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
        fillers.push_back(fd);
    }
    make_client({}, httpx::Timeout(10s, {.connect = 300ms}));
    auto start = std::chrono::steady_clock::now();
    std::string target = "http://127.0.0.1:" + std::to_string(endpoint.port()) + "/";
    EXPECT_THROW(run(client->get(target)), httpx::ConnectTimeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    for (int fd : fillers) ::close(fd);
}

// A one-shot HTTP/1.1 server on a Unix domain socket: answers one request with `body`.
asio::awaitable<void> serve_one_on_unix_socket(asio::local::stream_protocol::acceptor& acceptor,
                                               std::string body) {
    auto socket = co_await acceptor.async_accept(asio::use_awaitable);
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
        std::size_t n = co_await socket.async_read_some(asio::buffer(buffer), asio::use_awaitable);
        request.append(buffer, n);
    }
    std::string response = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                           "\r\nConnection: close\r\n\r\n" + body;
    co_await asio::async_write(socket, asio::buffer(response), asio::use_awaitable);
}

TEST_F(HttpTransport, UdsConnectsToAUnixSocket) {
    auto path =
        std::filesystem::temp_directory_path() / ("httpxx-uds-" + std::to_string(::getpid()));
    std::filesystem::remove(path);
    asio::local::stream_protocol::acceptor acceptor(
        io, asio::local::stream_protocol::endpoint(path.string()));
    asio::co_spawn(io, serve_one_on_unix_socket(acceptor, "over a unix socket"), asio::detached);
    httpx::HTTPTransportOptions options;
    options.uds = path.string();
    make_client(options);
    auto response = run(client->get("http://localhost/anything"));
    EXPECT_EQ(response.text(), "over a unix socket");
    std::filesystem::remove(path);
}

TEST_F(HttpTransport, ConnectErrorForARefusedPort) {
    server.stop();
    EXPECT_THROW(run(client->get(url("/"))), httpx::ConnectError);
}

TEST_F(HttpTransport, InvalidHeaderValuesAreRefusedBeforeSending) {
    httpx::RequestOptions options;
    options.headers.set("X-Bad", "a\r\nInjected: yes");
    EXPECT_THROW(run(client->get(url("/"), options)), httpx::LocalProtocolError);
    EXPECT_EQ(server.requests_served(), 0u);
}

TEST_F(HttpTransport, UnsupportedSchemeIsRefused) {
    EXPECT_THROW(run(client->get("ftp://127.0.0.1/")), httpx::UnsupportedProtocol);
}

struct Tls : ::testing::Test {
    static inline std::filesystem::path dir;
    static inline httpx::testing::TestCertificates certs;
    static void SetUpTestSuite() {
        dir = std::filesystem::temp_directory_path() / ("httpxx-tls-" + std::to_string(::getpid()));
        certs = httpx::testing::make_test_certificates(dir);
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir); }

    static std::unique_ptr<TestServer> serve(std::string cert, std::string key) {
        TestServer::Options options;
        options.tls = httpx::testing::TlsFiles{cert, key};
        auto server = std::make_unique<TestServer>(options);
        server->start();
        return server;
    }
    // Client options whose transport trusts the test CA (and does what `options` says).
    static httpx::ClientOptions trusting_ca(httpx::HTTPTransportOptions options = {}) {
        options.verify = certs.ca_cert;
        httpx::ClientOptions client_options;
        client_options.transport = std::make_shared<httpx::AsyncHTTPTransport>(options);
        return client_options;
    }
    static httpx::Response get(const std::string& url, httpx::VerifyOption verify) {
        asio::io_context io;
        httpx::HTTPTransportOptions options;
        options.verify = std::move(verify);
        httpx::ClientOptions client_options;
        client_options.transport = std::make_shared<httpx::AsyncHTTPTransport>(options);
        httpx::AsyncClient client(client_options);
        return run_on(io, client.get(url));
    }
};

TEST_F(Tls, VerifiesAgainstTheGivenCa) {
    auto server = serve(certs.server_cert, certs.server_key);
    auto response = get("https://localhost:" + std::to_string(server->port()) + "/", certs.ca_cert);
    EXPECT_EQ(response.text(), "Hello, world!");
}

TEST_F(Tls, UnknownCaIsAConnectErrorThatSaysWhy) {
    auto server = serve(certs.server_cert, certs.server_key);
    try {
        get("https://localhost:" + std::to_string(server->port()) + "/", true);
        FAIL() << "expected ConnectError";
    } catch (const httpx::ConnectError& e) {
        EXPECT_NE(std::string(e.what()).find("certificate verify failed"), std::string::npos)
            << e.what();
    }
}

TEST_F(Tls, ExpiredAndWrongHostCertificatesAreRefused) {
    auto expired = serve(certs.expired_cert, certs.expired_key);
    try {
        get("https://localhost:" + std::to_string(expired->port()) + "/", certs.ca_cert);
        FAIL() << "expected ConnectError";
    } catch (const httpx::ConnectError& e) {
        EXPECT_NE(std::string(e.what()).find("expired"), std::string::npos) << e.what();
    }
    auto wrong = serve(certs.wrong_host_cert, certs.wrong_host_key);
    try {
        get("https://localhost:" + std::to_string(wrong->port()) + "/", certs.ca_cert);
        FAIL() << "expected ConnectError";
    } catch (const httpx::ConnectError& e) {
        EXPECT_NE(std::string(e.what()).find("hostname mismatch"), std::string::npos) << e.what();
    }
}

TEST_F(Tls, AUserSslContextIsUsedAsIs) {
    auto server = serve(certs.server_cert, certs.server_key);
    auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    context->load_verify_file(certs.ca_cert);
    context->set_verify_mode(asio::ssl::verify_peer);
    auto response = get("https://localhost:" + std::to_string(server->port()) + "/", context);
    EXPECT_EQ(response.text(), "Hello, world!");
}

TEST_F(Tls, ClientCertificatesForMutualTls) {
    TestServer::Options server_options;
    server_options.tls =
        httpx::testing::TlsFiles{certs.server_cert, certs.server_key, certs.ca_cert};
    TestServer server(server_options);
    server.start();
    const std::string url = "https://localhost:" + std::to_string(server.port()) + "/";
    EXPECT_THROW(get(url, certs.ca_cert), httpx::TransportError);  // no certificate: refused

    asio::io_context io;
    httpx::HTTPTransportOptions options;
    options.cert = httpx::ClientCert{certs.client_cert, certs.client_key, ""};
    httpx::AsyncClient client(trusting_ca(options));
    EXPECT_EQ(run_on(io, client.get(url)).text(), "Hello, world!");
}

TEST_F(Tls, AConnectionClosedWithItsLastResponseIsNotReused) {
    // The answer and the server's close_notify arrive in one segment: the client takes both in
    // one read, and the server keeps the socket open for our close_notify. The streamed upload
    // that follows cannot be sent again: it must go on a new connection at once.
    auto server = serve(certs.server_cert, certs.server_key);
    const std::string base = "https://localhost:" + std::to_string(server->port());
    asio::io_context io;
    httpx::AsyncClient client(trusting_ca());
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response closing =
            co_await client.get(base + "/misbehave/close_idle_in_one_segment");
        EXPECT_EQ(closing.text(), "Hello, world!");
        httpx::RequestOptions streamed;
        streamed.content = httpx::AsyncByteStream(upload_chunks(3));
        httpx::Response upload = co_await client.post(base + "/upload", streamed);
        EXPECT_EQ(upload.json()["bytes"], 3000);
    };
    run_on(io, task());
    EXPECT_EQ(server->connections_accepted(), 2u);
}

TEST_F(Tls, AConnectionClosedWithItsLastResponseIsNotHandedToAWaitingRequest) {
    // As above, with one connection allowed: the upload waits for it meanwhile, and gets a new
    // connection instead of the one the server closed.
    auto server = serve(certs.server_cert, certs.server_key);
    const std::string base = "https://localhost:" + std::to_string(server->port());
    asio::io_context io;
    httpx::HTTPTransportOptions options;
    options.limits.max_connections = 1;
    const httpx::ClientOptions client_options = trusting_ca(options);
    auto transport = std::static_pointer_cast<httpx::AsyncHTTPTransport>(client_options.transport);
    httpx::AsyncClient client(client_options);
    auto upload = [&]() -> httpx::awaitable<httpx::Response> {
        httpx::RequestOptions streamed;
        streamed.content = httpx::AsyncByteStream(upload_chunks(3));
        co_return co_await client.post(base + "/upload", streamed);
    };
    auto task = [&]() -> httpx::awaitable<void> {
        auto executor = co_await asio::this_coro::executor;
        auto closing = asio::co_spawn(
            executor, client.get(base + "/misbehave/close_idle_in_one_segment"), asio::use_future);
        auto waiting = asio::co_spawn(executor, upload(), asio::use_future);
        EXPECT_EQ((co_await httpx::test::await_future(closing)).text(), "Hello, world!");
        EXPECT_EQ((co_await httpx::test::await_future(waiting)).json()["bytes"], 3000);
    };
    run_on(io, task());
    EXPECT_EQ(server->connections_accepted(), 2u);
    EXPECT_EQ(transport->pool_stats().waiting, 0u);
}

template <class Error>
void expect_tls_error(asio::io_context& io, httpx::AsyncClient& client,
                      httpx::AsyncHTTPTransport& transport, const std::string& base,
                      const std::string& path) {
    SCOPED_TRACE(path);
    EXPECT_THROW(run_on(io, client.get(base + path)), Error);
    // The client stays usable and no pool slot leaks.
    EXPECT_EQ(run_on(io, client.get(base + "/")).text(), "Hello, world!");
    const auto stats = transport.pool_stats();
    EXPECT_EQ(stats.waiting, 0u);
    EXPECT_EQ(stats.connections, stats.idle);
}

TEST_F(Tls, MisbehavingServersRaiseTheSameErrorsAsOverTcp) {
    // The end of the stream and a reset, met while waiting for the socket, reach the response
    // parser as over TCP.
    auto server = serve(certs.server_cert, certs.server_key);
    const std::string base = "https://localhost:" + std::to_string(server->port());
    asio::io_context io;
    const httpx::ClientOptions client_options = trusting_ca();
    auto transport = std::static_pointer_cast<httpx::AsyncHTTPTransport>(client_options.transport);
    httpx::AsyncClient client(client_options);
    using httpx::RemoteProtocolError;
    expect_tls_error<RemoteProtocolError>(io, client, *transport, base, "/misbehave/truncate");
    expect_tls_error<RemoteProtocolError>(io, client, *transport, base, "/misbehave/garbage");
    expect_tls_error<RemoteProtocolError>(io, client, *transport, base,
                                          "/misbehave/headers_only_then_close");
    expect_tls_error<httpx::TransportError>(io, client, *transport, base, "/misbehave/reset");
}

TEST_F(Tls, VerifyFalseAcceptsAnyCertificate) {
    auto server = serve(certs.wrong_host_cert, certs.wrong_host_key);
    auto response = get("https://localhost:" + std::to_string(server->port()) + "/", false);
    EXPECT_EQ(response.status_code(), 200);
}

}  // namespace

TEST_F(Tls, LargeBodiesArriveIntactInBoundedChunks) {
    // TLS records straight from the socket (read-ahead), decrypted into the chunks handed out;
    // then a second request on the same connection.
    auto server = serve(certs.server_cert, certs.server_key);
    const std::string base = "https://localhost:" + std::to_string(server->port());
    constexpr std::size_t size = 8 * 1024 * 1024 + 123;
    asio::io_context io;
    httpx::AsyncClient client(trusting_ca());
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response r = co_await client.stream("GET", base + "/bytes/" + std::to_string(size));
        const httpx::test::StreamedBody body = co_await httpx::test::read_pattern_body(r);
        EXPECT_EQ(body.total, size);
        EXPECT_TRUE(body.pattern_ok);
        EXPECT_LE(body.largest_chunk, 256u * 1024);
        httpx::Response again = co_await client.get(base + "/");
        EXPECT_EQ(again.text(), "Hello, world!");
    };
    run_on(io, task());
}
