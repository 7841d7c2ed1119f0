#include "httpx/io_backend.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <string>
#include <system_error>

namespace httpx {

namespace {

// A std::system_error (the type Asio's own failure has) with a message that names the fix.
class IoUringUnavailable final : public std::system_error {
public:
    explicit IoUringUnavailable(std::error_code code)
        : std::system_error(code),
          message_("io_uring is not available on this system (kernel refused io_uring_setup: " +
                   code.message() + "); build httpxx without HTTPXX_IO_URING") {}
    const char* what() const noexcept override { return message_.c_str(); }

private:
    std::string message_;
};

// The kernel's answer, asked once, as Asio asks it: an io_context sets up its ring with the first
// timer or socket (Asio's ring size: a smaller ring may pass where Asio's does not, under
// RLIMIT_MEMLOCK on older kernels).
std::error_code io_uring_refusal() {
    try {
        boost::asio::io_context probe(1);
        boost::asio::steady_timer first(probe);
    } catch (const boost::system::system_error& error) {
        return error.code();
    }
    return {};
}

}  // namespace

IoBackend io_backend() noexcept {
#if defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
    return IoBackend::io_uring;
#else
    return IoBackend::epoll;
#endif
}

void check_io_backend() {
    if (io_backend() != IoBackend::io_uring) return;
    static const std::error_code refusal = io_uring_refusal();
    if (refusal) throw IoUringUnavailable(refusal);
}

}  // namespace httpx
