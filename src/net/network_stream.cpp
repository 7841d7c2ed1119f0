#include "net/network_stream.hpp"

#include "httpx/exceptions.hpp"
#include "net/deadline.hpp"
#include "net/fault_injection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

namespace httpx::net {

namespace asio = boost::asio;
using asio::ip::tcp;

NetworkStream::~NetworkStream() = default;

namespace {

// Whether an idle socket has something to say: EOF, an error, or unsolicited bytes.
bool socket_readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) != 0;
}

template <class Stream>
constexpr bool is_tls = std::is_same_v<Stream, asio::ssl::stream<tcp::socket>>;

// A NetworkStream over an Asio stream: a TCP or Unix socket, or TLS over TCP.
template <class Stream>
class AsioStream final : public NetworkStream {
public:
    explicit AsioStream(Stream stream) : stream_(std::move(stream)) {}
    awaitable<std::size_t> read_some(asio::mutable_buffer buffer) override {
        auto [ec, n] = co_await stream_.async_read_some(
            buffer, asio::experimental::as_tuple(asio::use_awaitable));
        // A TLS peer closing without close_notify ends the stream like EOF does: the HTTP
        // framing says whether the body was complete.
        if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) co_return 0;
        if (ec) throw boost::system::system_error(ec);
        if constexpr (is_tls<Stream>) {
            n += read_received_records(static_cast<char*>(buffer.data()) + n, buffer.size() - n);
        }
        co_return n;
    }
    awaitable<void> write(std::span<const asio::const_buffer> buffers) override {
        // asio::transfer_all() caps each send at 64 KiB: a 32 MiB upload would take 512
        // system calls. Let the kernel take as much as the socket buffer holds instead.
        auto as_much_as_possible = [](const boost::system::error_code& ec, std::size_t) {
            return ec ? std::size_t(0) : std::size_t(1) << 30;
        };
        co_await asio::async_write(stream_, buffers, as_much_as_possible, asio::use_awaitable);
    }
    void close() noexcept override {
        boost::system::error_code ignored;
        socket().shutdown(asio::socket_base::shutdown_both, ignored);
        socket().close(ignored);
    }
    bool is_readable() const override {
        return !socket().is_open() || socket_readable(socket().native_handle());
    }
    std::string alpn_protocol() const override {
        if constexpr (is_tls<Stream>) {
            const unsigned char* data = nullptr;
            unsigned int length = 0;
            SSL_get0_alpn_selected(const_cast<Stream&>(stream_).native_handle(), &data, &length);
            return std::string(reinterpret_cast<const char*>(data), length);
        } else {
            return {};
        }
    }

private:
    auto& socket() const { return const_cast<Stream&>(stream_).lowest_layer(); }

    // One read through Asio's TLS stream returns one TLS record: ~16 KiB of a large body, but
    // a few hundred bytes when a server writes each small response as its own record (nginx
    // over HTTP/2). The records already received (decrypted or still in the TLS memory buffer)
    // are taken in the same read, so that a read returns what a plain socket read would, and an
    // HTTP/2 connection handles a whole batch of responses (and then sends a whole batch of
    // requests) per wake-up instead of one. Never waits for the socket: SSL_read on the memory
    // buffer fails with WANT_READ at an incomplete record, which stays buffered for the next
    // read. Anything SSL_read has to send (a TLS 1.3 KeyUpdate) goes out with the next write.
    std::size_t read_received_records(char* data, std::size_t size) {
        SSL* ssl = stream_.native_handle();
        std::size_t total = 0;
        while (total < size && (SSL_pending(ssl) > 0 || BIO_ctrl_pending(SSL_get_rbio(ssl)) > 0)) {
            const int chunk = static_cast<int>(std::min<std::size_t>(size - total, 1 << 30));
            const int got = SSL_read(ssl, data + total, chunk);
            if (got <= 0) {
                // The next read through Asio reports the condition (EOF, an alert, an error).
                ERR_clear_error();
                break;
            }
            total += static_cast<std::size_t>(got);
        }
        return total;
    }

    Stream stream_;
};

void apply_socket_options(tcp::socket& socket, const ConnectSettings& settings) {
    socket.set_option(tcp::no_delay(true));
    for (const auto& option : settings.socket_options) {
        // As HTTPX (setsockopt's OSError inside the connect): a bad option fails the connect.
        if (::setsockopt(socket.native_handle(), option.level, option.name, &option.value,
                         sizeof(option.value)) != 0) {
            throw ConnectError("Could not apply socket option (level " +
                               std::to_string(option.level) + ", name " +
                               std::to_string(option.name) + "): " + std::strerror(errno));
        }
    }
}

awaitable<tcp::socket> connect_tcp(const std::string& host, int port,
                                   const ConnectSettings& settings, std::size_t connection) {
    auto executor = co_await asio::this_coro::executor;
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
        if (!connect_ec && settings.faults) {
            if (auto fault = co_await settings.faults->before(IoOperation::connect, connection))
                connect_ec = *fault;
        }
        if (!connect_ec) {
            apply_socket_options(socket, settings);
            co_return socket;
        }
        last_error = connect_ec;
    }
    throw ConnectError("Failed to connect to " + host + ":" + std::to_string(port) + ": " +
                       last_error.message());
}

std::string tls_failure_reason(SSL* ssl, const boost::system::error_code& ec) {
    long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK)
        return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
    return ec.message();
}

awaitable<std::unique_ptr<NetworkStream>> connect_once(const std::string& host, int port, bool tls,
                                                       const ConnectSettings& settings,
                                                       std::size_t connection) {
    auto executor = co_await asio::this_coro::executor;
    if (settings.uds) {
        asio::local::stream_protocol::socket socket(executor);
        auto [ec] =
            co_await socket.async_connect(asio::local::stream_protocol::endpoint(*settings.uds),
                                          asio::experimental::as_tuple(asio::use_awaitable));
        if (!ec && settings.faults) {
            if (auto fault = co_await settings.faults->before(IoOperation::connect, connection))
                ec = *fault;
        }
        if (ec) throw ConnectError("Failed to connect to " + *settings.uds + ": " + ec.message());
        co_return std::make_unique<AsioStream<asio::local::stream_protocol::socket>>(
            std::move(socket));
    }
    tcp::socket socket = co_await connect_tcp(host, port, settings, connection);
    if (!tls) co_return std::make_unique<AsioStream<tcp::socket>>(std::move(socket));

    asio::ssl::stream<tcp::socket> stream(std::move(socket), *settings.tls);
    SSL* ssl = stream.native_handle();
    // SNI (not for IP literals: TLS forbids it) and host name verification by OpenSSL itself,
    // so that a mismatch is reported as such ("hostname mismatch").
    boost::system::error_code ip_ec;
    asio::ip::make_address(host, ip_ec);
    if (ip_ec) SSL_set_tlsext_host_name(ssl, host.c_str());
    if (SSL_CTX_get_verify_mode(SSL_get_SSL_CTX(ssl)) & SSL_VERIFY_PEER) {
        if (ip_ec)
            SSL_set1_host(ssl, host.c_str());
        else
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
    }
    std::optional<boost::system::error_code> fault;
    if (settings.faults)
        fault = co_await settings.faults->before(IoOperation::handshake, connection);
    boost::system::error_code ec;
    if (fault)
        ec = *fault;
    else
        std::tie(ec) = co_await stream.async_handshake(
            asio::ssl::stream_base::client, asio::experimental::as_tuple(asio::use_awaitable));
    if (ec)
        throw ConnectError("TLS handshake with " + host +
                           " failed: " + tls_failure_reason(ssl, ec));
    co_return std::make_unique<AsioStream<asio::ssl::stream<tcp::socket>>>(std::move(stream));
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_tls_context(const VerifyOption& verify,
                                                     const std::optional<ClientCert>& cert,
                                                     bool http1, bool http2) {
    std::shared_ptr<asio::ssl::context> context;
    if (auto* given = std::get_if<std::shared_ptr<asio::ssl::context>>(&verify); given && *given) {
        context = *given;
    } else {
        context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
        context->set_options(asio::ssl::context::default_workarounds |
                             asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                             asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
        if (auto* flag = std::get_if<bool>(&verify); flag && !*flag) {
            context->set_verify_mode(asio::ssl::verify_none);
        } else {
            context->set_verify_mode(asio::ssl::verify_peer);
            if (auto* path = std::get_if<std::string>(&verify)) {
                boost::system::error_code ec;
                context->load_verify_file(*path, ec);
                if (ec)
                    throw std::invalid_argument("Could not load CA bundle '" + *path +
                                                "': " + ec.message());
            } else {
                context->set_default_verify_paths();
            }
        }
    }
    if (cert) {
        boost::system::error_code ec;
        if (!cert->password.empty()) {
            context->set_password_callback(
                [password = cert->password](std::size_t, asio::ssl::context::password_purpose) {
                    return password;
                });
        }
        context->use_certificate_chain_file(cert->certfile, ec);
        if (!ec)
            context->use_private_key_file(cert->keyfile.empty() ? cert->certfile : cert->keyfile,
                                          asio::ssl::context::pem, ec);
        if (ec) throw std::invalid_argument("Could not load client certificate: " + ec.message());
    }
    std::string alpn;
    if (http2) alpn += std::string("\x02h2", 3);
    if (http1) alpn += std::string("\x08http/1.1", 9);
    SSL_CTX_set_alpn_protos(context->native_handle(),
                            reinterpret_cast<const unsigned char*>(alpn.data()),
                            static_cast<unsigned>(alpn.size()));
    return context;
}

awaitable<std::unique_ptr<NetworkStream>> open_stream(
    const std::string& host, int port, bool tls, const ConnectSettings& settings,
    std::optional<std::chrono::duration<double>> timeout) {
    // httpcore's backoff: retry at once, then after 0.5, 1, 2, 4 ... seconds.
    for (int attempt = 0;; ++attempt) {
        try {
            const std::size_t connection = settings.faults ? settings.faults->open_connection() : 0;
            auto stream = co_await within<ConnectTimeout>(
                timeout, connect_once(host, port, tls, settings, connection),
                "Timed out while connecting.");
            if (settings.faults) {
                auto executor = co_await asio::this_coro::executor;
                stream = with_faults(std::move(stream), settings.faults, connection, executor);
            }
            co_return stream;
        } catch (const ConnectError&) {
            if (attempt >= settings.retries) throw;
        } catch (const ConnectTimeout&) {
            if (attempt >= settings.retries) throw;
        }
        if (attempt > 0) {
            asio::steady_timer backoff(co_await asio::this_coro::executor,
                                       std::chrono::milliseconds(500) * (1 << (attempt - 1)));
            co_await backoff.async_wait(asio::use_awaitable);
        }
    }
}

}  // namespace httpx::net
