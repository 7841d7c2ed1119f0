#include "transport/proxy_tunnel.hpp"

#include "httpx/auth.hpp"
#include "httpx/exceptions.hpp"
#include "httpx/url.hpp"
#include "models/default_port.hpp"
#include "net/tls_context.hpp"
#include "protocol/http11_parser.hpp"
#include "protocol/http11_serializer.hpp"
#include "protocol/request_target.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/system/system_error.hpp>

#include <array>
#include <stdexcept>

namespace httpx::transport {

namespace asio = boost::asio;

namespace {

net::ProxyRoute::Kind kind_of(const std::string& scheme) {
    if (scheme == "https") return net::ProxyRoute::Kind::https;
    if (scheme == "socks5") return net::ProxyRoute::Kind::socks5;
    if (scheme == "socks5h") return net::ProxyRoute::Kind::socks5h;
    return net::ProxyRoute::Kind::http;
}

int default_proxy_port(net::ProxyRoute::Kind kind) {
    switch (kind) {
        case net::ProxyRoute::Kind::https:
            return 443;
        case net::ProxyRoute::Kind::socks5:
        case net::ProxyRoute::Kind::socks5h:
            return 1080;
        case net::ProxyRoute::Kind::http:
            break;
    }
    return 80;
}

ConnectError proxy_io_failure(const net::ProxyRoute& proxy, const boost::system::error_code& ec) {
    return ConnectError("Failed to talk to the proxy " + authority(proxy.host, proxy.port) + ": " +
                        ec.message());
}

}  // namespace

std::shared_ptr<const net::ProxyRoute> make_proxy_route(const Proxy& proxy, bool trust_env) {
    const URL url(proxy.url());
    if (url.raw_host().empty())
        throw std::invalid_argument("The proxy URL " + proxy.url() + " has no host.");
    auto route = std::make_shared<net::ProxyRoute>();
    route->kind = kind_of(url.scheme());
    route->host = url.raw_host();
    route->port = url.port().value_or(default_proxy_port(route->kind));
    if (route->kind == net::ProxyRoute::Kind::https) {
        // The proxy speaks HTTP/1.1 to us, whatever the origin speaks inside a tunnel.
        route->tls = net::make_tls_settings(proxy.verify(), std::nullopt, true, false, trust_env);
    }
    if (route->is_http()) {
        Headers headers;
        if (const auto& auth = proxy.auth()) {
            headers.set("Proxy-Authorization",
                        BasicAuth(auth->username, auth->password).authorization());
        }
        route->headers = protocol::merge_headers(headers, proxy.headers());
        route->connect_tunnel = open_connect_tunnel;
    } else {
        route->credentials = proxy.auth();
    }
    return route;
}

std::string authority(std::string_view host, int port) {
    std::string out;
    if (host.find(':') != std::string_view::npos) {
        out += '[';
        out += host;
        out += ']';
    } else {
        out += host;
    }
    out += ':';
    out += std::to_string(port);
    return out;
}

std::string connect_request_head(std::string_view host, int port, const Headers& proxy_headers) {
    const std::string target = authority(host, port);
    Headers headers;
    headers.add("Host", target);
    headers.add("Accept", "*/*");
    std::string head;
    protocol::serialize_request_head("CONNECT", target,
                                     protocol::merge_headers(headers, proxy_headers), head);
    return head;
}

awaitable<std::unique_ptr<net::NetworkStream>> open_connect_tunnel(
    std::unique_ptr<net::NetworkStream> stream, const net::Destination& to,
    const net::ProxyRoute& proxy) {
    const std::string head = connect_request_head(to.host, to.port, proxy.headers);
    boost::system::error_code ec;
    try {
        const std::array<asio::const_buffer, 1> buffers{asio::buffer(head)};
        co_await stream->write(buffers);
    } catch (const boost::system::system_error& e) {
        ec = e.code();
    }
    if (ec) throw proxy_io_failure(proxy, ec);

    protocol::ResponseParser parser("CONNECT");
    std::string buffer;
    std::size_t begin = 0;
    std::array<char, 4096> chunk;
    while (!parser.headers_done()) {
        std::size_t n = 0;
        try {
            n = co_await stream->read_some(asio::buffer(chunk));
        } catch (const boost::system::system_error& e) {
            ec = e.code();
        }
        if (ec) throw proxy_io_failure(proxy, ec);
        if (n == 0) {
            parser.feed_eof();  // throws: "Server disconnected without sending a response."
            break;
        }
        buffer.append(chunk.data(), n);
        begin += parser.feed(std::string_view(buffer).substr(begin));
    }
    const int status = parser.status_code();
    if (status < 200 || status > 299) {
        stream->close();
        std::string message = std::to_string(status);
        if (!parser.reason().empty()) message += " " + std::string(parser.reason());
        throw ProxyError(message);
    }
    // The origin cannot have spoken yet: TLS begins with the client's hello.
    if (begin < buffer.size()) {
        stream->close();
        throw ProxyError("The proxy sent data past its answer to CONNECT.");
    }
    co_return stream;
}

}  // namespace httpx::transport
