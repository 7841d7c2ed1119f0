// Cancellation torture: thousands of requests, 64 in flight against a pool of 32 connections,
// each cancelled the way a user would (a timer racing it in a parallel_group, a cancellation
// signal, `||`) at a random moment: waiting in the pool queue, connecting, in the TLS
// handshake, uploading, waiting for the head, reading the body, or not at all. A third of the
// requests speak HTTP/1.1 (plain and TLS), a third HTTP/2 over TLS (ALPN, sharing the pool with
// HTTP/1.1), a third h2c with prior knowledge (a mounted transport of 4 connections to a server
// allowing 4 streams each: requests also wait for a stream slot). A cancelled request that
// fails ends with system_error(operation_aborted), in whichever phase. Afterwards the client must
// still serve max_connections HTTP/1.1 requests at once and fill HTTP/2 connections with
// streams, hold no slot, leave no stream open on any server, and leak nothing.
//
// 1,000 requests by default; HTTPXX_TORTURE_REQUESTS=10000 runs the full torture. The
// MultiThreaded suite runs the same on a 4-thread io_context (ctest label `threads`, for TSan).
#include <gtest/gtest.h>

#include "httpx/httpx.hpp"
#include "plain_and_tls_servers.hpp"
#include "test_certificates.hpp"
#include "test_server.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using httpx::testing::TestServer;

namespace {

constexpr std::size_t kInFlight = 64;
constexpr std::size_t kMaxConnections = 32;  // below kInFlight: requests also wait in the pool
// The h2c transport: few connections, few streams each (the server's SETTINGS).
constexpr std::size_t kH2cConnections = 4;
constexpr std::uint32_t kH2cStreams = 4;
// Streams the client puts on one HTTP/2 connection at most (the h2 TLS server allows more).
constexpr std::size_t kStreamsPerConnection = 100;

std::size_t torture_requests() {
    const char* env = std::getenv("HTTPXX_TORTURE_REQUESTS");
    return env ? std::strtoul(env, nullptr, 10) : 1000;
}

// HTTP/1.1 plain and TLS (no h2 in ALPN), HTTP/2 over TLS by ALPN, and h2c.
struct Servers : httpx::test::PlainAndTlsServers {
    std::unique_ptr<TestServer> h2_tls, h2c;
    Servers() : PlainAndTlsServers("torture") {
        TestServer::Options options;
        options.http2 = true;
        options.http2_max_concurrent_streams = kH2cStreams;
        h2c = std::make_unique<TestServer>(options);
        h2c->start();
        options.http2_max_concurrent_streams = 2 * kStreamsPerConnection;
        options.tls = certs.server();
        h2_tls = std::make_unique<TestServer>(options);
        h2_tls->start();
    }
    std::string h2_tls_origin() const {
        return "https://localhost:" + std::to_string(h2_tls->port());
    }
    std::vector<const TestServer*> all() const {
        return {&plain, tls.get(), h2_tls.get(), h2c.get()};
    }
    // One of TestServer's counters, summed over all servers.
    template <class Counter>
    std::uint64_t total(Counter counter) const {
        std::uint64_t n = 0;
        for (auto* s : all()) n += (s->*counter)();
        return n;
    }
    std::uint64_t open_connections() const { return total(&TestServer::open_connections); }
    std::uint64_t connections_accepted() const { return total(&TestServer::connections_accepted); }
    std::uint64_t requests_served() const { return total(&TestServer::requests_served); }
    // HTTP/2 streams open on the servers' side (a stream the client neither finished nor reset
    // stays open there).
    std::uint64_t open_streams() const {
        std::uint64_t n = 0;
        for (auto* s : {h2_tls.get(), h2c.get()})
            for (const auto& c : s->connection_stats()) n += c.open ? c.open_streams : 0;
        return n;
    }
};

// Which server an exchange goes to, and over what.
enum class Protocol { http11, h2_tls, h2c };

// What the requests of one run came to.
struct Tally {
    std::atomic<std::size_t> next{0};  // the next request to start
    std::atomic<std::size_t> succeeded{0}, cancelled{0}, failed_uncancelled{0}, wrong{0};
    // Cancelled requests that ended otherwise than with system_error(operation_aborted).
    std::atomic<std::size_t> cancelled_as_other{0};
    std::atomic<std::size_t> never_cancelled{0};  // requests run without any cancellation
    // Streamed HTTP/2 uploads a server's GOAWAY refused: see count().
    std::atomic<std::size_t> refused_by_goaway{0};
};

httpx::AsyncGenerator<httpx::Bytes> slow_upload(int chunks) {
    for (int i = 0; i < chunks; ++i) {
        co_await httpx::sleep(1ms);
        co_yield httpx::Bytes(4096, 'u');
    }
}

// One exchange as a user writes it; returns whether what came back is right.
httpx::awaitable<bool> exchange(httpx::AsyncClient& client, const Servers& servers, int kind,
                                std::size_t size, Protocol protocol) {
    // HTTP/1.1: plain, or TLS for kind 4; HTTP/2: every kind on its server.
    const std::string plain = protocol == Protocol::h2_tls ? servers.h2_tls_origin()
                              : protocol == Protocol::h2c  ? servers.h2c->origin()
                                                           : servers.plain.origin();
    const std::string tls =
        protocol == Protocol::http11 ? servers.tls_origin() : std::string(plain);
    const std::string version = protocol == Protocol::http11 ? "HTTP/1.1" : "HTTP/2";
    switch (kind) {
        case 0: {  // a body read in one go
            httpx::Response r = co_await client.get(plain + "/bytes/" + std::to_string(size));
            co_return r.content() == httpx::testing::pattern(0, size) &&
                r.http_version() == version;
        }
        case 1: {  // a slow head
            httpx::Response r =
                co_await client.get(plain + "/slow?ms=" + std::to_string(size % 20));
            co_return r.text() == "Hello, world!";
        }
        case 2: {  // a body that trickles in, streamed
            httpx::Response r =
                co_await client.stream("GET", plain + "/drip?chunks=4&ms=2&size=500");
            std::size_t total = 0;
            auto chunks = r.aiter_bytes();
            while (auto chunk = co_await chunks.next()) total += chunk->size();
            co_return total == 2000;
        }
        case 3: {  // a streamed upload
            httpx::RequestOptions upload;
            upload.content = httpx::AsyncByteStream(slow_upload(static_cast<int>(size % 8)));
            httpx::Response r = co_await client.post(plain + "/upload", upload);
            co_return r.json()["bytes"] == 4096 * (size % 8);
        }
        case 4: {  // TLS: connect and handshake whenever no idle connection is left
            httpx::Response r = co_await client.get(tls + "/bytes/" + std::to_string(size % 50000));
            co_return r.content() == httpx::testing::pattern(0, size % 50000) &&
                r.http_version() == version;
        }
        default: {  // a streamed response closed after its first chunk: never reused half-read
            httpx::Response r = co_await client.stream("GET", plain + "/bytes/300000");
            auto chunks = r.aiter_bytes();
            auto first = co_await chunks.next();
            co_await r.aclose();
            co_return first && !first->empty();
        }
    }
}

// A server may end an HTTP/2 connection with GOAWAY whenever it likes, and nghttp2-based ones
// do when a client resets many streams quickly (the "rapid reset" defence: 1,000 resets, then
// 33 a second): the full torture gets there. Requests the GOAWAY refused were not processed:
// a GET goes again on a new connection, but a streamed upload whose body was already read from
// its generator cannot, and fails (RemoteProtocolError). That is right, so counted apart.
bool refused_by_goaway(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const httpx::RemoteProtocolError& e) {
        return std::string_view(e.what()).starts_with("The server's GOAWAY refused the stream");
    } catch (...) {
        return false;
    }
}

bool is_operation_aborted(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const boost::system::system_error& e) {
        return e.code() == asio::error::operation_aborted;
    } catch (...) {
        return false;
    }
}

void count(Tally& tally, bool cancelled, std::exception_ptr error, bool right,
           bool streamed_http2_upload) {
    if (!error) {
        ++(right ? tally.succeeded : tally.wrong);
    } else if (cancelled) {
        ++tally.cancelled;
        // Whatever phase it was in, a cancelled request ends as Asio's operations end (API.md),
        // not as ReadError("Operation canceled") and the like.
        if (!is_operation_aborted(error) && !(streamed_http2_upload && refused_by_goaway(error))) {
            ++tally.cancelled_as_other;
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                ADD_FAILURE() << "a cancelled request ended with: " << e.what();
            }
        }
    } else if (streamed_http2_upload && refused_by_goaway(error)) {
        ++tally.refused_by_goaway;
    } else {
        ++tally.failed_uncancelled;
        try {
            std::rethrow_exception(error);
        } catch (const httpx::RequestError& e) {
            std::ostringstream url;
            if (e.has_request()) url << e.request().method() << " " << e.request().url();
            ADD_FAILURE() << "an uncancelled request failed: " << e.what() << " (" << url.str()
                          << ")";
        } catch (const std::exception& e) {
            ADD_FAILURE() << "an uncancelled request failed: " << e.what();
        }
    }
}

// One of 64 workers: takes requests until `total` have started.
httpx::awaitable<void> worker(httpx::AsyncClient& client, const Servers& servers, Tally& tally,
                              std::size_t total, unsigned seed, bool cancel) {
    using namespace asio::experimental::awaitable_operators;
    std::mt19937 random(seed);
    auto executor = co_await asio::this_coro::executor;
    while (tally.next++ < total) {
        const int kind = static_cast<int>(random() % 6);
        const auto protocol = static_cast<Protocol>(random() % 3);
        const std::size_t size = random() % 100000;
        const bool streamed_http2_upload = kind == 3 && protocol != Protocol::http11;
        // No cancellation for a quarter; otherwise after 0 to 30 ms (a few microseconds to
        // catch the pool queue and the connect, longer for the head, the body and uploads).
        const int style = cancel ? static_cast<int>(random() % 4) : 0;
        const auto delay =
            std::chrono::microseconds(random() % 2 ? random() % 500 : random() % 30000);
        if (style == 0) {
            ++tally.never_cancelled;
            std::exception_ptr error;
            bool right = false;
            try {
                right = co_await exchange(client, servers, kind, size, protocol);
            } catch (...) {
                error = std::current_exception();
            }
            count(tally, false, error, right, streamed_http2_upload);
        } else if (style == 1) {  // a timer racing the request in a parallel_group
            asio::steady_timer timer(executor, delay);
            auto [order, error, right, timer_ec] =
                co_await asio::experimental::make_parallel_group(
                    asio::co_spawn(executor, exchange(client, servers, kind, size, protocol),
                                   asio::deferred),
                    timer.async_wait(asio::deferred))
                    .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
            count(tally, order[0] == 1, error, right, streamed_http2_upload);
        } else if (style == 2) {  // a cancellation signal emitted by a timer
            struct Canceller {
                asio::cancellation_signal signal;
                bool emitted = false;
            };
            auto canceller = std::make_shared<Canceller>();
            asio::steady_timer timer(executor, delay);
            timer.async_wait([canceller](boost::system::error_code ec) {
                if (ec) return;
                canceller->emitted = true;
                canceller->signal.emit(asio::cancellation_type::terminal);
            });
            std::exception_ptr error;
            bool right = false;
            try {
                right = co_await asio::co_spawn(
                    executor, exchange(client, servers, kind, size, protocol),
                    asio::bind_cancellation_slot(canceller->signal.slot(), asio::use_awaitable));
            } catch (...) {
                error = std::current_exception();
            }
            timer.cancel();
            count(tally, canceller->emitted, error, right, streamed_http2_upload);
        } else {  // the awaitable operator a user reaches for first
            asio::steady_timer timer(executor, delay);
            auto result = co_await (exchange(client, servers, kind, size, protocol) ||
                                    timer.async_wait(asio::use_awaitable));
            if (result.index() == 0)
                count(tally, false, nullptr, std::get<0>(result), streamed_http2_upload);
            else
                ++tally.cancelled;
        }
    }
}

// Holds `n` streamed responses open at once: each needs its own connection.
httpx::awaitable<std::size_t> hold_connections(httpx::AsyncClient& client, std::string url,
                                               std::size_t n) {
    std::vector<httpx::Response> held;
    for (std::size_t i = 0; i < n; ++i) held.push_back(co_await client.stream("GET", url));
    std::size_t ok = 0;
    for (auto& r : held) {
        co_await r.aread();
        ok += r.content() == httpx::testing::pattern(0, 1000);
    }
    co_return ok;
}

#if defined(__SANITIZE_THREAD__)
constexpr bool kThreadSanitizer = true;
#elif defined(__has_feature)
constexpr bool kThreadSanitizer = __has_feature(thread_sanitizer);
#else
constexpr bool kThreadSanitizer = false;
#endif

// The process's open file descriptors and what each is ("socket:[inode]", a path...).
std::map<std::string, std::string> open_file_descriptors() {
    std::map<std::string, std::string> fds;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        auto target = std::filesystem::read_symlink(entry.path(), ec);
        const std::string what = ec ? "?" : target.string();
        // TSan starts its symbolizer (a process behind two pipes) when it first reads a stack,
        // e.g. to match a suppression: not the client's.
        if (kThreadSanitizer && what.starts_with("pipe:")) continue;
        fds[entry.path().filename().string()] = what;
    }
    return fds;
}

std::string describe_new(const std::map<std::string, std::string>& before,
                         const std::map<std::string, std::string>& after) {
    std::string out;
    for (const auto& [fd, target] : after) {
        auto it = before.find(fd);
        if (it == before.end() || it->second != target) out += " " + fd + " -> " + target;
    }
    return out;
}

template <class T>
T run_on(asio::io_context& io, asio::awaitable<T> task, int threads) {
    io.restart();
    auto future = asio::co_spawn(io, std::move(task), asio::use_future);
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
    return future.get();
}

// How the workers run: each on its own strand and racing cancellations against its requests
// (the supported model for cancellation on several threads: a coroutine and what races it
// share a strand), or on the bare io_context executor without user cancellation (the library
// alone must be thread-safe there).
enum class Workers { strands_with_cancellation, bare_executor_no_cancellation };

void torture_client(asio::io_context& io, const Servers& servers, int threads, Workers workers);

void torture(int threads, Workers workers = Workers::strands_with_cancellation) {
    Servers servers;
    const auto fds_before = open_file_descriptors();
    {
        asio::io_context io(threads);  // outlives the client
        torture_client(io, servers, threads, workers);
    }
    // Every socket the client opened is closed: the servers see each connection go, and the
    // process holds the descriptors it held before.
    for (int i = 0; i < 500 && servers.open_connections() > 0; ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(servers.open_connections(), 0u);
    const auto fds_after = open_file_descriptors();
    EXPECT_EQ(fds_after.size(), fds_before.size())
        << "descriptors opened and not closed:" << describe_new(fds_before, fds_after);
}

// Requests each of `server`'s connections received so far, by connection id.
std::map<std::uint64_t, std::uint64_t> requests_by_connection(const TestServer& server) {
    std::map<std::uint64_t, std::uint64_t> requests;
    for (const auto& c : server.connection_stats()) requests[c.id] = c.requests;
    return requests;
}

// How many requests each connection got since `before` (connections that got none left out),
// largest first.
std::vector<std::uint64_t> requests_since(const TestServer& server,
                                          const std::map<std::uint64_t, std::uint64_t>& before) {
    std::vector<std::uint64_t> counts;
    for (const auto& [id, requests] : requests_by_connection(server)) {
        auto it = before.find(id);
        const std::uint64_t previous = it == before.end() ? 0 : it->second;
        if (requests > previous) counts.push_back(requests - previous);
    }
    std::sort(counts.rbegin(), counts.rend());
    return counts;
}

void expect_pool_settled(const httpx::AsyncHTTPTransport& transport) {
    auto stats = transport.pool_stats();
    EXPECT_EQ(stats.connections, stats.idle);  // no slot or stream held
    EXPECT_EQ(stats.waiting, 0u);
}

void torture_client(asio::io_context& io, const Servers& servers, int threads, Workers mode) {
    // HTTP/1.1 and HTTP/2 by ALPN share one pool; h2c (prior knowledge) has its own transport.
    httpx::HTTPTransportOptions transport_options;
    transport_options.verify = servers.certs.ca_cert;
    transport_options.http2 = true;
    transport_options.limits.max_connections = kMaxConnections;
    transport_options.limits.max_keepalive_connections = kMaxConnections;
    auto transport = std::make_shared<httpx::AsyncHTTPTransport>(transport_options);
    httpx::HTTPTransportOptions h2c_options;
    h2c_options.http1 = false;
    h2c_options.http2 = true;
    h2c_options.limits.max_connections = kH2cConnections;
    h2c_options.limits.max_keepalive_connections = kH2cConnections;
    auto h2c_transport = std::make_shared<httpx::AsyncHTTPTransport>(h2c_options);
    httpx::ClientOptions options;
    options.transport = transport;
    options.mounts[servers.h2c->origin()] = h2c_transport;
    options.timeout = httpx::Timeout(30s, {.pool = 5s});  // a leaked slot ends in PoolTimeout
    httpx::AsyncClient client(options);

    const std::size_t total = torture_requests();
    Tally tally;
    {
        // The client is shared by all workers.
        io.restart();
        const bool cancel = mode == Workers::strands_with_cancellation;
        std::vector<std::future<void>> workers;
        for (std::size_t i = 0; i < kInFlight; ++i) {
            auto task = worker(client, servers, tally, total, static_cast<unsigned>(i + 1), cancel);
            if (cancel)
                workers.push_back(
                    asio::co_spawn(asio::make_strand(io), std::move(task), asio::use_future));
            else
                workers.push_back(asio::co_spawn(io, std::move(task), asio::use_future));
        }
        std::vector<std::thread> pool;
        for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
        io.run();
        for (auto& t : pool) t.join();
        for (auto& w : workers) w.get();
    }
    std::cout << "torture: " << total << " requests on " << threads
              << " thread(s): " << tally.succeeded << " succeeded, " << tally.cancelled
              << " cancelled, " << tally.refused_by_goaway << " uploads refused by GOAWAY; "
              << servers.connections_accepted() << " connections ("
              << servers.tls->connections_accepted() << " TLS, "
              << servers.h2_tls->connections_accepted() << " HTTP/2 TLS, "
              << servers.h2c->connections_accepted() << " h2c), " << servers.requests_served()
              << " requests reached the servers\n";
    EXPECT_EQ(tally.succeeded + tally.cancelled + tally.refused_by_goaway +
                  tally.failed_uncancelled + tally.wrong,
              total);
    EXPECT_EQ(tally.failed_uncancelled, 0u);
    EXPECT_EQ(tally.cancelled_as_other, 0u);
    EXPECT_EQ(tally.wrong, 0u);
    if (mode == Workers::strands_with_cancellation) {
        EXPECT_GT(tally.cancelled, 0u);
    }
    EXPECT_GE(tally.succeeded, tally.never_cancelled);  // those all succeed, and some others

    // No slot held by a cancelled request, nobody waiting; every HTTP/2 stream a cancelled
    // request opened was reset (or finished): none is left open on the servers.
    expect_pool_settled(*transport);
    expect_pool_settled(*h2c_transport);
    for (int i = 0; i < 500 && servers.open_streams() > 0; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(servers.open_streams(), 0u);

    // Full concurrency again: max_connections streamed HTTP/1.1 responses open at once (a
    // leaked slot would leave the last one waiting into its PoolTimeout), all read correctly.
    EXPECT_EQ(
        run_on(io, hold_connections(client, servers.plain.url("/bytes/1000"), kMaxConnections),
               threads),
        kMaxConnections);
    expect_pool_settled(*transport);
    // HTTP/2 over TLS: as many streams as the client puts on a connection, all on one (a
    // stream slot leaked on a pooled connection would send the last one to a second).
    auto before = requests_by_connection(*servers.h2_tls);
    EXPECT_EQ(
        run_on(io,
               hold_connections(client, servers.h2_tls->url("/bytes/1000"), kStreamsPerConnection),
               threads),
        kStreamsPerConnection);
    EXPECT_EQ(requests_since(*servers.h2_tls, before),
              std::vector<std::uint64_t>{kStreamsPerConnection});
    expect_pool_settled(*transport);
    // h2c: every stream of every connection of its transport at once, 4 per connection.
    before = requests_by_connection(*servers.h2c);
    EXPECT_EQ(run_on(io,
                     hold_connections(client, servers.h2c->url("/bytes/1000"),
                                      kH2cConnections * kH2cStreams),
                     threads),
              kH2cConnections * kH2cStreams);
    EXPECT_EQ(requests_since(*servers.h2c, before),
              std::vector<std::uint64_t>(kH2cConnections, kH2cStreams));
    expect_pool_settled(*h2c_transport);

    // No socket lives outside the pools: the servers see exactly the pooled connections open.
    const std::size_t pooled =
        transport->pool_stats().connections + h2c_transport->pool_stats().connections;
    for (int i = 0; i < 500 && servers.open_connections() != pooled; ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(servers.open_connections(), pooled);
}

TEST(CancellationTorture, RandomCancellationsLeaveThePoolConsistent) {
    torture(1);
}

TEST(MultiThreadedCancellationTorture, RandomCancellationsOnFourThreads) {
    torture(4);
}

TEST(MultiThreadedCancellationTorture, UnstrandedCoroutinesShareOneClientOnFourThreads) {
    torture(4, Workers::bare_executor_no_cancellation);
}

}  // namespace
