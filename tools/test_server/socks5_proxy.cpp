#include "socks5_proxy.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <mutex>
#include <thread>

namespace httpx::testing {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

struct Socks5TestProxy::State {
    Options options;
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::thread thread;
    mutable std::mutex mutex;
    std::vector<std::string> targets;
};

namespace {

using Bytes = std::vector<std::uint8_t>;

asio::awaitable<Bytes> read_exactly(tcp::socket& socket, std::size_t n) {
    Bytes bytes(n);
    co_await asio::async_read(socket, asio::buffer(bytes), asio::use_awaitable);
    co_return bytes;
}

asio::awaitable<void> send(tcp::socket& socket, const Bytes& bytes) {
    co_await asio::async_write(socket, asio::buffer(bytes), asio::use_awaitable);
}

asio::awaitable<void> pump(tcp::socket& from, tcp::socket& to) {
    std::array<char, 16384> buffer;
    try {
        for (;;) {
            const auto n = co_await from.async_read_some(asio::buffer(buffer), asio::use_awaitable);
            co_await asio::async_write(to, asio::buffer(buffer.data(), n), asio::use_awaitable);
        }
    } catch (const boost::system::system_error&) {
    }
    boost::system::error_code ignored;
    to.shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> serve(Socks5TestProxy::State& state, tcp::socket client) {
    using Behaviour = Socks5TestProxy::Behaviour;
    const auto& options = state.options;
    // Greeting: VER NMETHODS METHODS...
    const Bytes head = co_await read_exactly(client, 2);
    const Bytes methods = co_await read_exactly(client, head[1]);
    switch (options.behaviour) {
        case Behaviour::close_after_greeting:
            co_return;
        case Behaviour::stall: {
            asio::steady_timer forever(client.get_executor(), std::chrono::hours(1));
            co_await forever.async_wait(asio::use_awaitable);
            co_return;
        }
        case Behaviour::bad_version: {
            const std::string text = "HTTP/1.1 400 Bad Request\r\n\r\n";
            const Bytes answer(text.begin(), text.end());
            co_await send(client, answer);
            co_return;
        }
        case Behaviour::wrong_method: {
            const Bytes answer{0x05, options.method};
            co_await send(client, answer);
            co_return;
        }
        default:
            break;
    }
    const std::uint8_t wanted = options.username ? 0x02 : 0x00;
    const bool offered = std::find(methods.begin(), methods.end(), wanted) != methods.end();
    const Bytes choice{0x05, offered ? wanted : std::uint8_t{0xff}};
    co_await send(client, choice);
    if (!offered) co_return;
    if (options.username) {
        // VER ULEN UNAME PLEN PASSWD
        const Bytes ulen = co_await read_exactly(client, 2);
        const Bytes user = co_await read_exactly(client, ulen[1]);
        const Bytes plen = co_await read_exactly(client, 1);
        const Bytes pass = co_await read_exactly(client, plen[0]);
        const bool ok = std::string(user.begin(), user.end()) == *options.username &&
                        std::string(pass.begin(), pass.end()) == options.password.value_or("");
        const Bytes status{0x01, ok ? std::uint8_t{0x00} : std::uint8_t{0x01}};
        co_await send(client, status);
        if (!ok) co_return;
    }
    // VER CMD RSV ATYP DST.ADDR DST.PORT
    const Bytes request = co_await read_exactly(client, 4);
    std::string host;
    if (request[3] == 0x01) {
        const Bytes a = co_await read_exactly(client, 4);
        host = asio::ip::address_v4({a[0], a[1], a[2], a[3]}).to_string();
    } else if (request[3] == 0x04) {
        const Bytes a = co_await read_exactly(client, 16);
        asio::ip::address_v6::bytes_type bytes;
        std::copy(a.begin(), a.end(), bytes.begin());
        host = asio::ip::address_v6(bytes).to_string();
    } else {
        const Bytes length = co_await read_exactly(client, 1);
        const Bytes name = co_await read_exactly(client, length[0]);
        host.assign(name.begin(), name.end());
    }
    const Bytes port_bytes = co_await read_exactly(client, 2);
    const auto port = static_cast<std::uint16_t>(port_bytes[0] << 8 | port_bytes[1]);
    {
        const std::lock_guard lock(state.mutex);
        state.targets.push_back((request[3] == 0x04 ? "[" + host + "]" : host) + ":" +
                                std::to_string(port));
    }
    if (options.behaviour == Behaviour::reply_code) {
        const Bytes answer2{0x05, options.reply_code, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
        co_await send(client, answer2);
        co_return;
    }
    if (options.behaviour == Behaviour::close_mid_reply) {
        const Bytes answer3{0x05, 0x00, 0x00};
        co_await send(client, answer3);
        co_return;
    }
    tcp::socket upstream(client.get_executor());
    bool connected = true;
    try {
        tcp::resolver resolver(client.get_executor());
        const auto endpoints =
            co_await resolver.async_resolve(host, std::to_string(port), asio::use_awaitable);
        co_await asio::async_connect(upstream, endpoints, asio::use_awaitable);
    } catch (const boost::system::system_error&) {
        connected = false;
    }
    if (!connected) {
        const Bytes answer4{0x05, 0x05, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
        co_await send(client, answer4);  // refused
        co_return;
    }
    const auto bound = upstream.local_endpoint();
    Bytes reply{0x05, 0x00, 0x00, 0x01};
    const auto address = bound.address().is_v4() ? bound.address().to_v4().to_bytes()
                                                 : asio::ip::address_v4::bytes_type{};
    reply.insert(reply.end(), address.begin(), address.end());
    reply.push_back(static_cast<std::uint8_t>(bound.port() >> 8));
    reply.push_back(static_cast<std::uint8_t>(bound.port() & 0xff));
    co_await send(client, reply);
    co_await (pump(client, upstream) && pump(upstream, client));
}

// A connection's end, as far as the test is concerned: whatever the client did.
asio::awaitable<void> serve_quietly(Socks5TestProxy::State& state, tcp::socket client) {
    try {
        co_await serve(state, std::move(client));
    } catch (const boost::system::system_error&) {
    }
}

asio::awaitable<void> accept_loop(Socks5TestProxy::State& state) {
    for (;;) {
        tcp::socket socket = co_await state.acceptor.async_accept(asio::use_awaitable);
        asio::co_spawn(state.io, serve_quietly(state, std::move(socket)), asio::detached);
    }
}

}  // namespace

Socks5TestProxy::Socks5TestProxy(Options options) : state_(std::make_unique<State>()) {
    state_->options = std::move(options);
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
    asio::co_spawn(state_->io, accept_loop(*state_), asio::detached);
    state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

Socks5TestProxy::~Socks5TestProxy() {
    state_->io.stop();
    state_->thread.join();
}

std::uint16_t Socks5TestProxy::port() const {
    return state_->acceptor.local_endpoint().port();
}

std::string Socks5TestProxy::url() const {
    return "socks5://127.0.0.1:" + std::to_string(port());
}

std::vector<std::string> Socks5TestProxy::connect_targets() const {
    const std::lock_guard lock(state_->mutex);
    return state_->targets;
}

}  // namespace httpx::testing
