// The byte stream a connection runs over: TCP, a Unix socket, TLS over either (or over another
// TLS stream), or a test's stand-in. Opening one is net/connect.hpp's business.
#pragma once

#include "httpx/network_stream.hpp"
#include "httpx/types.hpp"

#include <boost/asio/buffer.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace httpx::net {

/// An IP address and port (httpcore's `get_extra_info("server_addr")`).
struct SocketAddress {
    std::string address;  // "127.0.0.1", "::1"
    std::uint16_t port = 0;
};

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
    /// Takes what the stream holds right now, without waiting: the bytes read, 0 at the end of
    /// the stream, nullopt when nothing is there yet. Throws as read_some(). The default takes
    /// nothing (a stream over this one then waits with read_some()).
    virtual std::optional<std::size_t> read_now(boost::asio::mutable_buffer buffer) {
        (void)buffer;
        return std::nullopt;
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
    /// The TLS facts of the connection's outermost TLS layer; nullptr without TLS.
    virtual std::shared_ptr<const TLSInfo> tls_info() const { return nullptr; }
    /// The TCP peer's address and ours; nullopt for a Unix socket or a test's stream.
    virtual std::optional<SocketAddress> server_address() const { return std::nullopt; }
    virtual std::optional<SocketAddress> client_address() const { return std::nullopt; }
};

}  // namespace httpx::net
