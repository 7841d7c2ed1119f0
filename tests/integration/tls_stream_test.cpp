// TLS over a NetworkStream that is not a socket: the TLS stream asks the stream beneath it for
// nothing but its reads and writes (a proxy's CONNECT tunnel, TLS in TLS). Exercises the
// transport's connector seam (HTTPTransportAccess::set_connector) on the way.
#include "net/tls_stream.hpp"

#include <gtest/gtest.h>

#include "httpx/httpx.hpp"
#include "net/connect.hpp"
#include "net/connector.hpp"
#include "net/tls_context.hpp"
#include "plain_and_tls_servers.hpp"
#include "run_async.hpp"
#include "transport/http_transport_access.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include <atomic>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Passes reads and writes on, and nothing else: no read_now(), no write_now(), no socket.
class OpaqueStream final : public httpx::net::NetworkStream {
public:
    OpaqueStream(std::unique_ptr<NetworkStream> inner, std::atomic<int>& reads)
        : inner_(std::move(inner)), reads_(reads) {}
    httpx::awaitable<std::size_t> read_some(asio::mutable_buffer buffer) override {
        ++reads_;
        return inner_->read_some(buffer);
    }
    httpx::awaitable<void> write(std::span<const asio::const_buffer> buffers) override {
        return inner_->write(buffers);
    }
    void close() noexcept override { inner_->close(); }
    bool is_readable() const override { return inner_->is_readable(); }

private:
    std::unique_ptr<NetworkStream> inner_;
    std::atomic<int>& reads_;
};

// Opens TCP, puts an OpaqueStream over it and TLS over that.
class OpaqueTlsConnector final : public httpx::net::Connector {
public:
    OpaqueTlsConnector(httpx::net::ConnectSettings settings, std::atomic<int>& reads)
        : settings_(std::move(settings)), reads_(reads) {}

    httpx::awaitable<std::unique_ptr<httpx::net::NetworkStream>> connect(
        const httpx::net::Destination& to, std::optional<std::chrono::duration<double>>) override {
        auto executor = co_await asio::this_coro::executor;
        auto socket = co_await httpx::net::open_socket(to.host, to.port, settings_, executor);
        std::unique_ptr<httpx::net::NetworkStream> opaque =
            std::make_unique<OpaqueStream>(std::move(socket), reads_);
        if (!to.tls) co_return opaque;
        co_return co_await httpx::net::start_tls(std::move(opaque), *settings_.tls, to.tls_name(),
                                                 executor);
    }

private:
    httpx::net::ConnectSettings settings_;
    std::atomic<int>& reads_;
};

httpx::awaitable<std::string> get_twice(httpx::AsyncClient& client, std::string url) {
    httpx::Response first = co_await client.get(url);
    httpx::Response second = co_await client.get(url);  // the same connection, kept alive
    co_return first.text() + " " + second.text() + " " + std::string(second.http_version());
}

}  // namespace

TEST(TlsStream, RunsOverAStreamThatOnlyReadsAndWrites) {
    asio::io_context io;  // first: the client's sockets are closed before their io_context goes
    httpx::test::PlainAndTlsServers servers("tls-stream");
    std::atomic<int> reads = 0;
    httpx::net::ConnectSettings settings;
    settings.tls = httpx::net::make_tls_settings(servers.certs.ca_cert, std::nullopt, true, false);
    httpx::HTTPTransportOptions transport_options;
    transport_options.verify = servers.certs.ca_cert;
    auto transport = std::make_shared<httpx::AsyncHTTPTransport>(transport_options);
    httpx::detail::HTTPTransportAccess::set_connector(
        *transport, std::make_shared<OpaqueTlsConnector>(settings, reads));
    httpx::ClientOptions options;
    options.transport = transport;
    options.timeout = httpx::Timeout(10s);
    httpx::AsyncClient client(options);

    EXPECT_EQ(httpx::test::run_on(io, get_twice(client, servers.tls_origin() + "/")),
              "Hello, world! Hello, world! HTTP/1.1");
    EXPECT_GT(reads.load(), 0);  // the handshake and the responses came through it
    EXPECT_EQ(transport->pool_stats().connections, 1u);
}
