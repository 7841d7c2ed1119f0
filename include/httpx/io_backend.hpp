// The event mechanism Asio runs on in libhttpxx, and a start-up check for it (README, "io_uring").
#pragma once

namespace httpx {

/// What every io_context of a program linking libhttpxx waits on. Chosen when libhttpxx is built
/// (CMake option HTTPXX_IO_URING, default epoll); the installed package passes the choice on to
/// the program (httpx::httpxx and httpxx.pc carry Asio's macros), since all of a program's Asio
/// code must agree.
enum class IoBackend { epoll, io_uring };

/// The backend this libhttpxx was built with.
IoBackend io_backend() noexcept;

/// Checks, once per process, that this system lets Asio create an io_context. With epoll it
/// always does. With io_uring the kernel may refuse (Docker's default seccomp profile, the
/// kernel.io_uring_disabled sysctl, some sandboxes) and Asio has no fallback: an io_context's
/// first timer or socket throws a bare system_error ("io_uring_queue_init: Operation not
/// permitted").
/// This throws instead a std::system_error with the same code whose what() reads "io_uring is
/// not available on this system (kernel refused io_uring_setup: Operation not permitted); build
/// httpxx without HTTPXX_IO_URING". httpxx's own programs (the examples, the test server) call
/// it before they create an io_context; a program built on the io_uring build can do the same.
void check_io_backend();

}  // namespace httpx
