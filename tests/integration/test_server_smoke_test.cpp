// The project's test server (tools/test_server) spoken to with raw Asio sockets: what the
// integration tests build on must itself be right.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "test_certificates.hpp"
#include "test_server.hpp"

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using httpx::testing::TestServer;
using namespace std::chrono_literals;

namespace {

struct Reply {
    std::string bytes;              // everything received until the server closed
    boost::system::error_code end;  // how reading ended (eof for a clean close)
};

// Writes `request` on `socket`, then reads until the server closes.
template <class Stream>
awaitable<Reply> write_then_read_all(Stream& stream, const std::string& request) {
    co_await asio::async_write(stream, asio::buffer(request), use_awaitable);
    Reply reply;
    char buffer[16384];
    for (;;) {
        auto token = asio::redirect_error(use_awaitable, reply.end);
        std::size_t n = co_await stream.async_read_some(asio::buffer(buffer), token);
        reply.bytes.append(buffer, n);
        if (reply.end) break;
    }
    co_return reply;
}

awaitable<Reply> plain_exchange(std::uint16_t port, std::string request) {
    tcp::socket socket(co_await asio::this_coro::executor);
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    co_await socket.async_connect(endpoint, use_awaitable);
    co_return co_await write_then_read_all(socket, request);
}

// Runs `task` with a deadline: a server that hangs fails the test instead of the suite.
template <class T>
T run_for(awaitable<T> task, std::chrono::milliseconds deadline = 5s) {
    asio::io_context io;
    auto future = asio::co_spawn(io, std::move(task), asio::use_future);
    io.run_for(deadline);
    if (future.wait_for(0s) != std::future_status::ready) {
        throw std::runtime_error("no complete answer before the deadline");
    }
    return future.get();
}

Reply talk(const TestServer& server, const std::string& request) {
    return run_for(plain_exchange(server.port(), request));
}

std::string get(std::string_view target) {
    return "GET " + std::string(target) +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
}

std::string body_of(const std::string& response) {
    auto end = response.find("\r\n\r\n");
    return end == std::string::npos ? std::string() : response.substr(end + 4);
}

std::string head_of(const std::string& response) {
    return response.substr(0, response.find("\r\n\r\n") + 2);
}

TEST(TestServer, HelloWorldAndCounters) {
    TestServer server;
    server.start();
    EXPECT_NE(server.port(), 0);
    EXPECT_EQ(server.url("/x"), "http://127.0.0.1:" + std::to_string(server.port()) + "/x");
    Reply reply = talk(server, get("/"));
    EXPECT_EQ(reply.end, asio::error::eof);
    EXPECT_TRUE(reply.bytes.starts_with("HTTP/1.1 200 OK\r\n")) << reply.bytes;
    EXPECT_NE(head_of(reply.bytes).find("Content-Length: 13\r\n"), std::string::npos);
    EXPECT_NE(head_of(reply.bytes).find("Connection: close\r\n"), std::string::npos);
    EXPECT_EQ(body_of(reply.bytes), "Hello, world!");
    EXPECT_EQ(server.connections_accepted(), 1u);
    EXPECT_EQ(server.requests_served(), 1u);
}

TEST(TestServer, KeepAliveServesPipelinedRequestsOnOneConnection) {
    TestServer server;
    server.start();
    const std::string requests =
        "GET /bytes/3 HTTP/1.1\r\nHost: a\r\n\r\n"
        "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" +
        get("/");
    Reply reply = talk(server, requests);
    EXPECT_NE(reply.bytes.find("\r\n\r\n012HTTP/1.1 200 OK\r\n"), std::string::npos) << reply.bytes;
    EXPECT_NE(reply.bytes.find("{\"bytes\":5,\"chunked\":false}HTTP/1.1 200"), std::string::npos);
    EXPECT_TRUE(reply.bytes.ends_with("\r\n\r\nHello, world!"));
    EXPECT_EQ(server.connections_accepted(), 1u);
    EXPECT_EQ(server.requests_served(), 3u);
}

TEST(TestServer, BytesHasContentLengthAndThePattern) {
    TestServer server;
    server.start();
    Reply reply = talk(server, get("/bytes/10"));
    EXPECT_NE(head_of(reply.bytes).find("Content-Length: 10\r\n"), std::string::npos);
    EXPECT_EQ(body_of(reply.bytes), "0123456789");
    EXPECT_EQ(body_of(reply.bytes), httpx::testing::pattern(0, 10));

    // Larger than one 64 KiB write, at an offset that is not a multiple of the period.
    reply = talk(server, get("/bytes/200001"));
    EXPECT_EQ(body_of(reply.bytes), httpx::testing::pattern(0, 200001));
}

TEST(TestServer, StreamIsChunkedInTheRequestedSize) {
    TestServer server;
    server.start();
    Reply reply = talk(server, get("/stream/10?chunk=4"));
    EXPECT_NE(head_of(reply.bytes).find("Transfer-Encoding: chunked\r\n"), std::string::npos);
    EXPECT_EQ(head_of(reply.bytes).find("Content-Length"), std::string::npos);
    EXPECT_EQ(body_of(reply.bytes), "4\r\n0123\r\n4\r\n4567\r\n2\r\n89\r\n0\r\n\r\n");
}

TEST(TestServer, EchoReturnsBodyAndContentType) {
    TestServer server;
    server.start();
    Reply reply = talk(server,
                       "POST /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
                       "Content-Type: application/x-test\r\nContent-Length: 11\r\n\r\nhello there");
    EXPECT_NE(head_of(reply.bytes).find("Content-Type: application/x-test\r\n"), std::string::npos);
    EXPECT_EQ(body_of(reply.bytes), "hello there");

    // A chunked request body comes back chunked... or with a length once it is all read: either
    // way its bytes are the same.
    reply = talk(server,
                 "POST /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    EXPECT_NE(head_of(reply.bytes).find("Content-Length: 5\r\n"), std::string::npos);
    EXPECT_EQ(body_of(reply.bytes), "abcde");
}

TEST(TestServer, MisbehaveTruncateClosesEarly) {
    TestServer server;
    server.start();
    Reply reply = talk(server, get("/misbehave/truncate"));
    EXPECT_EQ(reply.end, asio::error::eof);
    EXPECT_NE(head_of(reply.bytes).find("Content-Length: 100\r\n"), std::string::npos);
    EXPECT_EQ(body_of(reply.bytes), httpx::testing::pattern(0, 50));
}

TEST(TestServer, MisbehaveResetAbortsTheConnection) {
    TestServer server;
    server.start();
    Reply reply = talk(server, get("/misbehave/reset"));
    EXPECT_EQ(reply.end, asio::error::connection_reset);
    EXPECT_EQ(reply.bytes, "");
}

TEST(TestServer, MisbehaveGarbage) {
    TestServer server;
    server.start();
    EXPECT_EQ(talk(server, get("/misbehave/garbage")).bytes, "NOT HTTP\r\n\r\n");
}

TEST(TestServer, MalformedRequestGets400) {
    TestServer server;
    server.start();
    Reply reply = talk(server, "BLAH\r\n\r\n");
    EXPECT_TRUE(reply.bytes.starts_with("HTTP/1.1 400 Bad Request\r\n")) << reply.bytes;
}

TEST(TestServer, StopEndsStalledAndSlowConnectionsQuickly) {
    TestServer server;
    server.start();
    asio::io_context io;
    auto stalled = asio::co_spawn(io, plain_exchange(server.port(), get("/misbehave/stall")),
                                  asio::use_future);
    auto slow =
        asio::co_spawn(io, plain_exchange(server.port(), get("/slow?ms=60000")), asio::use_future);
    std::thread client([&io] { io.run_for(10s); });
    while (server.requests_served() < 2) std::this_thread::sleep_for(1ms);
    const auto before = std::chrono::steady_clock::now();
    server.stop();
    const auto took = std::chrono::steady_clock::now() - before;
    client.join();
    EXPECT_LT(took, 500ms);
    ASSERT_EQ(stalled.wait_for(0s), std::future_status::ready);
    EXPECT_EQ(stalled.get().bytes, "");
    EXPECT_EQ(slow.get().bytes, "");
    EXPECT_FALSE(server.running());
    server.stop();  // idempotent
}

TEST(TestServer, IdleCloseClosesIdleKeepAliveConnections) {
    TestServer::Options options;
    options.idle_close = 100ms;
    TestServer server(options);
    server.start();
    const auto before = std::chrono::steady_clock::now();
    Reply reply = talk(server, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");  // keep-alive
    const auto took = std::chrono::steady_clock::now() - before;
    EXPECT_EQ(reply.end, asio::error::eof);
    EXPECT_EQ(body_of(reply.bytes), "Hello, world!");
    EXPECT_GE(took, 90ms);
    EXPECT_LT(took, 2s);
}

awaitable<std::string> tls_get(std::uint16_t port, std::string ca_file, std::string host) {
    asio::ssl::context context(asio::ssl::context::tls_client);
    context.load_verify_file(ca_file);
    context.set_verify_mode(asio::ssl::verify_peer);
    asio::ssl::stream<tcp::socket> stream(co_await asio::this_coro::executor, context);
    stream.set_verify_callback(asio::ssl::host_name_verification(host));
    SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
    const unsigned char protocols[] = "\x02h2\x08http/1.1";
    SSL_set_alpn_protos(stream.native_handle(), protocols, sizeof protocols - 1);
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    co_await stream.next_layer().async_connect(endpoint, use_awaitable);
    co_await stream.async_handshake(asio::ssl::stream_base::client, use_awaitable);
    const unsigned char* alpn = nullptr;
    unsigned int alpn_length = 0;
    SSL_get0_alpn_selected(stream.native_handle(), &alpn, &alpn_length);
    std::string selected(reinterpret_cast<const char*>(alpn), alpn_length);
    const std::string request = get("/bytes/5");
    Reply reply = co_await write_then_read_all(stream, request);
    co_return selected + " " + body_of(reply.bytes);
}

TEST(TestServer, TlsWithGeneratedCertificates) {
    const auto directory = std::filesystem::temp_directory_path() /
                           ("httpxx-test-certs-" + std::to_string(::getpid()));
    const auto certificates = httpx::testing::make_test_certificates(directory);
    TestServer::Options options;
    options.tls = certificates.server();
    TestServer server(options);
    server.start();
    EXPECT_TRUE(server.url("/").starts_with("https://127.0.0.1:"));
    // Verified against the generated CA, by name and by IP address; ALPN picks http/1.1.
    EXPECT_EQ(run_for(tls_get(server.port(), certificates.ca_cert, "localhost")), "http/1.1 01234");
    EXPECT_EQ(run_for(tls_get(server.port(), certificates.ca_cert, "127.0.0.1")), "http/1.1 01234");
    EXPECT_THROW(run_for(tls_get(server.port(), certificates.ca_cert, "example.com")),
                 boost::system::system_error);
    server.stop();

    // The broken certificates fail verification.
    options.tls = certificates.expired();
    TestServer expired(options);
    expired.start();
    EXPECT_THROW(run_for(tls_get(expired.port(), certificates.ca_cert, "localhost")),
                 boost::system::system_error);
    options.tls = certificates.wrong_host();
    TestServer wrong_host(options);
    wrong_host.start();
    EXPECT_THROW(run_for(tls_get(wrong_host.port(), certificates.ca_cert, "localhost")),
                 boost::system::system_error);
    std::filesystem::remove_all(directory);
}

// ---- HTTP/2 (Options::http2) ---------------------------------------------------------------

struct Frame {
    std::uint8_t type = 0;
    std::uint8_t flags = 0;
    std::uint32_t stream = 0;
    std::string payload;
};

std::string frame_bytes(std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
                        std::string_view payload) {
    std::string out;
    out += static_cast<char>(payload.size() >> 16);
    out += static_cast<char>(payload.size() >> 8);
    out += static_cast<char>(payload.size());
    out += static_cast<char>(type);
    out += static_cast<char>(flags);
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(stream >> shift);
    out += payload;
    return out;
}

// A client with prior knowledge, in raw frames (tiny, to test the server, not HTTP/2).
class RawHttp2Client {
public:
    explicit RawHttp2Client(tcp::socket socket) : socket_(std::move(socket)) {}

    static awaitable<RawHttp2Client> connect(std::uint16_t port) {
        tcp::socket socket(co_await asio::this_coro::executor);
        const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
        co_await socket.async_connect(endpoint, use_awaitable);
        RawHttp2Client client(std::move(socket));
        co_await client.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame_bytes(4, 0, 0, ""));
        co_return client;
    }

    awaitable<void> send(std::string bytes) {
        co_await asio::async_write(socket_, asio::buffer(bytes), use_awaitable);
    }

    // GET `path` on `stream` (HPACK: :method GET, :scheme http, :path literal, :authority "a").
    awaitable<void> get(std::uint32_t stream, std::string path) {
        std::string block = "\x82\x86\x04";
        block += static_cast<char>(path.size());
        block += path;
        block += std::string_view(
            "\x01\x01"
            "a",
            3);
        co_await send(frame_bytes(1, 0x05, stream, block));
    }

    // The next frame; nullopt once the connection is closed.
    awaitable<std::optional<Frame>> next() {
        for (;;) {
            if (input_.size() >= 9) {
                const auto byte = [&](std::size_t i) {
                    return static_cast<std::uint32_t>(static_cast<unsigned char>(input_[i]));
                };
                const std::size_t length = (byte(0) << 16) | (byte(1) << 8) | byte(2);
                if (input_.size() >= 9 + length) {
                    Frame frame;
                    frame.type = static_cast<std::uint8_t>(byte(3));
                    frame.flags = static_cast<std::uint8_t>(byte(4));
                    frame.stream =
                        ((byte(5) & 0x7fu) << 24) | (byte(6) << 16) | (byte(7) << 8) | byte(8);
                    frame.payload = input_.substr(9, length);
                    input_.erase(0, 9 + length);
                    co_return frame;
                }
            }
            char buffer[16384];
            boost::system::error_code ec;
            std::size_t n = co_await socket_.async_read_some(
                asio::buffer(buffer), asio::redirect_error(use_awaitable, ec));
            if (ec) co_return std::nullopt;
            input_.append(buffer, n);
        }
    }

    // Frames until `stream` ends (END_STREAM or RST_STREAM), a GOAWAY, or the connection closes.
    awaitable<std::vector<Frame>> until_end(std::uint32_t stream) {
        std::vector<Frame> frames;
        while (auto frame = co_await next()) {
            frames.push_back(*frame);
            const bool ended = frame->stream == stream &&
                               (((frame->flags & 0x01) && frame->type <= 1) || frame->type == 3);
            if (ended || frame->type == 7) break;
        }
        co_return frames;
    }

private:
    tcp::socket socket_;
    std::string input_;
};

// GET `path` on stream 1 of a new connection: the frames until that stream ends.
awaitable<std::vector<Frame>> h2_get(std::uint16_t port, std::string path) {
    RawHttp2Client client = co_await RawHttp2Client::connect(port);
    co_await client.get(1, path);
    co_return co_await client.until_end(1);
}

std::string data_of_stream(const std::vector<Frame>& frames, std::uint32_t stream) {
    std::string body;
    for (const Frame& frame : frames) {
        if (frame.type == 0 && frame.stream == stream) body += frame.payload;
    }
    return body;
}

std::string data_of(const std::vector<Frame>& frames) {
    return data_of_stream(frames, 1);
}

TEST(TestServer, Http2PriorKnowledgeOnThePlainPort) {
    TestServer::Options options;
    options.http2 = true;
    TestServer server(options);
    server.start();
    const std::vector<Frame> frames = run_for(h2_get(server.port(), "/bytes/5"));
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(frames.front().type, 4);  // the server's preface is a SETTINGS frame
    const auto headers = std::find_if(frames.begin(), frames.end(), [](const Frame& frame) {
        return frame.type == 1 && frame.stream == 1;
    });
    ASSERT_NE(headers, frames.end());
    EXPECT_EQ(static_cast<unsigned char>(headers->payload.front()), 0x88);  // :status: 200
    EXPECT_EQ(data_of(frames), "01234");
    EXPECT_EQ(server.requests_served(), 1u);
    const auto stats = server.connection_stats();
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].id, 1u);
    EXPECT_EQ(stats[0].protocol, "HTTP/2");
    EXPECT_EQ(stats[0].requests, 1u);
    EXPECT_EQ(stats[0].peak_streams, 1u);
    EXPECT_EQ(server.peak_concurrent_streams(), 1u);
}

TEST(TestServer, Http2OnStillServesHttp11WithoutThePreface) {
    TestServer::Options options;
    options.http2 = true;
    TestServer server(options);
    server.start();
    Reply reply = talk(server, get("/"));
    EXPECT_TRUE(reply.bytes.starts_with("HTTP/1.1 200 OK\r\n")) << reply.bytes;
    EXPECT_EQ(body_of(reply.bytes), "Hello, world!");
    // A request line that shares the preface's first letter is still HTTP/1.1.
    reply = talk(server,
                 "PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nConnection: "
                 "close\r\n\r\nhi");
    EXPECT_EQ(body_of(reply.bytes), "{\"bytes\":2,\"chunked\":false}");
    const auto stats = server.connection_stats();
    ASSERT_EQ(stats.size(), 2u);
    EXPECT_EQ(stats[0].protocol, "HTTP/1.1");
    EXPECT_EQ(stats[1].protocol, "HTTP/1.1");
    EXPECT_EQ(stats[1].requests, 1u);
    EXPECT_EQ(server.peak_concurrent_streams(), 0u);
}

TEST(TestServer, Http2ResetAndTrailersRoutes) {
    TestServer::Options options;
    options.http2 = true;
    TestServer server(options);
    server.start();
    std::vector<Frame> frames = run_for(h2_get(server.port(), "/h2/reset?code=8"));
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(frames.back().type, 3);                                // RST_STREAM
    EXPECT_EQ(frames.back().payload, std::string("\0\0\0\x08", 4));  // CANCEL

    frames = run_for(h2_get(server.port(), "/trailers"));
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(data_of(frames), "Hello, world!");
    // The stream ends with a second HEADERS frame (the trailers), after the DATA.
    EXPECT_EQ(frames.back().type, 1);
    EXPECT_EQ(std::count_if(frames.begin(), frames.end(),
                            [](const Frame& frame) { return frame.type == 1; }),
              2);
    for (const Frame& frame : frames) {
        if (frame.type == 0) {
            EXPECT_EQ(frame.flags & 0x01, 0);
        }
    }
}

TEST(TestServer, Http2StopEndsAStalledStream) {
    TestServer::Options options;
    options.http2 = true;
    TestServer server(options);
    server.start();
    asio::io_context io;
    auto stalled = asio::co_spawn(io, h2_get(server.port(), "/misbehave/stall"), asio::use_future);
    std::thread client([&io] { io.run_for(10s); });
    while (server.requests_served() < 1) std::this_thread::sleep_for(1ms);
    server.stop();
    client.join();
    ASSERT_EQ(stalled.wait_for(0s), std::future_status::ready);
    EXPECT_EQ(data_of(stalled.get()), "");
    EXPECT_FALSE(server.running());
}

// Cancels a big download after its first DATA frame, then uses the same connection again.
awaitable<std::string> cancel_then_get(std::uint16_t port, const TestServer* server) {
    RawHttp2Client client = co_await RawHttp2Client::connect(port);
    co_await client.get(1, "/bytes/1000000000");
    while (auto frame = co_await client.next()) {
        if (frame->type == 0 && frame->stream == 1) break;
    }
    co_await client.send(frame_bytes(3, 0, 1, std::string("\0\0\0\x08", 4)));  // CANCEL
    // Stream 1 used up the connection's flow-control window: give it room for the next answer.
    co_await client.send(frame_bytes(8, 0, 0, std::string("\0\x10\0\0", 4)));
    // The server notices, and its route stops (the stream is no longer open).
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int i = 0; i < 500; ++i) {
        const auto stats = server->connection_stats();
        if (stats.at(0).resets_received == 1 && stats.at(0).open_streams == 0) break;
        timer.expires_after(10ms);
        co_await timer.async_wait(use_awaitable);
    }
    co_await client.get(3, "/");
    co_return data_of_stream(co_await client.until_end(3), 3);
}

TEST(TestServer, Http2StreamResetByTheClientLeavesTheConnectionUsable) {
    TestServer::Options options;
    options.http2 = true;
    TestServer server(options);
    server.start();
    EXPECT_EQ(run_for(cancel_then_get(server.port(), &server), 10s), "Hello, world!");
    const auto stats = server.connection_stats();
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].resets_received, 1u);
    EXPECT_EQ(stats[0].requests, 2u);
}

awaitable<std::string> tls_alpn(std::uint16_t port, std::string ca_file, std::string offer) {
    asio::ssl::context context(asio::ssl::context::tls_client);
    context.load_verify_file(ca_file);
    context.set_verify_mode(asio::ssl::verify_peer);
    asio::ssl::stream<tcp::socket> stream(co_await asio::this_coro::executor, context);
    SSL_set_alpn_protos(stream.native_handle(),
                        reinterpret_cast<const unsigned char*>(offer.data()),
                        static_cast<unsigned int>(offer.size()));
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    co_await stream.next_layer().async_connect(endpoint, use_awaitable);
    co_await stream.async_handshake(asio::ssl::stream_base::client, use_awaitable);
    const unsigned char* alpn = nullptr;
    unsigned int alpn_length = 0;
    SSL_get0_alpn_selected(stream.native_handle(), &alpn, &alpn_length);
    co_return std::string(reinterpret_cast<const char*>(alpn), alpn_length);
}

TEST(TestServer, Http2AlpnPrefersH2AndFallsBackToHttp11) {
    const auto directory = std::filesystem::temp_directory_path() /
                           ("httpxx-test-certs-h2-" + std::to_string(::getpid()));
    const auto certificates = httpx::testing::make_test_certificates(directory);
    TestServer::Options options;
    options.tls = certificates.server();
    options.http2 = true;
    TestServer server(options);
    server.start();
    const std::string both("\x08http/1.1\x02h2", 12);
    const std::string http11("\x08http/1.1", 9);
    EXPECT_EQ(run_for(tls_alpn(server.port(), certificates.ca_cert, both)), "h2");
    EXPECT_EQ(run_for(tls_alpn(server.port(), certificates.ca_cert, http11)), "http/1.1");
    server.stop();

    options.http1 = false;  // HTTP/2 only: a client without h2 fails the handshake
    TestServer only(options);
    only.start();
    EXPECT_EQ(run_for(tls_alpn(only.port(), certificates.ca_cert, both)), "h2");
    EXPECT_THROW(run_for(tls_alpn(only.port(), certificates.ca_cert, http11)),
                 boost::system::system_error);
    std::filesystem::remove_all(directory);
}

}  // namespace
