// Fault injection: for each kind of exchange and each kind of fault, fail I/O operation number
// N = 0, 1, 2 ... of a fresh client until the exchange succeeds untouched. Every failure must
// end in the HTTPX exception a user would expect, leave no pool slot held, never reuse the
// broken connection, and leave the client able to serve the next request. (Beast's
// test::fail_count idea, on the real network stack against the local test server.) The HTTP/2
// exchanges (TLS with ALPN, and h2c with prior knowledge) run several streams on one
// connection: each of them must end well or in the error of the failed operation.
#include "net/fault_injection.hpp"

#include <gtest/gtest.h>

#include "httpx/httpx.hpp"
#include "plain_and_tls_servers.hpp"
#include "run_async.hpp"
#include "test_certificates.hpp"
#include "test_server.hpp"
#include "transport/http2_connection.hpp"
#include "transport/http_transport_access.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/core/demangle.hpp>

#include <set>
#include <typeindex>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using httpx::net::Fault;
using httpx::net::FaultInjector;
using httpx::net::IoOperation;
using httpx::net::IoRecord;
using httpx::testing::TestServer;

namespace {

using httpx::test::await_future;
using httpx::test::run_on;

enum class Exchange { plain, chunked, upload, tls, redirects, h2_tls, h2c };

bool is_http2(Exchange exchange) {
    return exchange == Exchange::h2_tls || exchange == Exchange::h2c;
}

// The servers every test of this file talks to (started once per test binary run): HTTP/1.1
// plain and TLS, and HTTP/2 over TLS (ALPN) and over plain TCP (h2c).
struct Servers : httpx::test::PlainAndTlsServers {
    std::unique_ptr<TestServer> h2_tls, h2c;
    Servers() : PlainAndTlsServers("faults") {
        TestServer::Options options;
        options.http2 = true;
        h2c = std::make_unique<TestServer>(options);
        h2c->start();
        options.tls = certs.server();
        h2_tls = std::make_unique<TestServer>(options);
        h2_tls->start();
    }
};

std::unique_ptr<Servers> shared_servers;

Servers& servers() {
    return *shared_servers;
}

std::string base_url(Exchange exchange) {
    switch (exchange) {
        case Exchange::tls:
            return "https://localhost:" + std::to_string(servers().tls->port());
        case Exchange::h2_tls:
            return "https://localhost:" + std::to_string(servers().h2_tls->port());
        case Exchange::h2c:
            return servers().h2c->origin();
        default:
            return servers().plain.origin();
    }
}

httpx::AsyncGenerator<httpx::Bytes> upload_chunks(int count) {
    for (int i = 0; i < count; ++i) co_yield httpx::Bytes(1000, 'u');
}

// The exchange a user would run; throws what the client throws.
httpx::awaitable<void> run_exchange(httpx::AsyncClient& client, Exchange exchange) {
    const std::string base = base_url(exchange);
    switch (exchange) {
        case Exchange::plain:
        case Exchange::tls: {
            // Several reads: the server writes Content-Length bodies in 64 KiB pieces.
            httpx::Response r = co_await client.get(base + "/bytes/200000");
            if (r.content() != httpx::testing::pattern(0, 200000))
                throw std::runtime_error("wrong body");
            break;
        }
        case Exchange::chunked: {
            httpx::Response r = co_await client.get(base + "/stream/100000?chunk=10000");
            if (r.content() != httpx::testing::pattern(0, 100000))
                throw std::runtime_error("wrong body");
            break;
        }
        case Exchange::upload: {
            httpx::RequestOptions streamed;
            streamed.content = httpx::AsyncByteStream(upload_chunks(5));
            httpx::Response r = co_await client.post(base + "/upload", streamed);
            if (r.json()["bytes"] != 5000 || r.json()["chunked"] != true)
                throw std::runtime_error("wrong upload: " + r.text());
            break;
        }
        case Exchange::redirects: {
            httpx::RequestOptions follow;
            follow.follow_redirects = true;
            httpx::Response r = co_await client.get(base + "/redirect/3", follow);
            if (r.status_code() != 200 || r.history().size() != 3)
                throw std::runtime_error("redirects not followed");
            break;
        }
        case Exchange::h2_tls:
        case Exchange::h2c:
            throw std::logic_error("HTTP/2 exchanges run with run_http2_exchange");
    }
}

// --- HTTP/2: several streams at once ---

// How one request of an exchange ended: its exception (none: success, checked content).
struct Outcome {
    std::optional<std::type_index> thrown;
    std::string what;
};

httpx::awaitable<void> download(httpx::AsyncClient& client, std::string url, std::size_t size) {
    httpx::Response r = co_await client.get(url);
    if (r.http_version() != "HTTP/2") throw std::runtime_error("not HTTP/2");
    if (r.content() != httpx::testing::pattern(0, size)) throw std::runtime_error("wrong body");
}

httpx::awaitable<void> upload(httpx::AsyncClient& client, std::string url) {
    httpx::RequestOptions streamed;
    streamed.content = httpx::AsyncByteStream(upload_chunks(5));
    httpx::Response r = co_await client.post(url, streamed);
    if (r.json()["bytes"] != 5000) throw std::runtime_error("wrong upload: " + r.text());
}

// What a user meets: the public HTTPX class (a stream the pool could not send again is a
// RemoteProtocolError to the user, whatever the transport calls it inside).
std::type_index public_type(const std::exception& e) {
    if (dynamic_cast<const httpx::transport::RefusedStream*>(&e))
        return typeid(httpx::RemoteProtocolError);
    return typeid(e);
}

httpx::awaitable<Outcome> outcome_of(httpx::awaitable<void> task) {
    Outcome outcome;
    try {
        co_await std::move(task);
    } catch (const std::exception& e) {
        outcome.thrown = public_type(e);
        outcome.what = e.what();
    }
    co_return outcome;
}

// A download and a streamed upload at once on one connection (the second request waits for
// the server's SETTINGS, then joins the first connection), then a request on the connection
// reused.
httpx::awaitable<std::vector<Outcome>> run_http2_exchange(httpx::AsyncClient& client,
                                                          Exchange exchange) {
    const std::string base = base_url(exchange);
    auto executor = co_await asio::this_coro::executor;
    auto first = asio::co_spawn(
        executor, outcome_of(download(client, base + "/bytes/100000", 100000)), asio::use_future);
    auto second =
        asio::co_spawn(executor, outcome_of(upload(client, base + "/upload")), asio::use_future);
    std::vector<Outcome> outcomes;
    outcomes.push_back(co_await await_future(first));
    outcomes.push_back(co_await await_future(second));
    outcomes.push_back(co_await outcome_of(download(client, base + "/bytes/1000", 1000)));
    co_return outcomes;
}

httpx::awaitable<std::string> get_text(httpx::AsyncClient& client, std::string url) {
    httpx::Response r = co_await client.get(url);
    co_return r.text();
}

// Whether the failed operation hit a reused keep-alive connection before any byte of the new
// response arrived: the pool then retries the request once on a fresh connection (a stale
// connection the server closed looks exactly like that), so the exchange must succeed.
bool retried_as_stale(const std::vector<IoRecord>& log, std::size_t failed, Fault fault,
                      Exchange exchange) {
    const IoRecord& f = log[failed];
    if (fault == Fault::stall || exchange == Exchange::upload)
        return false;  // timeout; one-shot body
    if (f.operation != IoOperation::read && f.operation != IoOperation::write) return false;
    bool reused = false, read_since_write = false;
    for (std::size_t i = 0; i < failed; ++i) {
        if (log[i].connection != f.connection) continue;
        if (log[i].operation == IoOperation::write) {
            reused |= read_since_write;  // a write after a read: the next request on it
            read_since_write = false;
        } else if (log[i].operation == IoOperation::read) {
            read_since_write = true;
        }
    }
    // A write after a response was read starts the next request on a reused connection; a read
    // fails before anything arrived when nothing was read since that request went out.
    if (f.operation == IoOperation::write) return reused || read_since_write;
    return reused && !read_since_write;
}

// The HTTPX exception a user meets when `operation` fails with `fault` (HTTPX-REFERENCE 1.27:
// connect and TLS failures are ConnectError, socket errors ReadError/WriteError, a server
// that disconnects mid-response RemoteProtocolError, an operation that never completes the
// timeout of its phase).
std::type_index expected_error(IoOperation operation, Fault fault) {
    switch (operation) {
        case IoOperation::connect:
        case IoOperation::handshake:
            return fault == Fault::stall ? typeid(httpx::ConnectTimeout)
                                         : typeid(httpx::ConnectError);
        case IoOperation::write:
            return fault == Fault::stall ? typeid(httpx::WriteTimeout) : typeid(httpx::WriteError);
        case IoOperation::read:
            if (fault == Fault::stall) return typeid(httpx::ReadTimeout);
            if (fault == Fault::eof) return typeid(httpx::RemoteProtocolError);
            return typeid(httpx::ReadError);
    }
    return typeid(void);
}

// Over HTTP/2 a stream may also end well (the failed operation came after its response, or it
// was refused and sent again on a new connection). A write that never completes fails a stream
// waiting for its response by the read timeout (its request went out, as far as it knows), a
// streamed upload by the write timeout.
std::set<std::type_index> expected_http2_errors(IoOperation operation, Fault fault) {
    std::set<std::type_index> expected{expected_error(operation, fault)};
    if (operation == IoOperation::write && fault == Fault::stall)
        expected.insert(typeid(httpx::ReadTimeout));
    // Once a stalled operation is cancelled, the injector takes the peer for gone and resets
    // the connection's later operations: the other streams meet that reset.
    if (fault == Fault::stall) {
        expected.insert(typeid(httpx::ReadError));
        expected.insert(typeid(httpx::WriteError));
        expected.insert(typeid(httpx::RemoteProtocolError));  // refused, body not replayable
    }
    return expected;
}

const char* name(IoOperation operation) {
    constexpr const char* names[] = {"connect", "handshake", "read", "write"};
    return names[static_cast<int>(operation)];
}

using Param = std::tuple<Exchange, Fault>;

struct FaultInjection : ::testing::TestWithParam<Param> {
    static void SetUpTestSuite() { shared_servers = std::make_unique<Servers>(); }
    static void TearDownTestSuite() { shared_servers.reset(); }
};

TEST_P(FaultInjection, EveryFailedOperationEndsInItsHttpxErrorAndLeavesThePoolConsistent) {
    const auto [exchange, fault] = GetParam();
    asio::io_context io;  // outlives every client below
    std::set<IoOperation> failed_operations;
    std::size_t n = 0;
    for (;; ++n) {
        ASSERT_LT(n, 400u) << "the exchange never ran untouched";
        SCOPED_TRACE("failing operation #" + std::to_string(n));
        auto faults = std::make_shared<FaultInjector>(n, fault);
        httpx::HTTPTransportOptions transport_options;
        transport_options.verify = servers().certs.ca_cert;
        transport_options.http2 = is_http2(exchange);         // by ALPN over TLS
        transport_options.http1 = exchange != Exchange::h2c;  // prior knowledge
        auto transport = std::make_shared<httpx::AsyncHTTPTransport>(transport_options);
        httpx::detail::HTTPTransportAccess::inject_faults(*transport, faults);
        httpx::ClientOptions options;
        options.transport = transport;
        // A stalled operation ends when its phase times out; keep that short. A request waiting
        // for an HTTP/2 connection being opened waits until that one is known to fail.
        options.timeout = httpx::Timeout(fault == Fault::stall ? 500ms : 10s);
        options.timeout.pool = 10s;
        httpx::AsyncClient client(options);

        std::vector<Outcome> outcomes;
        if (is_http2(exchange)) {
            outcomes = run_on(io, run_http2_exchange(client, exchange));
        } else {
            outcomes.emplace_back();
            try {
                run_on(io, run_exchange(client, exchange));
            } catch (const std::exception& e) {
                outcomes.back().thrown = typeid(e);
                outcomes.back().what = e.what();
            }
        }
        const auto log = faults->log();
        if (!faults->fired()) {
            for (const auto& [thrown, what] : outcomes)
                EXPECT_FALSE(thrown) << boost::core::demangle(thrown->name()) << ": " << what;
            break;  // every operation of the exchange has failed once
        }
        const IoRecord& failed = log[n];
        SCOPED_TRACE(std::string(name(failed.operation)) + " on connection " +
                     std::to_string(failed.connection));
        if (is_http2(exchange)) {
            const auto expected = expected_http2_errors(failed.operation, fault);
            for (const auto& [thrown, what] : outcomes) {
                if (!thrown) continue;
                failed_operations.insert(failed.operation);
                EXPECT_TRUE(expected.contains(*thrown))
                    << boost::core::demangle(thrown->name()) << ": " << what;
            }
        } else if (retried_as_stale(log, n, fault, exchange)) {
            failed_operations.insert(failed.operation);
            const auto& [thrown, what] = outcomes.back();
            EXPECT_FALSE(thrown) << boost::core::demangle(thrown->name()) << ": " << what;
        } else {
            failed_operations.insert(failed.operation);
            const auto& [thrown, what] = outcomes.back();
            const std::type_index expected = expected_error(failed.operation, fault);
            ASSERT_TRUE(thrown) << "expected " << boost::core::demangle(expected.name());
            EXPECT_EQ(boost::core::demangle(thrown->name()), boost::core::demangle(expected.name()))
                << what;
        }

        // No slot held, nobody waiting: only idle connections remain.
        auto stats = transport->pool_stats();
        EXPECT_EQ(stats.connections, stats.idle);
        EXPECT_EQ(stats.waiting, 0u);
        // The client serves the next request, never on the broken connection.
        const std::string base = base_url(exchange);
        const std::size_t next_request = faults->log().size();
        EXPECT_EQ(run_on(io, get_text(client, base + "/")), "Hello, world!");
        const auto after = faults->log();
        for (std::size_t i = next_request; i < after.size(); ++i) {
            EXPECT_NE(after[i].connection, failed.connection)
                << "operation #" << i << " (" << name(after[i].operation)
                << ") reused the broken connection";
        }
    }
    // The loop did visit every kind of operation the exchange performs.
    std::set<IoOperation> expected_operations{IoOperation::connect, IoOperation::read,
                                              IoOperation::write};
    if (exchange == Exchange::tls || exchange == Exchange::h2_tls)
        expected_operations.insert(IoOperation::handshake);
    EXPECT_EQ(failed_operations, expected_operations);
    EXPECT_GE(n, expected_operations.size());
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
    constexpr const char* exchanges[] = {
        "Plain", "Chunked", "StreamedUpload", "Tls", "Redirects", "Http2Tls", "H2c"};
    constexpr const char* faults[] = {"Reset", "Eof", "TimedOut", "Stall"};
    return std::string(exchanges[static_cast<int>(std::get<0>(info.param))]) +
           faults[static_cast<int>(std::get<1>(info.param))];
}

INSTANTIATE_TEST_SUITE_P(
    AsyncHTTPTransport, FaultInjection,
    ::testing::Combine(::testing::Values(Exchange::plain, Exchange::chunked, Exchange::upload,
                                         Exchange::tls, Exchange::redirects, Exchange::h2_tls,
                                         Exchange::h2c),
                       ::testing::Values(Fault::reset, Fault::eof, Fault::timed_out, Fault::stall)),
    param_name);

// --- Focused regressions of what the HTTP/2 loop found ---

struct Http2Faults : ::testing::Test {
    static void SetUpTestSuite() { shared_servers = std::make_unique<Servers>(); }
    static void TearDownTestSuite() { shared_servers.reset(); }

    asio::io_context io;  // outlives the clients
    std::shared_ptr<FaultInjector> faults;
    std::shared_ptr<httpx::AsyncHTTPTransport> transport;
    std::unique_ptr<httpx::AsyncClient> client;

    // A fresh h2c client whose first `operation` stalls; returns what the GET threw.
    std::string stall_first(IoOperation operation, httpx::Timeout timeout) {
        // The order of the connection's first read and write is up to the executor: find the
        // number of the first `operation` by failing each in turn.
        for (std::size_t n = 1; n < 4; ++n) {
            faults = std::make_shared<FaultInjector>(n, Fault::stall);
            httpx::HTTPTransportOptions options;
            options.http1 = false;
            options.http2 = true;
            transport = std::make_shared<httpx::AsyncHTTPTransport>(options);
            httpx::detail::HTTPTransportAccess::inject_faults(*transport, faults);
            httpx::ClientOptions client_options;
            client_options.transport = transport;
            client_options.timeout = timeout;
            client = std::make_unique<httpx::AsyncClient>(client_options);
            std::string thrown = "nothing";
            try {
                run_on(io, get_text(*client, servers().h2c->url("/")));
            } catch (const std::exception& e) {
                thrown = boost::core::demangle(typeid(e).name());
            }
            if (faults->log()[n].operation == operation) return thrown;
        }
        ADD_FAILURE() << "no " << name(operation) << " among the first operations";
        return {};
    }
};

// An HTTP/2 socket write that never completes (a peer that stopped reading) used to block the
// connection's writer for ever: every stream waited, and the connection stayed in the pool.
// Each socket write now has the write timeout, as over HTTP/1.1.
TEST_F(Http2Faults, AWriteThatNeverCompletesIsAWriteTimeoutAndRetiresTheConnection) {
    // (The response's read timeout, longer, would end the wait too, later.)
    EXPECT_EQ(stall_first(IoOperation::write, httpx::Timeout(300ms, {.read = 1s})),
              "httpx::WriteTimeout");
    EXPECT_EQ(transport->pool_stats().connections, 0u);
    EXPECT_EQ(run_on(io, get_text(*client, servers().h2c->url("/"))), "Hello, world!");
}

// A server that reads whatever comes and never answers: a peer gone silent.
httpx::awaitable<void> swallow(asio::ip::tcp::socket socket) {
    char buffer[4096];
    for (;;) {
        auto [ec, n] = co_await socket.async_read_some(
            asio::buffer(buffer), asio::experimental::as_tuple(asio::use_awaitable));
        if (ec) co_return;
    }
}

httpx::awaitable<void> accept_silently(asio::ip::tcp::acceptor& acceptor) {
    for (;;) {
        auto [ec, socket] =
            co_await acceptor.async_accept(asio::experimental::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        asio::co_spawn(acceptor.get_executor(), swallow(std::move(socket)), asio::detached);
    }
}

// A connection on which nothing arrives for a whole read timeout (a dead peer) used to stay
// pooled: every later request on it timed out too. The timeout now sends a PING (a live
// server that is only slow answers it); when the next stream times out with nothing received
// since, the connection is closed.
TEST_F(Http2Faults, AConnectionSilentDespiteAPingIsRetired) {
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    asio::co_spawn(io, accept_silently(acceptor), asio::detached);
    const std::string url =
        "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/";
    httpx::HTTPTransportOptions options;
    options.http1 = false;
    options.http2 = true;
    transport = std::make_shared<httpx::AsyncHTTPTransport>(options);
    httpx::ClientOptions client_options;
    client_options.transport = transport;
    client_options.timeout = httpx::Timeout(200ms);
    client = std::make_unique<httpx::AsyncClient>(client_options);
    auto get = [&] {
        io.restart();
        auto future = asio::co_spawn(io, get_text(*client, url), asio::use_future);
        // The acceptor keeps the io_context busy: run it until the request is done.
        for (int i = 0; i < 500 && future.wait_for(0s) != std::future_status::ready; ++i)
            io.run_for(10ms);
        ASSERT_EQ(future.wait_for(0s), std::future_status::ready);
        EXPECT_THROW(future.get(), httpx::ReadTimeout);
    };
    get();
    EXPECT_EQ(transport->pool_stats().connections, 1u);  // maybe only slow: PING sent
    get();
    EXPECT_EQ(transport->pool_stats().connections, 0u);  // silent since: closed
    acceptor.close();
    client.reset();
    io.restart();
    io.run_for(1s);
}

}  // namespace
