// The byte streams connections run over (TCP, TLS over TCP, Unix sockets), and opening them.
#pragma once

#include "httpx/config.hpp"
#include "httpx/types.hpp"

#include <boost/asio/buffer.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace httpx::net {

class FaultInjector;

/// A connected byte stream. Errors are thrown as boost::system::system_error; the connection
/// layer maps them to HTTPX's exceptions.
class NetworkStream {
public:
    virtual ~NetworkStream();
    /// Reads at least one byte; returns 0 at end of stream.
    virtual awaitable<std::size_t> read_some(boost::asio::mutable_buffer buffer) = 0;
    /// As read_some(), but the socket is first tried once the handlers already queued on its
    /// executor have run: for a reply that cannot have arrived yet (a first try would fail
    /// with EAGAIN), while other work is ready. The default reads at once.
    virtual awaitable<std::size_t> read_some_later(boost::asio::mutable_buffer buffer) {
        return read_some(buffer);
    }
    /// Writes every buffer (gathered: one system call where possible).
    virtual awaitable<void> write(std::span<const boost::asio::const_buffer> buffers) = 0;
    /// Sends what the stream takes right now, without waiting, and drops it from the front of
    /// `buffers`. Returns true when all of it went out (and the stream holds nothing back);
    /// otherwise write() must finish with what is left of `buffers`, maybe nothing. The
    /// default sends nothing.
    virtual bool write_now(std::span<boost::asio::const_buffer>& buffers) {
        (void)buffers;
        return false;
    }
    virtual void close() noexcept = 0;
    /// True when the peer closed or sent unsolicited bytes: an idle connection in that state
    /// must not carry another request.
    virtual bool is_readable() const = 0;
    /// The protocol chosen by ALPN ("" when none).
    virtual std::string alpn_protocol() const { return {}; }
};

/// Everything needed to open a connection, fixed per transport.
struct ConnectSettings {
    std::shared_ptr<boost::asio::ssl::context> tls;  // for https
    std::optional<std::string> uds;
    std::optional<std::string> local_address;
    std::vector<SocketOption> socket_options;
    int retries = 0;
    bool http1 = true;   // HTTP/1.1 offered (ALPN) and spoken
    bool http2 = false;  // HTTP/2 offered by ALPN; over plain TCP only without http1
    /// Tests only (net/fault_injection.hpp): fails a chosen connect, handshake, read or write.
    std::shared_ptr<FaultInjector> faults;
};

/// Builds the TLS context of a transport: system trust store unless `verify` says otherwise,
/// the client certificate, ALPN. Throws `std::invalid_argument` for unreadable files.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const VerifyOption& verify,
                                                            const std::optional<ClientCert>& cert,
                                                            bool http1, bool http2);

/// Opens a stream to host:port (TLS when `tls`), trying every resolved address in turn and
/// retrying failed connects with httpcore's backoff. Throws ConnectError / ConnectTimeout.
awaitable<std::unique_ptr<NetworkStream>> open_stream(
    const std::string& host, int port, bool tls, const ConnectSettings& settings,
    std::optional<std::chrono::duration<double>> timeout);

}  // namespace httpx::net
