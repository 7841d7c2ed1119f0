// Limits against hostile servers: the test server's /misbehave/* routes attack the client's
// bounds (header section size and count, endless lines and bodies, framing overflows, request
// smuggling, a decompression bomb). Each ends in a RemoteProtocolError (or the documented way of
// bounding a body) and leaves the client usable with no pool slot held.
#include <gtest/gtest.h>

#include "client_fixture.hpp"
#include "gzip_bomb.hpp"
#include "httpx/httpx.hpp"
#include "resident_memory.hpp"
#include "run_async.hpp"
#include "test_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <fstream>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using httpx::testing::TestServer;

namespace {

using httpx::test::resident_bytes;

struct HostileServer : ::testing::Test, httpx::test::ClientFixture {
    TestServer server;

    void SetUp() override {
        server.start();
        make_client({}, httpx::Timeout(20s));
    }
    std::string url(std::string_view path) const { return server.url(path); }

    // The client still works, and no connection or waiter is left behind.
    void expect_client_usable() {
        EXPECT_EQ(run(client->get(url("/"))).text(), "Hello, world!");
        const auto stats = transport->pool_stats();
        EXPECT_EQ(stats.waiting, 0u);
        EXPECT_EQ(stats.connections, stats.idle);
    }
};

// The message of the RemoteProtocolError that GET `path` raises ("" when none).
std::string protocol_error_of(HostileServer& t, std::string_view path) {
    try {
        t.run(t.client->get(t.url(path)));
    } catch (const httpx::RemoteProtocolError& e) {
        return e.what();
    }
    return "";
}

TEST_F(HostileServer, OversizedHeaderSectionsAreRefused) {
    EXPECT_EQ(protocol_error_of(*this, "/misbehave/huge_head"),
              "response header section is larger than 102400 bytes");
    expect_client_usable();
    EXPECT_EQ(protocol_error_of(*this, "/misbehave/many_headers"),
              "header section has more than 256 fields");
    expect_client_usable();
}

TEST_F(HostileServer, AHeaderLineThatNeverEndsIsCutOffAtTheLimit) {
    // The server would write forever: the client stops reading at the header limit.
    EXPECT_EQ(protocol_error_of(*this, "/misbehave/endless_line"),
              "response header section is larger than 102400 bytes");
    expect_client_usable();
}

TEST_F(HostileServer, FramingThatOverflows64BitsIsRefused) {
    const auto chunk = protocol_error_of(*this, "/misbehave/chunk_overflow");
    EXPECT_TRUE(chunk.starts_with("invalid chunk in chunked body")) << chunk;
    expect_client_usable();
    EXPECT_EQ(protocol_error_of(*this, "/misbehave/huge_length"),
              "invalid Content-Length header (not a number, or too large)");
    expect_client_usable();
}

TEST_F(HostileServer, ContentLengthWithTransferEncodingIsRefused) {
    // Which of the two ends the body decides where the next response starts: a smuggling vector.
    EXPECT_EQ(protocol_error_of(*this, "/misbehave/smuggle"),
              "response has both Content-Length and Transfer-Encoding");
    expect_client_usable();
}

// The documented way to bound a body (README, "Bounding a response body"): stream it and stop at
// a byte budget. Closing the response drops the connection, never returns it to the pool.
httpx::awaitable<std::uint64_t> read_with_budget(httpx::AsyncClient& client, std::string url,
                                                 std::uint64_t budget) {
    httpx::Response response = co_await client.stream("GET", url);
    std::uint64_t received = 0;
    auto chunks = response.aiter_bytes();
    while (auto chunk = co_await chunks.next()) {
        received += chunk->size();
        if (received > budget) break;
    }
    co_await response.aclose();
    co_return received;
}

TEST_F(HostileServer, AnEndlessBodyIsBoundedByStreamingWithABudget) {
    const auto received = run(read_with_budget(*client, url("/misbehave/endless_body"), 1 << 20));
    EXPECT_GT(received, 1u << 20);
    EXPECT_LT(received, (1u << 20) + (1u << 17));        // stopped within a chunk or two
    EXPECT_EQ(transport->pool_stats().connections, 0u);  // not pooled half-read
    expect_client_usable();
}

TEST_F(HostileServer, ADecompressionBombIsBoundedByStreamingWithABudget) {
    // 1827 bytes on the wire; the budget counts decoded bytes, so it stops the bomb early.
    const auto received = run(read_with_budget(*client, url("/misbehave/gzip_bomb"), 8 << 20));
    EXPECT_GT(received, 8u << 20);
    EXPECT_LT(received, (8u << 20) + (1u << 17));
    expect_client_usable();
}

TEST_F(HostileServer, StreamingADecompressionBombKeepsMemoryFlat) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "ASan's quarantine keeps freed memory resident: RSS says nothing here";
#endif
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response r = co_await client->stream("GET", url("/misbehave/gzip_bomb"));
        EXPECT_EQ(r.headers().get("Content-Encoding"), "gzip, gzip");
        auto chunks = r.aiter_bytes();
        std::uint64_t total = 0;
        std::size_t rss_at_start = 0, rss_peak = 0;
        bool all_zero = true;
        while (auto chunk = co_await chunks.next()) {
            total += chunk->size();
            all_zero = all_zero && chunk->find_first_not_of('\0') == std::string::npos;
            if (rss_at_start == 0 && total > (16u << 20)) rss_at_start = resident_bytes();
            if (total % (64u << 20) < chunk->size())
                rss_peak = std::max(rss_peak, resident_bytes());
        }
        EXPECT_EQ(total, httpx::testing::kGzipBombDecodedSize);
        EXPECT_TRUE(all_zero);
        EXPECT_LT(rss_peak, rss_at_start + (16u << 20)) << "RSS grew while streaming";
    };
    run(task());
    expect_client_usable();
}

}  // namespace
