// TLS as a NetworkStream over any other NetworkStream: TCP, a Unix socket, a proxy's CONNECT
// tunnel, or another TLS stream (TLS in TLS).
#pragma once

#include "net/network_stream.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

struct ssl_st;

namespace httpx::net {

/// TLS with OpenSSL reading and writing the inner stream through a BIO of our own.
///
/// Asio's TLS stream feeds OpenSSL through a BIO pair: every byte received is copied twice
/// before it is decrypted (into the pair, then out of it), and every read returns one record
/// (at most 17 KiB taken from the socket per read). Here the BIO receives in large batches
/// (one receive from the inner stream brings in many records), and one read_some() decrypts
/// every record the inner stream holds (up to the caller's buffer). An HTTP/2 connection then
/// handles a whole batch of frames per wake-up, and a bulk download makes a fraction of the
/// system calls and wake-ups.
///
/// The BIO keeps the batch itself and OpenSSL reads without read-ahead (a record's header, then
/// its body): with OpenSSL's own read-ahead buffer, taking each record from a buffer that held
/// more moved the rest of it to the buffer's front (ssl3_read_n aligns the next payload), about
/// 1.4 copies of every byte received; now each byte is copied once into OpenSSL's record buffer.
///
/// What OpenSSL writes (handshake messages, records) is collected in `pending_` and sent with
/// one write of the inner stream (or its write_now() for a small write); the inner stream is
/// only ever waited on through its own operations, so timeouts (closing the stream) and
/// cancellation (h2's reader) work as they do without TLS.
class TlsStream final : public NetworkStream {
public:
    /// TLS over `inner` with `ssl`, which the stream owns from now on (set up by the caller:
    /// SNI, host name check). `executor`: where the stream's operations complete.
    TlsStream(std::unique_ptr<NetworkStream> inner, ssl_st* ssl,
              boost::asio::any_io_executor executor);
    ~TlsStream() override;
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;

    ssl_st* ssl() const noexcept { return ssl_; }

    /// The client's handshake. Throws boost::system::system_error (an SSL error code, or the
    /// inner stream's).
    awaitable<void> handshake();

    awaitable<std::size_t> read_some(boost::asio::mutable_buffer buffer) override;
    awaitable<std::size_t> read_some_later(boost::asio::mutable_buffer buffer) override;
    awaitable<void> write(std::span<const boost::asio::const_buffer> buffers) override;
    bool write_now(std::span<boost::asio::const_buffer>& buffers) override;
    void close() noexcept override;
    bool is_readable() const override;
    std::string alpn_protocol() const override;
    std::shared_ptr<const TLSInfo> tls_info() const override { return info_; }
    std::optional<SocketAddress> server_address() const override {
        return inner_->server_address();
    }
    std::optional<SocketAddress> client_address() const override {
        return inner_->client_address();
    }
    /// What the handshake negotiated, for tls_info() (set once it is done).
    void set_tls_info(std::shared_ptr<const TLSInfo> info) { info_ = std::move(info); }

private:
    struct Bio;  // the OpenSSL BIO over this stream's batch and pending_

    // read_some(); `later`: the inner stream's first receive goes after the queued handlers.
    awaitable<std::size_t> read(boost::asio::mutable_buffer buffer, bool later);
    std::size_t encrypt(const char* data, std::size_t size);
    bool needs_input() const;
    awaitable<std::size_t> receive(bool later);
    void received(std::size_t n);
    boost::asio::mutable_buffer batch();
    awaitable<void> flush();
    boost::system::error_code failure(int error, bool handshake);

    std::unique_ptr<NetworkStream> inner_;
    ssl_st* ssl_;
    boost::asio::any_io_executor executor_;
    std::string pending_;  // written by OpenSSL, not sent yet
    std::string sending_;  // being sent
    bool writing_ = false;
    boost::system::error_code input_error_;  // of the last failed read_now() of the inner stream
    // Received, not yet taken by OpenSSL: [received_begin_, received_end_).
    std::unique_ptr<char[]> received_;
    std::size_t received_begin_ = 0, received_end_ = 0;
    bool input_eof_ = false;        // the inner stream ended
    bool last_batch_full_ = false;  // the last receive filled the batch: more may be waiting
    // The end of the stream (an empty code) or the error met after a read got bytes: the next
    // read reports it.
    std::optional<boost::system::error_code> deferred_end_;
    std::shared_ptr<const TLSInfo> info_;
};

}  // namespace httpx::net
