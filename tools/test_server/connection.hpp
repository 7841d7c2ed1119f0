// One accepted connection: the byte stream (plain TCP or TLS), its timers, closing. The protocol
// spoken on it (http1_exchange.hpp, http2_server_session.hpp) is chosen by serve() in
// test_server.cpp.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "server_state.hpp"

namespace httpx::testing {

// A plain or TLS byte stream with the timers its routes need.
class Connection : public std::enable_shared_from_this<Connection> {
public:
    using tcp = boost::asio::ip::tcp;
    using error_code = boost::system::error_code;
    template <class T>
    using awaitable = boost::asio::awaitable<T>;

    Connection(tcp::socket socket, detail::ServerState& server, std::uint64_t id)
        : server_(server), id_(id) {
        timer_.emplace(socket.get_executor());
        watchdog_.emplace(socket.get_executor());
        if (server.tls) {
            tls_.emplace(std::move(socket), *server.tls);
        } else {
            plain_.emplace(std::move(socket));
        }
        server_.connections.insert(this);
        ++server_.open;
    }
    ~Connection() {
        server_.connections.erase(this);
        --server_.open;
        server_.update(id_, [](TestServer::ConnectionStats& entry) { entry.open = false; });
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    detail::ServerState& server() { return server_; }
    std::uint64_t id() const { return id_; }
    bool is_tls() const { return tls_.has_value(); }
    bool closed() const { return closed_; }
    tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }

    awaitable<void> handshake() {
        co_await tls_->async_handshake(boost::asio::ssl::stream_base::server,
                                       boost::asio::use_awaitable);
    }

    // The server name the client sent (SNI); "" without TLS or SNI.
    std::string_view sni() {
        if (!tls_) return {};
        const char* name = SSL_get_servername(tls_->native_handle(), TLSEXT_NAMETYPE_host_name);
        return name != nullptr ? std::string_view(name) : std::string_view();
    }

    std::string_view alpn() {
        const unsigned char* data = nullptr;
        unsigned int length = 0;
        SSL_get0_alpn_selected(tls_->native_handle(), &data, &length);
        return {reinterpret_cast<const char*>(data), length};
    }

    awaitable<std::size_t> read_some(boost::asio::mutable_buffer buffer, error_code& ec) {
        auto token = boost::asio::redirect_error(boost::asio::use_awaitable, ec);
        if (tls_) co_return co_await tls_->async_read_some(buffer, token);
        co_return co_await plain_->async_read_some(buffer, token);
    }

    template <class Buffers>
    awaitable<void> write_buffers(const Buffers& buffers) {
        if (closed_) throw std::runtime_error("connection closed");
        if (tls_) {
            co_await boost::asio::async_write(*tls_, buffers, boost::asio::use_awaitable);
        } else {
            co_await boost::asio::async_write(*plain_, buffers, boost::asio::use_awaitable);
        }
    }

    awaitable<void> write(std::string_view data) {
        const boost::asio::const_buffer buffer(data.data(), data.size());
        co_await write_buffers(buffer);
    }

    // Waits on the connection's timer; close() cancels it (and so ends the route with an error).
    awaitable<void> sleep_until(std::chrono::steady_clock::time_point when) {
        if (closed_) throw std::runtime_error("connection closed");
        timer_->expires_at(when);
        co_await timer_->async_wait(boost::asio::use_awaitable);
    }

    // Closes the connection when `duration` elapses, unless disarm_watchdog() is called first.
    void arm_watchdog(std::chrono::milliseconds duration) {
        watchdog_->expires_after(duration);
        watchdog_->async_wait([self = shared_from_this()](error_code ec) {
            if (!ec) self->close();
        });
    }
    void disarm_watchdog() { watchdog_->cancel(); }

    void close() {
        if (closed_) return;
        closed_ = true;
        error_code ignored;
        timer_->cancel();
        watchdog_->cancel();
        socket().close(ignored);
    }

    // RST instead of FIN.
    void abort() {
        error_code ignored;
        socket().set_option(tcp::socket::linger(true, 0), ignored);
        close();
    }

    // Sends a TCP FIN (plain TCP only: a TLS close_notify could not be written while a read is
    // in progress) and closes the connection after `linger` at the latest; meanwhile a reader may
    // go on reading until the client closes too, so that the client sees all we sent.
    void shutdown_send(std::chrono::milliseconds linger) {
        if (closed_) return;
        arm_watchdog(linger);
        if (!tls_) {
            error_code ignored;
            socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
    }

    // Graceful close: TLS close_notify or a TCP FIN first, then whatever the client still sends
    // is read and dropped until it closes too (at most 500 ms), so that the client sees our
    // response rather than a reset.
    awaitable<void> lingering_close() {
        using namespace std::chrono_literals;
        if (closed_) co_return;
        arm_watchdog(500ms);
        error_code ec;
        if (tls_) {
            auto token = boost::asio::redirect_error(boost::asio::use_awaitable, ec);
            co_await tls_->async_shutdown(token);
        } else {
            socket().shutdown(tcp::socket::shutdown_send, ec);
            std::array<char, 4096> scratch;
            while (!ec && !closed_) {
                auto token = boost::asio::redirect_error(boost::asio::use_awaitable, ec);
                co_await plain_->async_read_some(boost::asio::buffer(scratch), token);
            }
        }
        close();
    }

    // Bytes read but not consumed yet: pipelined requests, or the bytes that chose the protocol.
    boost::beast::flat_buffer& input() { return input_; }

    // HTTP/1.1: the next request read on this connection is dropped unanswered (the connection
    // closes), as by a server that closed it while idle without the client noticing in time.
    bool drop_next_request = false;

private:
    detail::ServerState& server_;
    std::uint64_t id_;
    std::optional<tcp::socket> plain_;
    std::optional<boost::asio::ssl::stream<tcp::socket>> tls_;
    std::optional<boost::asio::steady_timer> timer_;
    std::optional<boost::asio::steady_timer> watchdog_;
    boost::beast::flat_buffer input_;
    bool closed_ = false;
};

}  // namespace httpx::testing
