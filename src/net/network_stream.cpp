#include "net/network_stream.hpp"

#include "httpx/exceptions.hpp"
#include "net/deadline.hpp"
#include "net/fault_injection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <tuple>
#include <utility>

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

// asio::transfer_all() caps each send at 64 KiB: a 32 MiB upload would take 512 system calls.
// Let the kernel take as much as the socket buffer holds instead.
std::size_t as_much_as_possible(const boost::system::error_code& ec, std::size_t) {
    return ec ? std::size_t(0) : std::size_t(1) << 30;
}

// One gathered send that never waits (MSG_DONTWAIT, whatever the socket's mode): returns how
// many bytes the kernel took, 0 when the socket buffer is full. Throws
// boost::system::system_error with the socket's error, as an Asio write would.
std::size_t send_now(int fd, std::span<const asio::const_buffer> buffers) {
    constexpr std::size_t kMaxPieces = 8;  // more are sent by the write that follows
    std::array<iovec, kMaxPieces> pieces;
    const std::size_t count = std::min(buffers.size(), kMaxPieces);
    for (std::size_t i = 0; i < count; ++i)
        pieces[i] = {const_cast<void*>(buffers[i].data()), buffers[i].size()};
    msghdr message{};
    message.msg_iov = pieces.data();
    message.msg_iovlen = count;
    ssize_t sent = 0;
    do {
        sent = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (sent < 0 && errno == EINTR);
    if (sent >= 0) return static_cast<std::size_t>(sent);
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    throw boost::system::system_error(errno, boost::system::system_category());
}

// socket.async_read_some(), initiated by a handler posted to the socket's executor: after the
// handlers already queued there. One coroutine frame and one posted operation (a co_await of
// asio::post, then of the read, would take a frame and a coroutine resumption more).
template <class Socket>
awaitable<std::tuple<boost::system::error_code, std::size_t>> read_some_after_queued(
    Socket& socket, asio::mutable_buffer buffer) {
    auto token = asio::experimental::as_tuple(asio::use_awaitable);
    return asio::async_initiate<decltype(token), void(boost::system::error_code, std::size_t)>(
        [&socket](auto handler, asio::mutable_buffer into) {
            auto start = [&socket, into, handler = std::move(handler)]() mutable {
                socket.async_read_some(into, std::move(handler));
            };
            // The io_context's own executor when it is one: no type-erased property queries.
            const auto& executor = socket.get_executor();
            if (auto* io = executor.template target<asio::io_context::executor_type>())
                asio::post(*io, std::move(start));
            else
                asio::post(executor, std::move(start));
        },
        token, buffer);
}

// Drops `sent` bytes from the front of `buffers`.
void consume(std::span<asio::const_buffer>& buffers, std::size_t sent) {
    while (!buffers.empty() && sent >= buffers.front().size()) {
        sent -= buffers.front().size();
        buffers = buffers.subspan(1);
    }
    if (sent > 0) buffers.front() += sent;
}

// A NetworkStream over an Asio socket: TCP or Unix.
template <class Stream>
class AsioStream final : public NetworkStream {
public:
    explicit AsioStream(Stream stream) : stream_(std::move(stream)) {}
    awaitable<std::size_t> read_some(asio::mutable_buffer buffer) override {
        auto [ec, n] = co_await stream_.async_read_some(
            buffer, asio::experimental::as_tuple(asio::use_awaitable));
        if (ec == asio::error::eof) co_return 0;
        if (ec) throw boost::system::system_error(ec);
        co_return n;
    }
    awaitable<std::size_t> read_some_later(asio::mutable_buffer buffer) override {
        auto [ec, n] = co_await read_some_after_queued(stream_, buffer);
        if (ec == asio::error::eof) co_return 0;
        if (ec) throw boost::system::system_error(ec);
        co_return n;
    }
    awaitable<void> write(std::span<const asio::const_buffer> buffers) override {
        co_await asio::async_write(stream_, buffers, as_much_as_possible, asio::use_awaitable);
    }
    bool write_now(std::span<asio::const_buffer>& buffers) override {
        consume(buffers, send_now(socket().native_handle(), buffers));
        return buffers.empty();
    }
    void close() noexcept override {
        boost::system::error_code ignored;
        socket().shutdown(asio::socket_base::shutdown_both, ignored);
        socket().close(ignored);
    }
    bool is_readable() const override {
        return !socket().is_open() || socket_readable(socket().native_handle());
    }

private:
    auto& socket() const { return const_cast<Stream&>(stream_); }

    Stream stream_;
};

// TLS over a TCP socket, with OpenSSL reading the socket itself.
//
// Asio's TLS stream feeds OpenSSL through a BIO pair: every byte received is copied twice
// before it is decrypted (into the pair, then out of it), and every read returns one record
// (at most 17 KiB taken from the socket per read). Here OpenSSL reads the socket through a
// minimal BIO that receives in large batches (one recv() brings in many records), and one
// read_some() decrypts every record the socket holds (up to the caller's buffer). An HTTP/2
// connection then handles a whole batch of frames per wake-up, and a bulk download makes a
// fraction of the system calls and wake-ups.
//
// The BIO keeps the batch itself and OpenSSL reads without read-ahead (a record's header, then
// its body): with OpenSSL's own read-ahead buffer, taking each record from a buffer that held
// more moved the rest of it to the buffer's front (ssl3_read_n aligns the next payload), about
// 1.4 copies of every byte received; now each byte is copied once into OpenSSL's record buffer.
//
// What OpenSSL writes (handshake messages, records) is collected in `pending_` and sent with
// one gathered socket write; the socket is only ever waited on through Asio, so timeouts
// (closing the socket) and cancellation (h2's reader) work as for plain TCP.
class TlsStream final : public NetworkStream {
public:
    TlsStream(tcp::socket socket, SSL* ssl) : socket_(std::move(socket)), ssl_(ssl) {
        BIO* bio = BIO_new(bio_method());
        if (bio == nullptr) {
            SSL_free(ssl_);
            throw std::bad_alloc();
        }
        BIO_set_data(bio, this);
        BIO_set_init(bio, 1);
        SSL_set_bio(ssl_, bio, bio);  // the SSL owns the BIO
        SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    }
    ~TlsStream() override { SSL_free(ssl_); }
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;

    SSL* ssl() const noexcept { return ssl_; }

    // Throws boost::system::system_error (an SSL error code, or the socket's).
    awaitable<void> handshake() {
        SSL_set_connect_state(ssl_);
        for (;;) {
            ERR_clear_error();
            const int r = SSL_do_handshake(ssl_);
            if (r == 1) break;
            const int error = SSL_get_error(ssl_, r);
            co_await flush();  // the ClientHello, or the answer to the server's flight
            if (error == SSL_ERROR_WANT_READ) {
                co_await wait_readable();
                continue;
            }
            throw boost::system::system_error(failure(error, true));
        }
        co_await flush();  // the client's Finished
    }

    awaitable<std::size_t> read_some(asio::mutable_buffer buffer) override {
        return read(buffer, false);
    }
    awaitable<std::size_t> read_some_later(asio::mutable_buffer buffer) override {
        return read(buffer, true);
    }

    // read_some(); `later`: the socket's first receive goes after the queued handlers.
    awaitable<std::size_t> read(asio::mutable_buffer buffer, bool later) {
        char* data = static_cast<char*>(buffer.data());
        const int size = static_cast<int>(std::min<std::size_t>(buffer.size(), 1 << 30));
        if (size == 0) co_return 0;
        if (deferred_end_) {
            // What ended the previous read's draining (EOF, an alert, an error).
            const boost::system::error_code ec = *std::exchange(deferred_end_, std::nullopt);
            if (!ec) co_return 0;
            throw boost::system::system_error(ec);
        }
        for (bool waited = false;; waited = true) {
            if (needs_socket()) {
                // SSL_read would only find the socket empty (a recv that fails) and then wait
                // (an async_wait: an epoll_ctl). One Asio receive into the batch instead: it
                // brings the bytes at once, or its failed recv leaves it queued in the reactor.
                if (!pending_.empty() && !writing_) co_await flush();
                co_await receive_batch(std::exchange(later, false));
                waited = true;
            }
            ERR_clear_error();
            const int r = SSL_read(ssl_, data, size);
            if (r > 0) {
                std::size_t total = static_cast<std::size_t>(r);
                // Every other record already received, and those the socket holds, without
                // waiting for more: a bulk transfer is handled in batches as large as the
                // caller's buffer (one wake-up per batch). The socket is asked again only when
                // the last receive filled the batch: after a short one it is most likely empty
                // (a recv that fails with EAGAIN, for every small response).
                while (total < buffer.size() && (!needs_socket() || last_batch_full_)) {
                    const int chunk =
                        static_cast<int>(std::min<std::size_t>(buffer.size() - total, 1 << 30));
                    const int more = SSL_read(ssl_, data + total, chunk);
                    if (more <= 0) {
                        const int error = SSL_get_error(ssl_, more);
                        if (error == SSL_ERROR_ZERO_RETURN)
                            deferred_end_.emplace();  // close_notify
                        else if (error != SSL_ERROR_WANT_READ)
                            deferred_end_ = failure(error, false);
                        ERR_clear_error();
                        break;
                    }
                    total += static_cast<std::size_t>(more);
                }
                // Anything SSL_read had to send (a TLS 1.3 KeyUpdate) goes out now, unless a
                // write is under way (it sends what it finds once done).
                if (!pending_.empty() && !writing_) co_await flush();
                // Completes through the executor, as a socket read does, even when the bytes
                // were there: a reader that never suspends would starve the other coroutines
                // (and, running ahead of its consumer, pile up the whole flow-control window).
                if (!waited) co_await asio::post(socket_.get_executor(), asio::use_awaitable);
                co_return total;
            }
            const int error = SSL_get_error(ssl_, r);
            if (error == SSL_ERROR_ZERO_RETURN) co_return 0;  // close_notify
            if (!pending_.empty() && !writing_) co_await flush();
            if (error == SSL_ERROR_WANT_READ) {
                co_await wait_readable();
                continue;
            }
            const boost::system::error_code ec = failure(error, false);
            // A TLS peer closing without close_notify ends the stream like EOF does: the
            // HTTP framing says whether the body was complete.
            if (!ec) co_return 0;
            throw boost::system::system_error(ec);
        }
    }

    awaitable<void> write(std::span<const asio::const_buffer> buffers) override {
        for (const auto& buffer : buffers) {
            const char* data = static_cast<const char*>(buffer.data());
            std::size_t left = buffer.size();
            while (left > 0) {
                const std::size_t n = encrypt(data, std::min(left, kWriteSlice));
                data += n;
                left -= n;
                if (pending_.size() >= kWriteSlice) co_await flush();
            }
        }
        co_await flush();
    }
    bool write_now(std::span<asio::const_buffer>& buffers) override {
        // Small writes only, and none while a flush is under way: it owns the socket's writes
        // (and sends what is added to pending_ meanwhile, in order).
        if (writing_ || asio::buffer_size(buffers) > kWriteSlice) return false;
        for (const auto& buffer : buffers) {
            const char* data = static_cast<const char*>(buffer.data());
            for (std::size_t left = buffer.size(); left > 0;) {
                const std::size_t n = encrypt(data, left);
                data += n;
                left -= n;
            }
        }
        buffers = {};  // every byte is in a record now: what is not sent is for flush()
        if (pending_.empty()) return true;
        const std::array<asio::const_buffer, 1> records{asio::buffer(pending_)};
        // The records sent leave pending_ at once: a record sent twice is a replay to the
        // server (bad_record_mac), which then drops the connection.
        pending_.erase(0, send_now(socket_.native_handle(), records));
        return pending_.empty();
    }

    void close() noexcept override {
        boost::system::error_code ignored;
        socket_.shutdown(asio::socket_base::shutdown_both, ignored);
        socket_.close(ignored);
    }
    bool is_readable() const override {
        // Records already received count: SSL_has_pending (unsolicited bytes, or an alert), and
        // so does a close_notify or alert that arrived with the end of the last response (read
        // ahead, handled by read_some()) while the server keeps the socket open for ours.
        return !socket_.is_open() || deferred_end_ || !needs_socket() ||
               socket_readable(const_cast<tcp::socket&>(socket_).native_handle());
    }
    std::string alpn_protocol() const override {
        const unsigned char* data = nullptr;
        unsigned int length = 0;
        SSL_get0_alpn_selected(ssl_, &data, &length);
        return std::string(reinterpret_cast<const char*>(data), length);
    }

private:
    // Bytes taken from the socket per recv() (allocated at the first read).
    static constexpr std::size_t kReceiveBatch = 64 * 1024;
    // Plaintext handed to SSL_write at once, and what is collected before a socket write.
    static constexpr std::size_t kWriteSlice = 256 * 1024;

    // Hands up to `size` bytes to OpenSSL, whose records go to pending_; returns how many it took.
    std::size_t encrypt(const char* data, std::size_t size) {
        ERR_clear_error();
        const int r = SSL_write(ssl_, data, static_cast<int>(std::min(size, kWriteSlice)));
        if (r <= 0) {
            boost::system::error_code ec = failure(SSL_get_error(ssl_, r), false);
            // OpenSSL refuses to write once the server's close_notify or alert was read
            // (SSL_ERROR_ZERO_RETURN, no error of its own): the server closed the connection,
            // as a socket write's EPIPE says.
            if (!ec) ec = asio::error::broken_pipe;
            throw boost::system::system_error(ec);
        }
        return static_cast<std::size_t>(r);
    }

    // Whether the next SSL_read can only go on with bytes from the socket: none received and
    // left in the batch, no record in OpenSSL's buffer, no close_notify or alert read, and the
    // socket's end not met.
    bool needs_socket() const {
        return received_begin_ == received_end_ && !socket_eof_ && !SSL_has_pending(ssl_) &&
               (SSL_get_shutdown(ssl_) & SSL_RECEIVED_SHUTDOWN) == 0;
    }

    // Receives the next batch from the socket (waiting for it): for bio_read() to hand out.
    // The end of the stream goes to OpenSSL as bio_read's would (it tells a truncation from a
    // close_notify); errors are thrown, as wait_readable() does.
    // `later`: after the handlers queued on the executor (read_some_later()).
    awaitable<void> receive_batch(bool later) {
        if (!received_) received_.reset(new char[kReceiveBatch]);
        const asio::mutable_buffer batch = asio::buffer(received_.get(), kReceiveBatch);
        auto [ec, n] = later ? co_await read_some_after_queued(socket_, batch)
                             : co_await socket_.async_read_some(
                                   batch, asio::experimental::as_tuple(asio::use_awaitable));
        if (ec == asio::error::eof) {
            socket_eof_ = true;
            co_return;
        }
        if (ec) throw boost::system::system_error(ec);
        received_begin_ = 0;
        received_end_ = n;
        last_batch_full_ = n == kReceiveBatch;
    }

    awaitable<void> wait_readable() {
        auto [ec] = co_await socket_.async_wait(tcp::socket::wait_read,
                                                asio::experimental::as_tuple(asio::use_awaitable));
        if (ec) throw boost::system::system_error(ec);
    }

    // Sends what OpenSSL wrote. One write at a time: a read that finds a write under way leaves
    // its bytes to it.
    awaitable<void> flush() {
        if (writing_) co_return;
        writing_ = true;
        struct Done {
            bool& writing;
            ~Done() { writing = false; }
        } done{writing_};
        while (!pending_.empty()) {
            sending_.swap(pending_);
            co_await asio::async_write(socket_, asio::buffer(sending_), as_much_as_possible,
                                       asio::use_awaitable);
            sending_.clear();
        }
    }

    // The error of a failed SSL call (SSL_get_error's `error`); an empty code for the end of
    // the stream without close_notify.
    boost::system::error_code failure(int error, bool handshake) {
        const unsigned long code = ERR_peek_last_error();
        if (error == SSL_ERROR_SSL && ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
            ERR_clear_error();
            if (handshake) return asio::ssl::error::stream_truncated;
            return {};
        }
        if (error == SSL_ERROR_SSL && code != 0) {
            ERR_clear_error();
            return {static_cast<int>(code), asio::error::get_ssl_category()};
        }
        if (error == SSL_ERROR_SYSCALL && socket_errno_ != 0)
            return {socket_errno_, boost::system::system_category()};
        ERR_clear_error();
        if (handshake) return asio::ssl::error::stream_truncated;
        return {};
    }

    // --- the BIO: reads the socket (non-blocking) in batches, collects writes in pending_ ---
    static int bio_read(BIO* bio, char* out, int size) {
        auto* self = static_cast<TlsStream*>(BIO_get_data(bio));
        BIO_clear_retry_flags(bio);
        if (self->received_begin_ == self->received_end_) {
            if (self->socket_eof_) return 0;
            if (!self->received_) self->received_.reset(new char[kReceiveBatch]);
            const ssize_t n = ::recv(self->socket_.native_handle(), self->received_.get(),
                                     kReceiveBatch, MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                    BIO_set_retry_read(bio);
                } else {
                    self->socket_errno_ = errno;
                }
                return -1;
            }
            if (n == 0) return 0;
            self->received_begin_ = 0;
            self->received_end_ = static_cast<std::size_t>(n);
            self->last_batch_full_ = self->received_end_ == kReceiveBatch;
        }
        const std::size_t take = std::min(static_cast<std::size_t>(std::max(size, 0)),
                                          self->received_end_ - self->received_begin_);
        std::memcpy(out, self->received_.get() + self->received_begin_, take);
        self->received_begin_ += take;
        return static_cast<int>(take);
    }
    static int bio_write(BIO* bio, const char* data, int size) {
        auto* self = static_cast<TlsStream*>(BIO_get_data(bio));
        BIO_clear_retry_flags(bio);
        self->pending_.append(data, static_cast<std::size_t>(size));
        return size;
    }
    static long bio_ctrl(BIO*, int command, long, void*) {
        return command == BIO_CTRL_FLUSH ? 1 : 0;
    }
    static BIO_METHOD* bio_method() {
        static BIO_METHOD* method = [] {
            BIO_METHOD* m =
                BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "httpx socket");
            if (m == nullptr) return m;
            BIO_meth_set_read(m, bio_read);
            BIO_meth_set_write(m, bio_write);
            BIO_meth_set_ctrl(m, bio_ctrl);
            return m;
        }();
        if (method == nullptr) throw std::bad_alloc();
        return method;
    }

    tcp::socket socket_;
    SSL* ssl_;
    std::string pending_;  // written by OpenSSL, not sent yet
    std::string sending_;  // being sent
    bool writing_ = false;
    int socket_errno_ = 0;  // of the last failed recv()
    // Received, not yet taken by OpenSSL: [received_begin_, received_end_).
    std::unique_ptr<char[]> received_;
    std::size_t received_begin_ = 0, received_end_ = 0;
    bool socket_eof_ = false;       // receive_batch() met the end of the stream
    bool last_batch_full_ = false;  // the last receive filled the batch: more may be waiting
    // The end of the stream (an empty code) or the error met after a read got bytes: the next
    // read reports it.
    std::optional<boost::system::error_code> deferred_end_;
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

// `executor`: where the socket lives (the coroutine may run on a strand of it, see within()).
awaitable<tcp::socket> connect_tcp(const std::string& host, int port,
                                   const ConnectSettings& settings, std::size_t connection,
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
                                                       std::size_t connection,
                                                       asio::any_io_executor executor) {
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
    tcp::socket socket = co_await connect_tcp(host, port, settings, connection, executor);
    if (!tls) co_return std::make_unique<AsioStream<tcp::socket>>(std::move(socket));

    SSL* raw = SSL_new(settings.tls->native_handle());
    if (raw == nullptr) throw ConnectError("TLS handshake with " + host + " failed: SSL_new");
    auto stream = std::make_unique<TlsStream>(std::move(socket), raw);
    SSL* ssl = stream->ssl();
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
    if (fault) {
        ec = *fault;
    } else {
        try {
            co_await stream->handshake();
        } catch (const boost::system::system_error& e) {
            ec = e.code();
        }
    }
    if (ec)
        throw ConnectError("TLS handshake with " + host +
                           " failed: " + tls_failure_reason(ssl, ec));
    co_return stream;
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
            auto executor = co_await asio::this_coro::executor;
            auto stream = co_await within<ConnectTimeout>(
                timeout, connect_once(host, port, tls, settings, connection, executor),
                "Timed out while connecting.");
            if (settings.faults)
                stream = with_faults(std::move(stream), settings.faults, connection, executor);
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
