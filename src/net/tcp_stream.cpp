#include "net/tcp_stream.hpp"

#include "httpx/exceptions.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <tuple>

namespace httpx::net {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Whether an idle socket has something to say: EOF, an error, or unsolicited bytes.
bool socket_readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) != 0;
}

// asio::transfer_all() caps each send at 64 KiB: a 32 MiB upload would take 512 system calls.
// Let the kernel take as much as the socket buffer holds instead.
std::size_t as_much_as_possible(const boost::system::error_code& ec, std::size_t) {
    return ec ? std::size_t(0) : std::size_t(1) << 30;
}

// One gathered send that never waits (MSG_DONTWAIT, whatever the socket's mode): returns how
// many bytes the kernel took, 0 when the socket buffer is full. Throws
// boost::system::system_error with the socket's error, as an Asio write would.
std::size_t send_now(int fd, std::span<const asio::const_buffer> buffers) {
    constexpr std::size_t kMaxPieces = 8;  // more are sent by the write that follows
    std::array<iovec, kMaxPieces> pieces;
    const std::size_t count = std::min(buffers.size(), kMaxPieces);
    for (std::size_t i = 0; i < count; ++i)
        pieces[i] = {const_cast<void*>(buffers[i].data()), buffers[i].size()};
    msghdr message{};
    message.msg_iov = pieces.data();
    message.msg_iovlen = count;
    ssize_t sent = 0;
    do {
        sent = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (sent < 0 && errno == EINTR);
    if (sent >= 0) return static_cast<std::size_t>(sent);
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    throw boost::system::system_error(errno, boost::system::system_category());
}

// One receive that never waits: the bytes taken (0 at the end of the stream), nullopt when the
// socket holds none. Throws boost::system::system_error with the socket's error.
std::optional<std::size_t> receive_now(int fd, asio::mutable_buffer buffer) {
    ssize_t received = 0;
    do {
        received = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    } while (received < 0 && errno == EINTR);
    if (received >= 0) return static_cast<std::size_t>(received);
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::nullopt;
    throw boost::system::system_error(errno, boost::system::system_category());
}

// socket.async_read_some(), initiated by a handler posted to the caller's executor: after the
// handlers already queued there. One coroutine frame and one posted operation (a co_await of
// asio::post, then of the read, would take a frame and a coroutine resumption more).
template <class Socket>
awaitable<std::tuple<boost::system::error_code, std::size_t>> read_some_after_queued(
    Socket& socket, asio::mutable_buffer buffer) {
    auto token = asio::experimental::as_tuple(asio::use_awaitable);
    return asio::async_initiate<decltype(token), void(boost::system::error_code, std::size_t)>(
        [&socket](auto handler, asio::mutable_buffer into) {
            // Started on the caller's executor (its strand, if any): the read's initiation
            // installs the handler's cancellation slot, which the caller's strand may emit at the
            // same time (a timeout in a parallel group). The io_context's own executor when it is
            // one: no type-erased property queries.
            const auto executor = asio::get_associated_executor(handler, socket.get_executor());
            auto start = [&socket, into, handler = std::move(handler)]() mutable {
                socket.async_read_some(into, std::move(handler));
            };
            if (auto* io = executor.template target<asio::io_context::executor_type>())
                asio::post(*io, std::move(start));
            else
                asio::post(executor, std::move(start));
        },
        token, buffer);
}

// Drops `sent` bytes from the front of `buffers`.
void consume(std::span<asio::const_buffer>& buffers, std::size_t sent) {
    while (!buffers.empty() && sent >= buffers.front().size()) {
        sent -= buffers.front().size();
        buffers = buffers.subspan(1);
    }
    if (sent > 0) buffers.front() += sent;
}

// The address of a TCP endpoint; nullopt for a Unix socket's, or when it could not be had.
std::optional<SocketAddress> address_of(const tcp::endpoint& endpoint,
                                        const boost::system::error_code& ec) {
    if (ec) return std::nullopt;
    return SocketAddress{endpoint.address().to_string(), endpoint.port()};
}
std::optional<SocketAddress> address_of(const asio::local::stream_protocol::endpoint&,
                                        const boost::system::error_code&) {
    return std::nullopt;
}

// A NetworkStream over an Asio socket: TCP or Unix.
template <class Socket>
class SocketStream final : public NetworkStream {
public:
    explicit SocketStream(Socket socket) : socket_(std::move(socket)) {}
    awaitable<std::size_t> read_some(asio::mutable_buffer buffer) override {
        auto [ec, n] = co_await socket_.async_read_some(
            buffer, asio::experimental::as_tuple(asio::use_awaitable));
        if (ec == asio::error::eof) co_return 0;
        if (ec) throw boost::system::system_error(ec);
        co_return n;
    }
    awaitable<std::size_t> read_some_later(asio::mutable_buffer buffer) override {
        auto [ec, n] = co_await read_some_after_queued(socket_, buffer);
        if (ec == asio::error::eof) co_return 0;
        if (ec) throw boost::system::system_error(ec);
        co_return n;
    }
    std::optional<std::size_t> read_now(asio::mutable_buffer buffer) override {
        return receive_now(socket_.native_handle(), buffer);
    }
    awaitable<void> write(std::span<const asio::const_buffer> buffers) override {
        co_await asio::async_write(socket_, buffers, as_much_as_possible, asio::use_awaitable);
    }
    bool write_now(std::span<asio::const_buffer>& buffers) override {
        consume(buffers, send_now(socket_.native_handle(), buffers));
        return buffers.empty();
    }
    void close() noexcept override {
        boost::system::error_code ignored;
        socket_.shutdown(asio::socket_base::shutdown_both, ignored);
        socket_.close(ignored);
    }
    bool is_readable() const override {
        return !socket_.is_open() || socket_readable(mutable_socket().native_handle());
    }
    std::optional<SocketAddress> server_address() const override {
        boost::system::error_code ec;
        return address_of(socket_.remote_endpoint(ec), ec);
    }
    std::optional<SocketAddress> client_address() const override {
        boost::system::error_code ec;
        return address_of(socket_.local_endpoint(ec), ec);
    }

private:
    Socket& mutable_socket() const { return const_cast<Socket&>(socket_); }

    Socket socket_;
};

}  // namespace

std::unique_ptr<NetworkStream> make_tcp_stream(tcp::socket socket) {
    return std::make_unique<SocketStream<tcp::socket>>(std::move(socket));
}

std::unique_ptr<NetworkStream> make_unix_stream(asio::local::stream_protocol::socket socket) {
    return std::make_unique<SocketStream<asio::local::stream_protocol::socket>>(std::move(socket));
}

void apply_socket_options(tcp::socket& socket, const std::vector<SocketOption>& options) {
    socket.set_option(tcp::no_delay(true));
    for (const auto& option : options) {
        // As HTTPX (setsockopt's OSError inside the connect): a bad option fails the connect.
        if (::setsockopt(socket.native_handle(), option.level, option.name, &option.value,
                         sizeof(option.value)) != 0) {
            throw ConnectError("Could not apply socket option (level " +
                               std::to_string(option.level) + ", name " +
                               std::to_string(option.name) + "): " + std::strerror(errno));
        }
    }
}

}  // namespace httpx::net
