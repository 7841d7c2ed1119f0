#include "test_proxy.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <thread>
#include <variant>

namespace httpx::testing {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using namespace asio::experimental::awaitable_operators;

struct TestProxy::State {
    Options options;
    asio::io_context io;
    std::optional<ssl::context> tls;
    tcp::acceptor acceptor{io};
    std::thread thread;
    std::uint16_t port = 0;
    std::atomic<std::uint64_t> accepted{0};
    mutable std::mutex mutex;
    std::vector<std::string> heads;  // guarded by mutex
};

namespace {

std::string base64(std::string_view data) {
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(data.data()),
                                  static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The value of header `name` in `head` (first match), or nullopt.
std::optional<std::string> header(std::string_view head, std::string_view name) {
    const std::string wanted = lower(name) + ":";
    std::size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos + 2 < head.size()) {
        const std::size_t start = pos + 2;
        const std::size_t end = head.find("\r\n", start);
        const std::string_view line = head.substr(start, end - start);
        if (lower(line.substr(0, wanted.size())) == wanted) {
            std::string_view value = line.substr(wanted.size());
            while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
            return std::string(value);
        }
        pos = end;
    }
    return std::nullopt;
}

// host and port of "host:port" or "[v6]:port".
std::optional<std::pair<std::string, std::string>> split_authority(std::string_view authority) {
    std::size_t colon = authority.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string host(authority.substr(0, colon));
    if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    return std::make_pair(host, std::string(authority.substr(colon + 1)));
}

template <class Stream>
awaitable<void> send(Stream& stream, std::string_view bytes) {
    error_code ec;
    co_await asio::async_write(stream, asio::buffer(bytes),
                               asio::redirect_error(use_awaitable, ec));
}

template <class From, class To>
awaitable<void> pipe(From& from, To& to) {
    std::array<char, 16384> buffer;
    for (;;) {
        error_code ec;
        const std::size_t n = co_await from.async_read_some(
            asio::buffer(buffer), asio::redirect_error(use_awaitable, ec));
        if (n > 0) {
            error_code write_ec;
            co_await asio::async_write(to, asio::buffer(buffer.data(), n),
                                       asio::redirect_error(use_awaitable, write_ec));
            if (write_ec) co_return;
        }
        if (ec) co_return;
    }
}

template <class Client>
awaitable<void> serve_client(TestProxy::State& state, Client& client) {
    asio::streambuf input;
    error_code ec;
    const std::size_t head_size = co_await asio::async_read_until(
        client, input, "\r\n\r\n", asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    std::string head(asio::buffers_begin(input.data()),
                     asio::buffers_begin(input.data()) + static_cast<std::ptrdiff_t>(head_size));
    input.consume(head_size);
    {
        std::lock_guard lock(state.mutex);
        state.heads.push_back(head);
    }
    const std::string line = head.substr(0, head.find("\r\n"));
    const std::size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
    if (sp1 == std::string::npos || sp2 <= sp1) co_return;
    const std::string method = line.substr(0, sp1);
    const std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);

    switch (state.options.behaviour) {
        case TestProxy::Behaviour::refuse:
            co_await send(
                client, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            co_return;
        case TestProxy::Behaviour::garbage:
            co_await send(client, "NOT HTTP\r\n\r\n");
            co_return;
        case TestProxy::Behaviour::close:
            co_return;
        case TestProxy::Behaviour::stall: {
            asio::steady_timer never(client.get_executor(), asio::steady_timer::time_point::max());
            co_await never.async_wait(asio::redirect_error(use_awaitable, ec));
            co_return;
        }
        case TestProxy::Behaviour::relay:
            break;
    }
    if (state.options.credentials) {
        const auto given = header(head, "Proxy-Authorization");
        if (!given || *given != "Basic " + base64(*state.options.credentials)) {
            co_await send(client,
                          "HTTP/1.1 407 Proxy Authentication Required\r\n"
                          "Proxy-Authenticate: Basic realm=\"test\"\r\n"
                          "Content-Length: 0\r\nConnection: close\r\n\r\n");
            co_return;
        }
    }
    std::string authority;
    if (method == "CONNECT") {
        authority = target;
    } else {
        // Absolute form: http://authority/path (the origin sees the head as it came).
        const std::size_t start = target.find("://");
        if (start == std::string::npos) co_return;
        const std::size_t end = target.find('/', start + 3);
        authority = target.substr(start + 3, end - start - 3);
        if (authority.find(':') == std::string::npos || authority.back() == ']') authority += ":80";
    }
    const auto where = split_authority(authority);
    if (!where) co_return;
    tcp::resolver resolver(client.get_executor());
    auto endpoints = co_await resolver.async_resolve(where->first, where->second,
                                                     asio::redirect_error(use_awaitable, ec));
    tcp::socket origin(client.get_executor());
    if (!ec)
        co_await asio::async_connect(origin, endpoints, asio::redirect_error(use_awaitable, ec));
    if (ec) {
        co_await send(client,
                      "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        co_return;
    }
    if (method == "CONNECT") {
        co_await send(client, "HTTP/1.1 200 Connection established\r\n\r\n");
    } else {
        co_await send(origin, head);
    }
    // What the client sent past the head goes first.
    if (input.size() > 0) {
        const std::string rest(asio::buffers_begin(input.data()), asio::buffers_end(input.data()));
        co_await send(origin, rest);
    }
    co_await (pipe(client, origin) || pipe(origin, client));
}

// SOCKS5 (RFC 1928), no authentication: the greeting, CONNECT, then the pipe.
awaitable<void> serve_socks5(TestProxy::State& state, tcp::socket& client) {
    error_code ec;
    std::array<unsigned char, 262> in;
    co_await asio::async_read(client, asio::buffer(in.data(), 2),
                              asio::redirect_error(use_awaitable, ec));
    if (ec || in[0] != 5) co_return;
    co_await asio::async_read(client, asio::buffer(in.data(), in[1]),
                              asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    const std::array<unsigned char, 2> no_auth{5, 0};
    co_await asio::async_write(client, asio::buffer(no_auth),
                               asio::redirect_error(use_awaitable, ec));
    co_await asio::async_read(client, asio::buffer(in.data(), 4),
                              asio::redirect_error(use_awaitable, ec));
    if (ec || in[1] != 1) co_return;
    std::string host;
    if (in[3] == 1 || in[3] == 4) {
        const std::size_t size = in[3] == 1 ? 4 : 16;
        co_await asio::async_read(client, asio::buffer(in.data(), size),
                                  asio::redirect_error(use_awaitable, ec));
        if (ec) co_return;
        if (size == 4) {
            asio::ip::address_v4::bytes_type bytes;
            std::copy_n(in.begin(), 4, bytes.begin());
            host = asio::ip::address_v4(bytes).to_string();
        } else {
            asio::ip::address_v6::bytes_type bytes;
            std::copy_n(in.begin(), 16, bytes.begin());
            host = asio::ip::address_v6(bytes).to_string();
        }
    } else {
        co_await asio::async_read(client, asio::buffer(in.data(), 1),
                                  asio::redirect_error(use_awaitable, ec));
        const std::size_t size = in[0];
        co_await asio::async_read(client, asio::buffer(in.data(), size),
                                  asio::redirect_error(use_awaitable, ec));
        if (ec) co_return;
        host.assign(reinterpret_cast<const char*>(in.data()), size);
    }
    co_await asio::async_read(client, asio::buffer(in.data(), 2),
                              asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    const std::string port = std::to_string(in[0] * 256 + in[1]);
    {
        std::lock_guard lock(state.mutex);
        state.heads.push_back((host.find(':') != std::string::npos ? "[" + host + "]" : host) +
                              ":" + port);
    }
    tcp::resolver resolver(client.get_executor());
    auto endpoints =
        co_await resolver.async_resolve(host, port, asio::redirect_error(use_awaitable, ec));
    tcp::socket origin(client.get_executor());
    if (!ec)
        co_await asio::async_connect(origin, endpoints, asio::redirect_error(use_awaitable, ec));
    // Reply: succeeded (0) or connection refused (5), bound address 0.0.0.0:0.
    const std::array<unsigned char, 10> reply{
        5, static_cast<unsigned char>(ec ? 5 : 0), 0, 1, 0, 0, 0, 0, 0, 0};
    error_code write_ec;
    co_await asio::async_write(client, asio::buffer(reply),
                               asio::redirect_error(use_awaitable, write_ec));
    if (ec || write_ec) co_return;
    co_await (pipe(client, origin) || pipe(origin, client));
}

awaitable<void> serve(TestProxy::State& state, tcp::socket socket) {
    if (state.options.socks5) {
        co_await serve_socks5(state, socket);
        co_return;
    }
    if (!state.tls) {
        co_await serve_client(state, socket);
        co_return;
    }
    ssl::stream<tcp::socket> stream(std::move(socket), *state.tls);
    error_code ec;
    co_await stream.async_handshake(ssl::stream_base::server,
                                    asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    co_await serve_client(state, stream);
}

awaitable<void> accept_loop(TestProxy::State& state) {
    for (;;) {
        error_code ec;
        tcp::socket socket =
            co_await state.acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
        if (ec) co_return;
        ++state.accepted;
        asio::co_spawn(state.io, serve(state, std::move(socket)), asio::detached);
    }
}

}  // namespace

TestProxy::TestProxy() : TestProxy(Options{}) {}

TestProxy::TestProxy(Options options) : state_(std::make_unique<State>()) {
    state_->options = std::move(options);
}

TestProxy::~TestProxy() {
    stop();
}

void TestProxy::start() {
    State& state = *state_;
    if (state.thread.joinable()) return;
    if (state.options.tls) {
        state.tls.emplace(ssl::context::tls_server);
        state.tls->use_certificate_chain_file(state.options.tls->cert_chain_file);
        state.tls->use_private_key_file(state.options.tls->private_key_file, ssl::context::pem);
    }
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    state.acceptor.open(endpoint.protocol());
    state.acceptor.set_option(tcp::acceptor::reuse_address(true));
    state.acceptor.bind(endpoint);
    state.acceptor.listen();
    state.port = state.acceptor.local_endpoint().port();
    asio::co_spawn(state.io, accept_loop(state), asio::detached);
    state.thread = std::thread([&state] { state.io.run(); });
}

void TestProxy::stop() {
    State& state = *state_;
    if (!state.thread.joinable()) return;
    state.io.stop();
    state.thread.join();
    // Dropping the pending coroutines (with the io_context) closes their sockets.
    auto fresh = std::make_unique<State>();
    fresh->options = std::move(state.options);
    fresh->heads = std::move(state.heads);
    fresh->accepted = state.accepted.load();
    state_ = std::move(fresh);
}

std::uint16_t TestProxy::port() const {
    return state_->port;
}

std::string TestProxy::url() const {
    const char* scheme = state_->options.socks5 ? "socks5" : state_->options.tls ? "https" : "http";
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(state_->port);
}

std::uint64_t TestProxy::connections_accepted() const {
    return state_->accepted.load();
}

std::vector<std::string> TestProxy::heads() const {
    std::lock_guard lock(state_->mutex);
    return state_->heads;
}

}  // namespace httpx::testing
