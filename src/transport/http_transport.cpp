#include "httpx/http_transport.hpp"

#include "httpx/exceptions.hpp"
#include "net/connector.hpp"
#include "net/fault_injection.hpp"
#include "net/tls_context.hpp"
#include "transport/connection_pool.hpp"
#include "transport/http_transport_access.hpp"
#include "transport/proxy_tunnel.hpp"

namespace httpx {

struct AsyncHTTPTransport::Impl {
    std::shared_ptr<transport::ConnectionPool> pool;
};

AsyncHTTPTransport::AsyncHTTPTransport() : AsyncHTTPTransport(HTTPTransportOptions{}) {}

AsyncHTTPTransport::AsyncHTTPTransport(HTTPTransportOptions options)
    : impl_(std::make_shared<Impl>()) {
    if (!options.http1 && !options.http2)
        throw std::invalid_argument("At least one of http1 and http2 must be enabled.");
    net::ConnectSettings settings;
    settings.tls = net::make_tls_settings(options.verify, options.cert, options.http1,
                                          options.http2, options.trust_env);
    settings.http1 = options.http1;
    settings.http2 = options.http2;
    settings.uds = std::move(options.uds);
    settings.local_address = std::move(options.local_address);
    settings.socket_options = std::move(options.socket_options);
    settings.retries = options.retries;
    if (options.proxy) {
        if (settings.uds)
            throw std::invalid_argument("A transport cannot use both a proxy and a Unix socket.");
        settings.proxy = transport::make_proxy_route(*options.proxy, options.trust_env);
    }
    auto connector = net::make_socket_connector(settings);
    impl_->pool = std::make_shared<transport::ConnectionPool>(options.limits, std::move(settings),
                                                              std::move(connector));
}

AsyncHTTPTransport::~AsyncHTTPTransport() {
    if (impl_) impl_->pool->close();
}

awaitable<Response> AsyncHTTPTransport::handle_async_request(Request& request) {
    // The pool's coroutine holds the pool alive for the whole exchange.
    return transport::ConnectionPool::handle_request(impl_->pool, request);
}

awaitable<void> AsyncHTTPTransport::aclose() {
    impl_->pool->close();
    co_return;
}

AsyncHTTPTransport::PoolStats AsyncHTTPTransport::pool_stats() const {
    return impl_->pool->stats();
}

}  // namespace httpx

namespace httpx::detail {

void HTTPTransportAccess::inject_faults(AsyncHTTPTransport& transport,
                                        std::shared_ptr<net::FaultInjector> faults) {
    set_connector(transport,
                  net::make_fault_connector(transport.impl_->pool->settings(), std::move(faults)));
}

void HTTPTransportAccess::set_connector(AsyncHTTPTransport& transport,
                                        std::shared_ptr<net::Connector> connector) {
    transport.impl_->pool->set_connector(std::move(connector));
}

}  // namespace httpx::detail
