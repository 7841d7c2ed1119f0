// Interop over HTTP/2: AsyncClient's AsyncHTTPTransport against nginx (h2 over TLS by ALPN, h2c
// with prior knowledge, a GOAWAY after 10 requests, 2 streams per connection, PUT uploads) and
// nghttpd (h2c, trailers, echoed uploads), all started on loopback by tests/interop/run.sh.
// Without its HTTPXX_INTEROP_* variables every test is skipped.
#include <gtest/gtest.h>

#include "client_fixture.hpp"
#include "httpx/async_generator.hpp"
#include "httpx/http_transport.hpp"
#include "httpx/httpx.hpp"
#include "interop_support.hpp"
#include "resident_memory.hpp"
#include "run_async.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
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

using httpx::test::await_future;
using httpx::test::resident_bytes;

// Byte i of the uploads below (period 253, a prime unlike any I/O size).
char upload_byte(std::uint64_t i) {
    return static_cast<char>('0' + i % 253 % 75);
}

httpx::AsyncGenerator<httpx::Bytes> upload_chunks(std::uint64_t size, std::size_t chunk) {
    for (std::uint64_t offset = 0; offset < size; offset += chunk) {
        httpx::Bytes piece(static_cast<std::size_t>(std::min<std::uint64_t>(chunk, size - offset)),
                           '\0');
        for (std::size_t i = 0; i < piece.size(); ++i) piece[i] = upload_byte(offset + i);
        co_yield std::move(piece);
    }
}

struct H2Interop : ::testing::Test, httpx::test::ClientFixture, httpx::interop::NginxAccessLog {
    std::string h2_tls, h2c, h2c_goaway, h2c_two_streams, nghttpd, http11_tls, http11, static_dir,
        ca;

    void SetUp() override {
        h2_tls = env("HTTPXX_INTEROP_NGINX_H2_TLS_URL");
        h2c = env("HTTPXX_INTEROP_NGINX_H2C_URL");
        h2c_goaway = env("HTTPXX_INTEROP_NGINX_H2C_GOAWAY_URL");
        h2c_two_streams = env("HTTPXX_INTEROP_NGINX_H2C_TWO_STREAMS_URL");
        nghttpd = env("HTTPXX_INTEROP_NGHTTPD_URL");
        http11_tls = env("HTTPXX_INTEROP_NGINX_TLS_URL");
        http11 = env("HTTPXX_INTEROP_NGINX_URL");
        static_dir = env("HTTPXX_INTEROP_NGINX_STATIC_DIR");
        access_log = env("HTTPXX_INTEROP_NGINX_ACCESS_LOG");
        ca = env("HTTPXX_INTEROP_CA");
        if (h2_tls.empty() || h2c.empty() || nghttpd.empty() || static_dir.empty())
            GTEST_SKIP() << "run through tests/interop/run.sh (HTTPXX_INTEROP_* unset)";
    }

    // http2 on; `prior_knowledge` turns HTTP/1.1 off (h2c on plain TCP).
    void make_client(bool http2, bool prior_knowledge = false) {
        httpx::HTTPTransportOptions options;
        options.verify = ca;
        options.http2 = http2;
        options.http1 = !prior_knowledge;
        ClientFixture::make_client(std::move(options), httpx::Timeout(20s));
    }

    std::string file(std::string_view name) const {
        return read_file(static_dir + "/" + std::string(name));
    }

    // `n` concurrent GETs of `path?marker-i`; returns how many answered 200 with `body`.
    httpx::awaitable<int> concurrent_gets(std::string base, std::string path, std::string marker,
                                          int n, std::string body) {
        auto executor = co_await asio::this_coro::executor;
        std::vector<std::future<httpx::Response>> futures;
        for (int i = 0; i < n; ++i) {
            httpx::URL u = base + path + "?" + marker + "-" + std::to_string(i);
            futures.push_back(asio::co_spawn(executor, client->get(u), asio::use_future));
        }
        int ok = 0;
        for (auto& f : futures) {
            httpx::Response r = co_await await_future(f);
            ok += r.status_code() == 200 && r.http_version() == "HTTP/2" && r.content() == body;
        }
        co_return ok;
    }
};

// ---------------------------------------------------------------------------------------------
// Negotiation

TEST_F(H2Interop, AlpnChoosesH2WhenTheClientOffersIt) {
    make_client(true);
    httpx::Response r = run(client->get(h2_tls + "/hello.txt"));
    EXPECT_EQ(r.http_version(), "HTTP/2");
    EXPECT_EQ(r.text(), file("hello.txt"));
    EXPECT_EQ(r.headers()["content-length"], std::to_string(file("hello.txt").size()));
}

TEST_F(H2Interop, AlpnStaysOnHttp11WhenTheClientDoesNotOfferH2) {
    make_client(false);
    httpx::Response r = run(client->get(h2_tls + "/hello.txt"));
    EXPECT_EQ(r.http_version(), "HTTP/1.1");
    EXPECT_EQ(r.text(), file("hello.txt"));
}

TEST_F(H2Interop, AlpnFallsBackToHttp11WhenTheServerHasNoH2) {
    make_client(true);
    httpx::Response r = run(client->get(http11_tls + "/hello.txt"));
    EXPECT_EQ(r.http_version(), "HTTP/1.1");
    EXPECT_EQ(r.text(), file("hello.txt"));
}

TEST_F(H2Interop, PlainHttpSpeaksH2OnlyWithPriorKnowledge) {
    make_client(true);  // http1 still on: no h2c without prior knowledge (as httpcore)
    EXPECT_EQ(run(client->get(http11 + "/hello.txt")).http_version(), "HTTP/1.1");
    make_client(true, true);
    httpx::Response r = run(client->get(h2c + "/hello.txt"));
    EXPECT_EQ(r.http_version(), "HTTP/2");
    EXPECT_EQ(r.text(), file("hello.txt"));
    httpx::Response n = run(client->get(nghttpd + "/hello.txt"));
    EXPECT_EQ(n.http_version(), "HTTP/2");
    EXPECT_EQ(n.text(), file("hello.txt"));
}

// ---------------------------------------------------------------------------------------------
// Multiplexing

TEST_F(H2Interop, AHundredConcurrentRequestsShareOneConnection) {
    for (const std::string& base : {h2_tls, h2c}) {
        make_client(true, base == h2c);
        const std::string marker = unique_marker("hundred");
        EXPECT_EQ(run(concurrent_gets(base, "/hello.txt", marker, 100, file("hello.txt"))), 100)
            << base;
        auto lines = log_lines(marker, 100);
        EXPECT_EQ(lines.size(), 100u);
        EXPECT_EQ(connection_ids(lines).size(), 1u) << "nginx saw more than one connection";
        auto stats = transport->pool_stats();
        EXPECT_EQ(stats.connections, 1u);
        EXPECT_EQ(stats.idle, 1u);
        EXPECT_EQ(stats.waiting, 0u);
    }
}

TEST_F(H2Interop, MaxConcurrentStreamsOverflowOpensASecondConnection) {
    make_client(true, true);
    const std::string marker = unique_marker("two-streams");
    auto task = [&]() -> httpx::awaitable<void> {
        // Four responses held open: nginx allows two streams per connection.
        auto executor = co_await asio::this_coro::executor;
        std::vector<std::future<httpx::Response>> futures;
        for (int i = 0; i < 4; ++i) {
            httpx::URL u = h2c_two_streams + "/big.bin?" + marker + "-" + std::to_string(i);
            futures.push_back(asio::co_spawn(executor, client->stream("GET", u), asio::use_future));
        }
        std::vector<httpx::Response> open;
        for (auto& f : futures) open.push_back(co_await await_future(f));
        EXPECT_EQ(transport->pool_stats().connections, 2u);
        for (auto& r : open) {
            EXPECT_EQ(r.http_version(), "HTTP/2");
            EXPECT_EQ(co_await r.aread(), file("big.bin"));
        }
    };
    run(task());
    EXPECT_EQ(connection_ids(log_lines(marker, 4)).size(), 2u);
}

TEST_F(H2Interop, GoawayStreamsAreRetriedOnANewConnection) {
    // nginx says GOAWAY after 10 requests on a connection; the streams it did not take are
    // sent again on the next connection, and the connection that said GOAWAY takes no more.
    make_client(true, true);
    const std::string marker = unique_marker("goaway");
    EXPECT_EQ(run(concurrent_gets(h2c_goaway, "/hello.txt", marker, 35, file("hello.txt"))), 35);
    auto lines = log_lines(marker, 35);
    EXPECT_EQ(lines.size(), 35u);  // each request processed once
    std::map<std::string, int> per_connection;
    for (const auto& line : lines) ++per_connection[line.substr(0, line.find(' '))];
    EXPECT_GE(per_connection.size(), 4u);
    for (const auto& [id, count] : per_connection) EXPECT_LE(count, 10) << "connection " << id;

    // Sequentially too: the 11th request goes to a new connection.
    const std::string sequential = unique_marker("goaway-seq");
    auto task = [&]() -> httpx::awaitable<int> {
        int ok = 0;
        for (int i = 0; i < 25; ++i) {
            httpx::URL u = h2c_goaway + "/hello.txt?" + sequential + "-" + std::to_string(i);
            httpx::Response r = co_await client->get(u);
            ok += r.status_code() == 200;
        }
        co_return ok;
    };
    EXPECT_EQ(run(task()), 25);
    EXPECT_GE(connection_ids(log_lines(sequential, 25)).size(), 3u);
}

// ---------------------------------------------------------------------------------------------
// Streaming and flow control

TEST_F(H2Interop, Streams64MiBDownloads) {
    const std::string expected = file("big64.bin");
    ASSERT_EQ(expected.size(), 64u << 20);
    for (const std::string& base : {h2_tls, h2c}) {
        make_client(true, base == h2c);
        auto task = [&]() -> httpx::awaitable<void> {
            httpx::Response r = co_await client->stream("GET", base + "/big64.bin");
            EXPECT_EQ(r.http_version(), "HTTP/2");
            auto chunks = r.aiter_bytes();
            std::size_t total = 0, largest = 0;
            bool same = true;
            while (auto chunk = co_await chunks.next()) {
                same &= expected.compare(total, chunk->size(), *chunk) == 0;
                total += chunk->size();
                largest = std::max(largest, chunk->size());
            }
            EXPECT_EQ(total, expected.size());
            EXPECT_TRUE(same);
            EXPECT_LE(largest, 1u << 20);  // streamed, never buffered whole
        };
        run(task());
    }
}

TEST_F(H2Interop, Uploads64MiBStreamedAsDataFrames) {
    constexpr std::uint64_t size = 64ull << 20;
    for (const std::string& base : {h2_tls, h2c}) {
        make_client(true, base == h2c);
        const std::string name = unique_marker("upload") + ".bin";
        auto task = [&]() -> httpx::awaitable<void> {
            httpx::RequestOptions options;
            options.content = httpx::AsyncByteStream(upload_chunks(size, 100'000));
            httpx::Response r = co_await client->put(base + "/uploads/" + name, options);
            EXPECT_EQ(r.http_version(), "HTTP/2");
            EXPECT_EQ(r.status_code(), 201);
        };
        run(task());
        const std::string stored = file("uploads/" + name);
        ASSERT_EQ(stored.size(), size);
        bool same = true;
        for (std::uint64_t i = 0; i < size; ++i) same &= stored[i] == upload_byte(i);
        EXPECT_TRUE(same) << base;
    }
}

TEST_F(H2Interop, NghttpdEchoesAStreamedUploadAndSendsTrailers) {
    make_client(true, true);
    constexpr std::uint64_t size = 3ull << 20;
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::RequestOptions options;
        options.content = httpx::AsyncByteStream(upload_chunks(size, 65'536));
        httpx::Response r = co_await client->post(nghttpd + "/echo", options);
        EXPECT_EQ(r.http_version(), "HTTP/2");
        EXPECT_EQ(r.content().size(), size);
        bool same = r.content().size() == size;
        for (std::uint64_t i = 0; same && i < size; ++i) same = r.content()[i] == upload_byte(i);
        EXPECT_TRUE(same);

        httpx::Response t = co_await client->get(nghttpd + "/hello.txt");
        EXPECT_EQ(t.text(), file("hello.txt"));
        auto trailers =
            std::any_cast<std::shared_ptr<const httpx::Headers>>(t.extensions()["trailers"]);
        EXPECT_TRUE(trailers && trailers->get("x-interop-trailer") == "done");
    };
    run(task());
}

TEST_F(H2Interop, ASlowReaderHoldsBackOnlyItsOwnStream) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "ASan's quarantine keeps freed memory resident: RSS says nothing here";
#endif
    make_client(true, true);
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response slow = co_await client->stream("GET", h2c + "/big64.bin");
        auto chunks = slow.aiter_bytes();
        auto first = co_await chunks.next();
        EXPECT_TRUE(first);
        if (!first) co_return;
        const std::size_t rss_before = resident_bytes();
        // The reader stalls: the server may send no more than the stream window meanwhile,
        // and the connection still carries other requests.
        for (int i = 0; i < 10; ++i) {
            httpx::Response other = co_await client->get(h2c + "/hello.txt");
            EXPECT_EQ(other.text(), file("hello.txt"));
            co_await httpx::sleep(30ms);
        }
        EXPECT_LT(resident_bytes(), rss_before + (16u << 20)) << "the slow stream was buffered";
        EXPECT_EQ(transport->pool_stats().connections, 1u);
        std::size_t total = first->size();
        while (auto chunk = co_await chunks.next()) total += chunk->size();
        EXPECT_EQ(total, 64u << 20);
    };
    run(task());
}

// ---------------------------------------------------------------------------------------------
// Cancellation

TEST_F(H2Interop, ClosingOrCancellingOneStreamLeavesTheOthersAndTheConnection) {
    make_client(true, true);
    const std::string marker = unique_marker("cancel");
    auto task = [&]() -> httpx::awaitable<void> {
        auto executor = co_await asio::this_coro::executor;
        std::vector<httpx::Response> open;
        for (int i = 0; i < 6; ++i) {
            httpx::URL u = h2c + "/big.bin?" + marker + "-" + std::to_string(i);
            open.push_back(co_await client->stream("GET", u));
        }
        // One closed early (RST_STREAM CANCEL), one cancelled while it reads its body.
        co_await open[0].aclose();
        asio::cancellation_signal cancel;
        httpx::URL big = h2c + "/big64.bin?" + marker + "-cancelled";
        auto cancelled =
            asio::co_spawn(executor, client->get(big),
                           asio::bind_cancellation_slot(cancel.slot(), asio::use_future));
        co_await httpx::sleep(20ms);
        cancel.emit(asio::cancellation_type::terminal);
        bool threw = false;
        try {
            co_await await_future(cancelled);
        } catch (const std::exception&) {
            threw = true;
        }
        EXPECT_TRUE(threw);
        for (std::size_t i = 1; i < open.size(); ++i)
            EXPECT_EQ(co_await open[i].aread(), file("big.bin"));
        httpx::Response after = co_await client->get(h2c + "/hello.txt?" + marker + "-after");
        EXPECT_EQ(after.text(), file("hello.txt"));
        auto stats = transport->pool_stats();
        EXPECT_EQ(stats.connections, 1u);
        EXPECT_EQ(stats.idle, 1u);
    };
    run(task());
    EXPECT_EQ(connection_ids(log_lines(marker, 7)).size(), 1u);
}

}  // namespace
