#include "transport/connection_factory.hpp"

#include "transport/http11_connection.hpp"
#include "transport/http2_connection.hpp"

#include <boost/asio/this_coro.hpp>

namespace httpx::transport {

awaitable<std::shared_ptr<Connection>> open_connection(
    net::Connector& connector, const net::ConnectSettings& settings, ConnectionTarget target,
    std::optional<std::chrono::duration<double>> timeout, std::weak_ptr<ConnectionOwner> owner) {
    std::unique_ptr<net::NetworkStream> stream =
        co_await connector.connect(target.destination, timeout);
    if (settings.proxy && settings.proxy->forwards(target.destination.tls)) {
        // Forwarded by an HTTP proxy: HTTP/1.1 to the proxy, as httpcore.
        co_return std::make_shared<Http11Connection>(
            std::move(stream), std::move(target.origin),
            std::shared_ptr<const Headers>(settings.proxy, &settings.proxy->headers));
    }
    const bool speaks_http2 =
        settings.http2 && (!settings.http1 || stream->alpn_protocol() == "h2");
    if (!speaks_http2)
        co_return std::make_shared<Http11Connection>(std::move(stream), std::move(target.origin));
    auto executor = co_await boost::asio::this_coro::executor;
    auto connection = std::make_shared<Http2Connection>(std::move(stream), std::move(target.origin),
                                                        executor, std::move(owner));
    connection->start();
    co_return connection;
}

}  // namespace httpx::transport
