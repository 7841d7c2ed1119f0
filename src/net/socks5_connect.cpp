#include "net/socks5_connect.hpp"

#include "protocol/socks5.hpp"

#include <httpx/exceptions.hpp>

#include <boost/asio/buffer.hpp>

#include <array>

namespace httpx::net {

namespace socks5 = protocol::socks5;

namespace {

awaitable<void> send(NetworkStream& stream, const std::string& bytes) {
    const std::array<boost::asio::const_buffer, 1> buffers{boost::asio::buffer(bytes)};
    co_await stream.write(buffers);
}

// Reads one answer, asking each time for no more than the parser says is missing, so that the
// bytes after it (the origin's) stay in the stream.
template <class Message>
awaitable<Message> receive(NetworkStream& stream,
                           socks5::Parsed<Message> (*parse)(std::string_view)) {
    std::string received;
    for (;;) {
        auto parsed = parse(received);
        if (parsed.message) co_return std::move(*parsed.message);
        const std::size_t have = received.size();
        received.resize(parsed.size);
        const std::size_t n = co_await stream.read_some(
            boost::asio::buffer(received.data() + have, parsed.size - have));
        if (n == 0) throw ProxyError("The SOCKS5 proxy closed the connection during the handshake");
        received.resize(have + n);
    }
}

}  // namespace

awaitable<void> socks5_handshake(NetworkStream& stream, std::string_view host, std::uint16_t port,
                                 const std::optional<Socks5Credentials>& credentials) {
    // Built first: a host the proxy cannot take fails before anything is sent.
    const std::string connect = socks5::connect_request(host, port);
    const auto method =
        credentials ? socks5::AuthMethod::username_password : socks5::AuthMethod::no_authentication;
    co_await send(stream, socks5::greeting(method));
    socks5::check_method(co_await receive(stream, socks5::parse_method_reply), method);
    if (credentials) {
        co_await send(stream, socks5::login_request(credentials->username, credentials->password));
        socks5::check_login(co_await receive(stream, socks5::parse_login_reply));
    }
    co_await send(stream, connect);
    socks5::check_reply(co_await receive(stream, socks5::parse_reply));
}

}  // namespace httpx::net
