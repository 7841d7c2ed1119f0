// The test server: the accept loop, the choice of protocol for each connection, and TestServer.
//   connection.hpp            the byte stream (plain TCP or TLS), timers, closing
//   serve()                   TLS handshake, then ALPN ("h2" / "http/1.1") or, on plain TCP
//                             with HTTP/2 enabled, a look at the first bytes for the preface
//   http1_exchange.cpp        HTTP/1.1 requests on a connection
//   http2_server_session.cpp  HTTP/2 (nghttp2) on a connection
//   routes.cpp                path -> handler, written once for both protocols
#include "test_server.hpp"

#include "httpx/io_backend.hpp"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "connection.hpp"
#include "http1_exchange.hpp"
#include "http2_server_session.hpp"
#include "server_state.hpp"

namespace httpx::testing {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;
using detail::ServerState;

namespace {

// What a client with HTTP/2 prior knowledge sends first (RFC 9113, 3.4).
constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
static_assert(kHttp2Preface.size() == 24);

// ALPN protocols in the server's order of preference, in wire format.
std::string alpn_protocols(const TestServer::Options& options) {
    std::string protocols;
    if (options.http2) protocols += std::string_view("\x02h2");
    if (!options.http2 || options.http1) protocols += std::string_view("\x08http/1.1");
    return protocols;
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void* arg) {
    const auto& state = *static_cast<const ServerState*>(arg);
    unsigned char* selected = nullptr;
    const auto* server = reinterpret_cast<const unsigned char*>(state.alpn_protocols.data());
    if (SSL_select_next_proto(&selected, outlen, server,
                              static_cast<unsigned int>(state.alpn_protocols.size()), in,
                              inlen) != OPENSSL_NPN_NEGOTIATED) {
        // No common protocol: go on without ALPN (HTTP/1.1), unless HTTP/1.1 is off (RFC 7301:
        // no_application_protocol).
        return state.options.http1 ? SSL_TLSEXT_ERR_NOACK : SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

// Plain TCP with HTTP/2 on: reads until the first bytes either are the HTTP/2 preface or cannot
// be (they stay in connection.input() for the protocol chosen). nullopt: closed before a byte.
awaitable<std::optional<bool>> starts_with_preface(Connection& connection) {
    auto& input = connection.input();
    for (;;) {
        const std::string_view seen(static_cast<const char*>(input.data().data()), input.size());
        const std::size_t compared = std::min(seen.size(), kHttp2Preface.size());
        if (seen.substr(0, compared) != kHttp2Preface.substr(0, compared)) co_return false;
        if (compared == kHttp2Preface.size()) co_return true;
        error_code ec;
        const std::size_t n = co_await connection.read_some(input.prepare(4096), ec);
        if (ec) {
            if (seen.empty()) co_return std::nullopt;
            co_return false;  // HTTP/1.1 will make sense of the few bytes (or answer 400)
        }
        input.commit(n);
    }
}

awaitable<void> serve(std::shared_ptr<Connection> connection) {
    try {
        const auto& options = connection->server().options;
        bool http2 = false;
        if (connection->is_tls()) {
            co_await connection->handshake();
            http2 = connection->alpn() == "h2" || (options.http2 && !options.http1);
        } else if (options.http2 && !options.http1) {
            http2 = true;
        } else if (options.http2) {
            auto preface = co_await starts_with_preface(*connection);
            if (!preface) {
                connection->close();
                co_return;
            }
            http2 = *preface;
        }
        if (http2) {
            co_await detail::serve_http2(connection);
        } else {
            co_await detail::serve_http1(*connection);
        }
    } catch (const std::exception&) {
        // The client went away, or stop() closed the connection: nothing to report.
    }
    connection->close();
}

awaitable<void> accept_loop(ServerState& server) {
    for (;;) {
        error_code ec;
        auto token = asio::redirect_error(use_awaitable, ec);
        tcp::socket socket = co_await server.acceptor->async_accept(token);
        if (server.stopping || !server.acceptor->is_open()) co_return;
        if (ec) {
            // EMFILE and friends: wait a little instead of spinning.
            asio::steady_timer timer(server.acceptor->get_executor());
            timer.expires_after(10ms);
            error_code ignored;
            auto wait_token = asio::redirect_error(use_awaitable, ignored);
            co_await timer.async_wait(wait_token);
            continue;
        }
        ++server.accepted;
        error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto connection =
            std::make_shared<Connection>(std::move(socket), server, server.add_connection());
        asio::co_spawn(*server.io, serve(std::move(connection)), asio::detached);
    }
}

}  // namespace

// ---- TestServer ---------------------------------------------------------------------------

TestServer::TestServer() : TestServer(Options()) {}

TestServer::TestServer(Options options) : state_(std::make_unique<detail::ServerState>()) {
    state_->options = std::move(options);
}

TestServer::~TestServer() {
    stop();
}

void TestServer::start() {
    ServerState& s = *state_;
    if (s.thread.joinable()) return;
    httpx::check_io_backend();  // a kernel refusing io_uring: say so, not "io_uring_queue_init"
    s.io.emplace(1);
    try {
        if (s.options.tls) {
            s.tls.emplace(ssl::context::tls_server);
            s.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                               ssl::context::no_sslv3);
            s.tls->use_certificate_chain_file(s.options.tls->cert_chain_file);
            s.tls->use_private_key_file(s.options.tls->private_key_file, ssl::context::pem);
            if (!s.options.tls->client_ca_file.empty()) {
                s.tls->load_verify_file(s.options.tls->client_ca_file);
                s.tls->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
            }
            s.alpn_protocols = alpn_protocols(s.options);
            SSL_CTX_set_alpn_select_cb(s.tls->native_handle(), select_alpn, &s);
        }
        const tcp::endpoint endpoint(asio::ip::make_address(s.options.host), s.options.port);
        s.acceptor.emplace(*s.io);
        s.acceptor->open(endpoint.protocol());
        s.acceptor->set_option(tcp::acceptor::reuse_address(true));
        s.acceptor->bind(endpoint);
        s.acceptor->listen(asio::socket_base::max_listen_connections);
        s.port = s.acceptor->local_endpoint().port();
    } catch (...) {
        s.acceptor.reset();
        s.tls.reset();
        s.io.reset();
        throw;
    }
    s.accepted = 0;
    s.served = 0;
    {
        std::lock_guard lock(s.stats_mutex);
        s.stats.clear();
    }
    s.stopping = false;
    s.finished = false;
    asio::co_spawn(*s.io, accept_loop(s), asio::detached);
    s.thread = std::thread([&s] {
        try {
            s.io->run();
        } catch (...) {
            // A handler threw (it should not): the server just stops serving.
        }
        std::lock_guard lock(s.mutex);
        s.finished = true;
        s.finished_cv.notify_all();
    });
}

void TestServer::stop() {
    ServerState& s = *state_;
    if (!s.thread.joinable()) return;
    asio::post(*s.io, [&s] {
        s.stopping = true;
        error_code ignored;
        s.acceptor->close(ignored);
        // close() may destroy nothing here (each Connection is owned by its coroutine), but copy
        // the set anyway: closing must not invalidate the iteration.
        std::vector<Connection*> connections(s.connections.begin(), s.connections.end());
        for (Connection* connection : connections) connection->close();
    });
    {
        std::unique_lock lock(s.mutex);
        s.finished_cv.wait_for(lock, 1s, [&s] { return s.finished; });
    }
    s.io->stop();  // whatever is still running after a second is abandoned
    s.thread.join();
    s.acceptor.reset();
    s.io.reset();  // destroys any coroutine still suspended, and with it its connection
    s.tls.reset();
}

bool TestServer::running() const {
    return state_->thread.joinable();
}

std::uint16_t TestServer::port() const {
    return state_->port;
}

const std::string& TestServer::host() const {
    return state_->options.host;
}

bool TestServer::tls() const {
    return state_->options.tls.has_value();
}

std::string TestServer::origin() const {
    std::string host = state_->options.host;
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return (tls() ? "https://" : "http://") + host + ":" + std::to_string(port());
}

std::string TestServer::url(std::string_view path) const {
    std::string url = origin();
    if (path.empty() || path.front() != '/') url += '/';
    url += path;
    return url;
}

std::uint64_t TestServer::connections_accepted() const {
    return state_->accepted;
}

std::uint64_t TestServer::requests_served() const {
    return state_->served;
}

std::uint64_t TestServer::open_connections() const {
    return state_->open;
}

std::vector<TestServer::ConnectionStats> TestServer::connection_stats() const {
    std::lock_guard lock(state_->stats_mutex);
    return state_->stats;
}

std::uint64_t TestServer::peak_concurrent_streams() const {
    std::lock_guard lock(state_->stats_mutex);
    std::uint64_t peak = 0;
    for (const auto& entry : state_->stats) peak = std::max(peak, entry.peak_streams);
    return peak;
}

}  // namespace httpx::testing
