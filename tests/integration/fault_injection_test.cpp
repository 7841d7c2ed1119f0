// Fault injection: for each kind of exchange and each kind of fault, fail I/O operation number
// N = 0, 1, 2 ... of a fresh client until the exchange succeeds untouched. Every failure must
// end in the HTTPX exception a user would expect, leave no pool slot held, never reuse the
// broken connection, and leave the client able to serve the next request. (Beast's
// test::fail_count idea, on the real network stack against the local test server.)
#include "net/fault_injection.hpp"

#include <gtest/gtest.h>

#include "httpx/httpx.hpp"
#include "plain_and_tls_servers.hpp"
#include "run_async.hpp"
#include "test_certificates.hpp"
#include "test_server.hpp"
#include "transport/http_transport_access.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
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

using httpx::test::run_on;

enum class Exchange { plain, chunked, upload, tls, redirects };

// The servers every test of this file talks to (started once per test binary run).
struct Servers : httpx::test::PlainAndTlsServers {
    Servers() : PlainAndTlsServers("faults") {}
};

std::unique_ptr<Servers> shared_servers;

Servers& servers() {
    return *shared_servers;
}

std::string base_url(Exchange exchange) {
    if (exchange == Exchange::tls)
        return "https://localhost:" + std::to_string(servers().tls->port());
    return servers().plain.origin();
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
    }
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
        auto transport = std::make_shared<httpx::AsyncHTTPTransport>(transport_options);
        httpx::detail::HTTPTransportAccess::inject_faults(*transport, faults);
        httpx::ClientOptions options;
        options.transport = transport;
        // A stalled operation ends when its phase times out; keep that short.
        options.timeout = httpx::Timeout(fault == Fault::stall ? 500ms : 10s);
        httpx::AsyncClient client(options);

        std::optional<std::type_index> thrown;
        std::string what;
        try {
            run_on(io, run_exchange(client, exchange));
        } catch (const std::exception& e) {
            thrown = typeid(e);
            what = e.what();
        }
        const auto log = faults->log();
        if (!faults->fired()) {
            EXPECT_FALSE(thrown) << boost::core::demangle(thrown->name()) << ": " << what;
            break;  // every operation of the exchange has failed once
        }
        const IoRecord& failed = log[n];
        SCOPED_TRACE(std::string(name(failed.operation)) + " on connection " +
                     std::to_string(failed.connection));
        failed_operations.insert(failed.operation);
        if (retried_as_stale(log, n, fault, exchange)) {
            EXPECT_FALSE(thrown) << boost::core::demangle(thrown->name()) << ": " << what;
        } else {
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
        EXPECT_EQ(run_on(io, get_text(client, base + "/")), "Hello, world!");
        const auto after = faults->log();
        for (std::size_t i = n + 1; i < after.size(); ++i) {
            EXPECT_NE(after[i].connection, failed.connection)
                << "operation #" << i << " (" << name(after[i].operation)
                << ") reused the broken connection";
        }
    }
    // The loop did visit every kind of operation the exchange performs.
    std::set<IoOperation> expected_operations{IoOperation::connect, IoOperation::read,
                                              IoOperation::write};
    if (exchange == Exchange::tls) expected_operations.insert(IoOperation::handshake);
    EXPECT_EQ(failed_operations, expected_operations);
    EXPECT_GE(n, expected_operations.size());
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
    constexpr const char* exchanges[] = {"Plain", "Chunked", "StreamedUpload", "Tls", "Redirects"};
    constexpr const char* faults[] = {"Reset", "Eof", "TimedOut", "Stall"};
    return std::string(exchanges[static_cast<int>(std::get<0>(info.param))]) +
           faults[static_cast<int>(std::get<1>(info.param))];
}

INSTANTIATE_TEST_SUITE_P(
    AsyncHTTPTransport, FaultInjection,
    ::testing::Combine(::testing::Values(Exchange::plain, Exchange::chunked, Exchange::upload,
                                         Exchange::tls, Exchange::redirects),
                       ::testing::Values(Fault::reset, Fault::eof, Fault::timed_out, Fault::stall)),
    param_name);

}  // namespace
