#include "net/connect.hpp"

#include "net/deadline.hpp"
#include "net/tcp_stream.hpp"
#include "net/tls_info.hpp"
#include "net/tls_stream.hpp"
#include "support/tracer.hpp"

#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <utility>

namespace httpx::net {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

awaitable<std::unique_ptr<NetworkStream>> open_unix_socket(const std::string& host, int port,
                                                           const ConnectSettings& settings,
                                                           asio::any_io_executor executor) {
    asio::local::stream_protocol::socket socket(executor);
    auto [ec] = co_await socket.async_connect(asio::local::stream_protocol::endpoint(*settings.uds),
                                              asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) throw connect_failure(host, port, settings, ec);
    co_return make_unix_stream(std::move(socket));
}

awaitable<std::unique_ptr<NetworkStream>> open_tcp_socket(const std::string& host, int port,
                                                          const ConnectSettings& settings,
                                                          asio::any_io_executor executor) {
    tcp::resolver resolver(executor);
    auto [resolve_ec, endpoints] = co_await resolver.async_resolve(
        host, std::to_string(port), asio::experimental::as_tuple(asio::use_awaitable));
    if (resolve_ec) throw ConnectError("Failed to resolve '" + host + "': " + resolve_ec.message());

    std::optional<asio::ip::address> local;
    if (settings.local_address) local = asio::ip::make_address(*settings.local_address);

    boost::system::error_code last_error = asio::error::host_not_found;
    for (const auto& entry : endpoints) {
        const tcp::endpoint endpoint = entry.endpoint();
        if (local && local->is_v4() != endpoint.address().is_v4()) continue;
        tcp::socket socket(executor);
        boost::system::error_code ec;
        socket.open(endpoint.protocol(), ec);
        if (!ec && local) socket.bind(tcp::endpoint(*local, 0), ec);
        if (ec) {
            last_error = ec;
            continue;
        }
        auto [connect_ec] = co_await socket.async_connect(
            endpoint, asio::experimental::as_tuple(asio::use_awaitable));
        if (!connect_ec) {
            apply_socket_options(socket, settings.socket_options);
            co_return make_tcp_stream(std::move(socket));
        }
        last_error = connect_ec;
    }
    throw connect_failure(host, port, settings, last_error);
}

// Why a handshake failed: the certificate's verification when that failed, else `ec`.
std::string tls_failure_reason(SSL* ssl, const boost::system::error_code& ec) {
    long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK)
        return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
    return ec.message();
}

std::optional<double> seconds(std::optional<std::chrono::duration<double>> timeout) {
    if (!timeout) return std::nullopt;
    return timeout->count();
}

// The `.complete` report of a connect step: where the stream goes, and its TLS.
void report_connected(detail::Tracer& tracer, detail::TraceStep step, const NetworkStream& stream) {
    const std::optional<SocketAddress> server = stream.server_address();
    const std::optional<SocketAddress> client = stream.client_address();
    const std::shared_ptr<const TLSInfo> tls = stream.tls_info();
    TraceInfo info;
    if (server) {
        info.server_address = server->address;
        info.server_port = server->port;
    }
    if (client) {
        info.client_address = client->address;
        info.client_port = client->port;
    }
    info.tls = tls.get();
    tracer.report(step, detail::TraceOutcome::complete, info);
}

// One attempt of open_stream(): the socket, then TLS, each within `timeout` and traced. The
// reports are made here, on the caller's executor (connect_within() may run the step itself
// on a strand); the socket lives on that executor too.
awaitable<std::unique_ptr<NetworkStream>> attempt_within(
    const Destination& to, const ConnectSettings& settings,
    std::optional<std::chrono::duration<double>> timeout) {
    auto executor = co_await asio::this_coro::executor;
    detail::Tracer* tracer = to.tracer && to.tracer->on() ? to.tracer : nullptr;
    const auto connect_step =
        settings.uds ? detail::TraceStep::connect_unix_socket : detail::TraceStep::connect_tcp;
    if (tracer) {
        TraceInfo info;
        if (settings.uds) {
            info.path = *settings.uds;
        } else {
            info.host = to.host;
            info.port = static_cast<std::uint16_t>(to.port);
            if (settings.local_address) info.local_address = *settings.local_address;
        }
        info.timeout = seconds(timeout);
        tracer->report(connect_step, detail::TraceOutcome::started, info);
    }
    std::unique_ptr<NetworkStream> stream;
    try {
        stream =
            co_await connect_within(timeout, open_socket(to.host, to.port, settings, executor));
    } catch (...) {
        if (tracer) tracer->failed(connect_step);
        throw;
    }
    if (tracer) report_connected(*tracer, connect_step, *stream);
    if (!to.tls) co_return stream;

    if (tracer) {
        TraceInfo info;
        info.server_hostname = to.tls_name();
        info.timeout = seconds(timeout);
        tracer->report(detail::TraceStep::start_tls, detail::TraceOutcome::started, info);
    }
    try {
        stream = co_await connect_within(
            timeout, start_tls(std::move(stream), *settings.tls, to.tls_name(), executor));
    } catch (...) {
        if (tracer) tracer->failed(detail::TraceStep::start_tls);
        throw;
    }
    if (tracer) report_connected(*tracer, detail::TraceStep::start_tls, *stream);
    co_return stream;
}

}  // namespace

ConnectError connect_failure(const std::string& host, int port, const ConnectSettings& settings,
                             const boost::system::error_code& error) {
    if (settings.uds)
        return ConnectError("Failed to connect to " + *settings.uds + ": " + error.message());
    return ConnectError("Failed to connect to " + host + ":" + std::to_string(port) + ": " +
                        error.message());
}

ConnectError handshake_failure(const std::string& host, const std::string& reason) {
    return ConnectError("TLS handshake with " + host + " failed: " + reason);
}

awaitable<std::unique_ptr<NetworkStream>> open_socket(const std::string& host, int port,
                                                      const ConnectSettings& settings,
                                                      asio::any_io_executor executor) {
    if (settings.uds) return open_unix_socket(host, port, settings, std::move(executor));
    return open_tcp_socket(host, port, settings, std::move(executor));
}

awaitable<std::unique_ptr<NetworkStream>> start_tls(std::unique_ptr<NetworkStream> stream,
                                                    const TlsSettings& settings,
                                                    const std::string& server_name,
                                                    asio::any_io_executor executor) {
    SSL* raw = SSL_new(settings.context->native_handle());
    if (raw == nullptr) throw handshake_failure(server_name, "SSL_new");
    auto tls = std::make_unique<TlsStream>(std::move(stream), raw, std::move(executor));
    SSL* ssl = tls->ssl();
    settings.configure(ssl);
    // SNI (not for IP literals: TLS forbids it) and host name verification by OpenSSL itself,
    // so that a mismatch is reported as such ("hostname mismatch").
    boost::system::error_code ip_ec;
    asio::ip::make_address(server_name, ip_ec);
    if (ip_ec) SSL_set_tlsext_host_name(ssl, server_name.c_str());
    if (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) {
        if (ip_ec)
            SSL_set1_host(ssl, server_name.c_str());
        else
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), server_name.c_str());
    }
    boost::system::error_code ec;
    try {
        co_await tls->handshake();
    } catch (const boost::system::system_error& e) {
        ec = e.code();
    }
    if (ec) throw handshake_failure(server_name, tls_failure_reason(ssl, ec));
    tls->set_tls_info(describe_tls(ssl, server_name));
    co_return tls;
}

awaitable<std::unique_ptr<NetworkStream>> connect_within(
    std::optional<std::chrono::duration<double>> timeout,
    awaitable<std::unique_ptr<NetworkStream>> attempt) {
    return within<ConnectTimeout>(timeout, std::move(attempt), "Timed out while connecting.");
}

awaitable<std::unique_ptr<NetworkStream>> with_connect_retries(
    int retries, std::function<awaitable<std::unique_ptr<NetworkStream>>()> attempt) {
    for (int n = 0;; ++n) {
        try {
            co_return co_await attempt();
        } catch (const ConnectError&) {
            if (n >= retries) throw;
        } catch (const ConnectTimeout&) {
            if (n >= retries) throw;
        }
        if (n > 0) {
            asio::steady_timer backoff(co_await asio::this_coro::executor,
                                       std::chrono::milliseconds(500) * (1 << (n - 1)));
            co_await backoff.async_wait(asio::use_awaitable);
        }
    }
}

awaitable<std::unique_ptr<NetworkStream>> open_stream(
    const Destination& to, const ConnectSettings& settings,
    std::optional<std::chrono::duration<double>> timeout) {
    return with_connect_retries(settings.retries, [&to, &settings, timeout] {
        return attempt_within(to, settings, timeout);
    });
}

}  // namespace httpx::net
