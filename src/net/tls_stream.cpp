#include "net/tls_stream.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <algorithm>
#include <array>
#include <cstring>
#include <new>
#include <utility>

namespace httpx::net {

namespace asio = boost::asio;

namespace {

// Bytes taken from the inner stream per receive (allocated at the first read).
constexpr std::size_t kReceiveBatch = 64 * 1024;
// Plaintext handed to SSL_write at once, and what is collected before an inner write.
constexpr std::size_t kWriteSlice = 256 * 1024;

}  // namespace

// Reads hand OpenSSL the batch received (and, once it is used up, what the inner stream holds
// right now, without waiting); writes collect OpenSSL's output in pending_.
struct TlsStream::Bio {
    static int read(BIO* bio, char* out, int size) {
        auto* self = static_cast<TlsStream*>(BIO_get_data(bio));
        BIO_clear_retry_flags(bio);
        if (self->received_begin_ == self->received_end_) {
            if (self->input_eof_) return 0;
            std::optional<std::size_t> n;
            try {
                n = self->inner_->read_now(self->batch());
            } catch (const boost::system::system_error& e) {
                self->input_error_ = e.code();
                return -1;
            }
            if (!n) {
                BIO_set_retry_read(bio);
                return -1;
            }
            self->received(*n);
            if (*n == 0) return 0;
        }
        const std::size_t take = std::min(static_cast<std::size_t>(std::max(size, 0)),
                                          self->received_end_ - self->received_begin_);
        std::memcpy(out, self->received_.get() + self->received_begin_, take);
        self->received_begin_ += take;
        return static_cast<int>(take);
    }
    static int write(BIO* bio, const char* data, int size) {
        auto* self = static_cast<TlsStream*>(BIO_get_data(bio));
        BIO_clear_retry_flags(bio);
        self->pending_.append(data, static_cast<std::size_t>(size));
        return size;
    }
    static long ctrl(BIO*, int command, long, void*) { return command == BIO_CTRL_FLUSH ? 1 : 0; }
    static BIO_METHOD* method() {
        static BIO_METHOD* method = [] {
            BIO_METHOD* m =
                BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "httpx stream");
            if (m == nullptr) return m;
            BIO_meth_set_read(m, read);
            BIO_meth_set_write(m, write);
            BIO_meth_set_ctrl(m, ctrl);
            return m;
        }();
        if (method == nullptr) throw std::bad_alloc();
        return method;
    }
};

TlsStream::TlsStream(std::unique_ptr<NetworkStream> inner, SSL* ssl, asio::any_io_executor executor)
    : inner_(std::move(inner)), ssl_(ssl), executor_(std::move(executor)) {
    BIO* bio = BIO_new(Bio::method());
    if (bio == nullptr) {
        SSL_free(ssl_);
        throw std::bad_alloc();
    }
    BIO_set_data(bio, this);
    BIO_set_init(bio, 1);
    SSL_set_bio(ssl_, bio, bio);  // the SSL owns the BIO
    SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

TlsStream::~TlsStream() {
    SSL_free(ssl_);
}

awaitable<void> TlsStream::handshake() {
    SSL_set_connect_state(ssl_);
    for (;;) {
        ERR_clear_error();
        const int r = SSL_do_handshake(ssl_);
        if (r == 1) break;
        const int error = SSL_get_error(ssl_, r);
        co_await flush();  // the ClientHello, or the answer to the server's flight
        if (error == SSL_ERROR_WANT_READ) {
            received(co_await receive(false));
            continue;
        }
        throw boost::system::system_error(failure(error, true));
    }
    co_await flush();  // the client's Finished
}

awaitable<std::size_t> TlsStream::read_some(asio::mutable_buffer buffer) {
    return read(buffer, false);
}

awaitable<std::size_t> TlsStream::read_some_later(asio::mutable_buffer buffer) {
    return read(buffer, true);
}

awaitable<std::size_t> TlsStream::read(asio::mutable_buffer buffer, bool later) {
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
        if (needs_input()) {
            // SSL_read would only find the inner stream empty (a read_now() that fails) and
            // then wait. One receive into the batch instead: it brings the bytes at once, or
            // waits for them.
            if (!pending_.empty() && !writing_) co_await flush();
            received(co_await receive(std::exchange(later, false)));
            waited = true;
        }
        ERR_clear_error();
        const int r = SSL_read(ssl_, data, size);
        if (r > 0) {
            std::size_t total = static_cast<std::size_t>(r);
            // Every other record already received, and those the inner stream holds, without
            // waiting for more: a bulk transfer is handled in batches as large as the caller's
            // buffer (one wake-up per batch). The inner stream is asked again only when the
            // last receive filled the batch: after a short one it is most likely empty (a
            // recv that fails with EAGAIN, for every small response).
            while (total < buffer.size() && (!needs_input() || last_batch_full_)) {
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
            // Anything SSL_read had to send (a TLS 1.3 KeyUpdate) goes out now, unless a write
            // is under way (it sends what it finds once done).
            if (!pending_.empty() && !writing_) co_await flush();
            // Completes through the executor, as a socket read does, even when the bytes were
            // there: a reader that never suspends would starve the other coroutines (and,
            // running ahead of its consumer, pile up the whole flow-control window).
            if (!waited) co_await asio::post(executor_, asio::use_awaitable);
            co_return total;
        }
        const int error = SSL_get_error(ssl_, r);
        if (error == SSL_ERROR_ZERO_RETURN) co_return 0;  // close_notify
        if (!pending_.empty() && !writing_) co_await flush();
        if (error == SSL_ERROR_WANT_READ) {
            // The batch is used up (a partial record is buffered in OpenSSL): wait for more.
            received(co_await receive(std::exchange(later, false)));
            continue;
        }
        const boost::system::error_code ec = failure(error, false);
        // A TLS peer closing without close_notify ends the stream like EOF does: the HTTP
        // framing says whether the body was complete.
        if (!ec) co_return 0;
        throw boost::system::system_error(ec);
    }
}

awaitable<void> TlsStream::write(std::span<const asio::const_buffer> buffers) {
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

bool TlsStream::write_now(std::span<asio::const_buffer>& buffers) {
    // Small writes only, and none while a flush is under way: it owns the inner stream's
    // writes (and sends what is added to pending_ meanwhile, in order).
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
    std::array<asio::const_buffer, 1> records{asio::buffer(pending_)};
    std::span<asio::const_buffer> unsent(records);
    inner_->write_now(unsent);
    // The records sent leave pending_ at once: a record sent twice is a replay to the server
    // (bad_record_mac), which then drops the connection.
    pending_.erase(0, pending_.size() - asio::buffer_size(unsent));
    return pending_.empty();
}

void TlsStream::close() noexcept {
    inner_->close();
}

void TlsStream::interrupt() noexcept {
    inner_->interrupt();
}

bool TlsStream::is_readable() const {
    // Records already received count: SSL_has_pending (unsolicited bytes, or an alert), and so
    // does a close_notify or alert that arrived with the end of the last response (read ahead,
    // handled by read_some()) while the server keeps the connection open for ours.
    return deferred_end_ || !needs_input() || inner_->is_readable();
}

std::string TlsStream::alpn_protocol() const {
    const unsigned char* data = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(ssl_, &data, &length);
    return std::string(reinterpret_cast<const char*>(data), length);
}

// Hands up to `size` bytes to OpenSSL, whose records go to pending_; returns how many it took.
std::size_t TlsStream::encrypt(const char* data, std::size_t size) {
    ERR_clear_error();
    const int r = SSL_write(ssl_, data, static_cast<int>(std::min(size, kWriteSlice)));
    if (r <= 0) {
        boost::system::error_code ec = failure(SSL_get_error(ssl_, r), false);
        // OpenSSL refuses to write once the server's close_notify or alert was read
        // (SSL_ERROR_ZERO_RETURN, no error of its own): the server closed the connection, as a
        // socket write's EPIPE says.
        if (!ec) ec = asio::error::broken_pipe;
        throw boost::system::system_error(ec);
    }
    return static_cast<std::size_t>(r);
}

// Whether the next SSL_read can only go on with bytes from the inner stream: none received and
// left in the batch, no record in OpenSSL's buffer, no close_notify or alert read, and the inner
// stream's end not met.
bool TlsStream::needs_input() const {
    return received_begin_ == received_end_ && !input_eof_ && !SSL_has_pending(ssl_) &&
           (SSL_get_shutdown(ssl_) & SSL_RECEIVED_SHUTDOWN) == 0;
}

// Reads the next batch from the inner stream (waiting for it), for Bio::read() to hand out
// once received() took note of it: not a coroutine of its own, the caller awaits the inner
// stream's read directly. `later`: after the handlers queued on the executor
// (read_some_later()).
awaitable<std::size_t> TlsStream::receive(bool later) {
    return later ? inner_->read_some_later(batch()) : inner_->read_some(batch());
}

// Where a receive goes (allocated at the first).
asio::mutable_buffer TlsStream::batch() {
    if (!received_) received_.reset(new char[kReceiveBatch]);
    return asio::buffer(received_.get(), kReceiveBatch);
}

// The batch receive() brought: `n` bytes, or the end of the inner stream, which goes to OpenSSL
// as Bio::read's would (it tells a truncation from a close_notify). Errors were thrown.
void TlsStream::received(std::size_t n) {
    if (n == 0) {
        input_eof_ = true;
        return;
    }
    received_begin_ = 0;
    received_end_ = n;
    last_batch_full_ = n == kReceiveBatch;
}

// Sends what OpenSSL wrote. One write at a time: a read that finds a write under way leaves its
// bytes to it.
awaitable<void> TlsStream::flush() {
    if (writing_) co_return;
    writing_ = true;
    struct Done {
        bool& writing;
        ~Done() { writing = false; }
    } done{writing_};
    while (!pending_.empty()) {
        sending_.swap(pending_);
        const std::array<asio::const_buffer, 1> records{asio::buffer(sending_)};
        co_await inner_->write(records);
        sending_.clear();
    }
}

// The error of a failed SSL call (SSL_get_error's `error`); an empty code for the end of the
// stream without close_notify.
boost::system::error_code TlsStream::failure(int error, bool handshake) {
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
    if (error == SSL_ERROR_SYSCALL && input_error_) return input_error_;
    ERR_clear_error();
    if (handshake) return asio::ssl::error::stream_truncated;
    return {};
}

}  // namespace httpx::net
