#include "transport/upgraded_stream.hpp"

#include "httpx/exceptions.hpp"
#include "net/deadline.hpp"

#include <boost/system/system_error.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace httpx {

namespace asio = boost::asio;

NetworkStream::Impl::Impl(std::unique_ptr<net::NetworkStream> stream_, std::string buffered_,
                          transport::Lease lease_)
    : stream(std::move(stream_)),
      buffered(std::move(buffered_)),
      lease(std::move(lease_)),
      tls(stream->tls_info()) {}

NetworkStream::Impl::~Impl() {
    close();
}

void NetworkStream::Impl::close() noexcept {
    if (closed.exchange(true)) return;
    stream->close();
    lease.end(false);  // the connection never carries HTTP again
}

NetworkStream::NetworkStream(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

awaitable<Bytes> NetworkStream::read(std::size_t max_bytes, std::optional<Duration> timeout) {
    const std::shared_ptr<Impl> impl = impl_;  // alive while this runs, whatever the caller does
    if (impl->closed) throw ReadError("The network stream is closed.");
    if (max_bytes == 0) co_return Bytes();
    if (impl->taken < impl->buffered.size()) {
        const std::size_t n = std::min(max_bytes, impl->buffered.size() - impl->taken);
        Bytes out = impl->buffered.substr(impl->taken, n);
        impl->taken += n;
        if (impl->taken == impl->buffered.size()) {
            impl->buffered = Bytes();
            impl->taken = 0;
        }
        co_return out;
    }
    Bytes out(max_bytes, '\0');
    std::size_t n = 0;
    try {
        n = co_await net::within<ReadTimeout>(timeout, impl->stream->read_some(asio::buffer(out)),
                                              "Timed out while receiving data from the host.");
    } catch (const ReadTimeout&) {
        impl->close();
        throw;
    } catch (const boost::system::system_error& e) {
        if (impl->closed) throw ReadError("The network stream is closed.");
        throw ReadError(e.code().message());
    }
    out.resize(n);
    co_return out;
}

awaitable<void> NetworkStream::write(std::string_view data, std::optional<Duration> timeout) {
    const std::shared_ptr<Impl> impl = impl_;
    if (impl->closed) throw WriteError("The network stream is closed.");
    if (data.empty()) co_return;
    const std::array<asio::const_buffer, 1> buffers{asio::buffer(data)};
    try {
        co_await net::within<WriteTimeout>(timeout, impl->stream->write(buffers),
                                           "Timed out while sending data to the host.");
    } catch (const WriteTimeout&) {
        impl->close();
        throw;
    } catch (const boost::system::system_error& e) {
        if (impl->closed) throw WriteError("The network stream is closed.");
        throw WriteError(e.code().message());
    }
}

void NetworkStream::close() noexcept {
    impl_->close();
}

awaitable<void> NetworkStream::aclose() {
    impl_->close();
    co_return;
}

bool NetworkStream::is_closed() const noexcept {
    return impl_->closed;
}

bool NetworkStream::is_readable() const {
    if (impl_->closed) return false;
    return impl_->taken < impl_->buffered.size() || impl_->stream->is_readable();
}

const TLSInfo* NetworkStream::tls() const noexcept {
    return impl_->tls.get();
}

}  // namespace httpx
