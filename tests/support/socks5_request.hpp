// Test helper: a request by hand through a SOCKS5 proxy, to test net::socks5_handshake alone
// (before and apart from the transport): connect to the proxy, the handshake, "GET /" with
// Connection: close, and the whole answer.
#pragma once

#include "net/connect.hpp"
#include "net/socks5_connect.hpp"
#include "run_async.hpp"

#include <httpx/exceptions.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/this_coro.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace httpx::test {

/// The answer to "GET /" sent to `host`:`port` through the SOCKS5 proxy at 127.0.0.1:`proxy_port`.
/// Throws what the handshake throws.
inline std::string get_through_socks5(std::uint16_t proxy_port, const std::string& host,
                                      std::uint16_t port,
                                      std::optional<net::Socks5Credentials> credentials = {}) {
    return run_async([&]() -> awaitable<std::string> {
        net::ConnectSettings settings;
        auto stream = co_await net::open_socket("127.0.0.1", proxy_port, settings,
                                                co_await boost::asio::this_coro::executor);
        co_await net::socks5_handshake(*stream, host, port, credentials);
        const std::string request =
            "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
        const std::array<boost::asio::const_buffer, 1> buffers{boost::asio::buffer(request)};
        co_await stream->write(buffers);
        std::string answer;
        std::array<char, 4096> buffer;
        for (;;) {
            const auto n = co_await stream->read_some(boost::asio::buffer(buffer));
            if (n == 0) break;
            answer.append(buffer.data(), n);
        }
        co_return answer;
    }());
}

/// The message of the ProxyError that get_through_socks5() to 127.0.0.1:`port` throws, or
/// "(no ProxyError)".
inline std::string socks5_error(std::uint16_t proxy_port, std::uint16_t port,
                                std::optional<net::Socks5Credentials> credentials = {}) {
    try {
        get_through_socks5(proxy_port, "127.0.0.1", port, std::move(credentials));
    } catch (const ProxyError& e) {
        return e.what();
    }
    return "(no ProxyError)";
}

}  // namespace httpx::test
