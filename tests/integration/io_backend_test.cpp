#include "httpx/io_backend.hpp"

// The Asio backend: the library's and this program's agree (the build passes the macros on), and
// a kernel that refuses io_uring, as Docker's default seccomp profile does, gets a message naming
// the fix from the test server program instead of a bare system_error.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <iterator>
#include <stdexcept>
#include <string>

namespace {

using namespace std::chrono_literals;

TEST(IoBackend, IsTheOneThisProgramsAsioRunsOn) {
#if defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
    EXPECT_EQ(httpx::io_backend(), httpx::IoBackend::io_uring);
#else
    EXPECT_EQ(httpx::io_backend(), httpx::IoBackend::epoll);
#endif
}

TEST(IoBackend, CheckPassesWhereTheKernelAllowsIt) {
    httpx::check_io_backend();
    httpx::check_io_backend();  // asked once, answered again
    boost::asio::io_context io;
    boost::asio::steady_timer timer(io, 1ms);
    bool fired = false;
    timer.async_wait([&](boost::system::error_code ec) { fired = !ec; });
    io.run();
    EXPECT_TRUE(fired);
}

struct Outcome {
    bool listening = false;  // the server came up (then it was sent SIGTERM)
    int exit_status = -1;
    std::string output;  // stdout and stderr
};

// Runs httpxx-testserver where io_uring_setup fails with EPERM, as in a Docker container.
Outcome run_test_server_without_io_uring() {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(pipe_fds[1], STDOUT_FILENO);
        ::dup2(pipe_fds[1], STDERR_FILENO);
        sock_filter filter[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0)
            ::_exit(126);
        ::execl(HTTPXX_TEST_SERVER_PROGRAM, HTTPXX_TEST_SERVER_PROGRAM, "--port", "0", nullptr);
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    Outcome outcome;
    char buffer[512];
    ssize_t n = 0;
    while ((n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0) {
        outcome.output.append(buffer, static_cast<std::size_t>(n));
        if (!outcome.listening && outcome.output.find("listening on") != std::string::npos) {
            outcome.listening = true;
            ::kill(pid, SIGTERM);
        }
    }
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status)) outcome.exit_status = WEXITSTATUS(status);
    return outcome;
}

TEST(IoBackend, KernelRefusingIoUringIsNamedAtStartUp) {
    const Outcome outcome = run_test_server_without_io_uring();
    if (httpx::io_backend() == httpx::IoBackend::epoll) {
        // epoll never needed io_uring.
        EXPECT_TRUE(outcome.listening) << outcome.output;
        EXPECT_EQ(outcome.exit_status, 0) << outcome.output;
    } else {
        EXPECT_FALSE(outcome.listening) << outcome.output;
        EXPECT_EQ(outcome.exit_status, 1);
        EXPECT_EQ(outcome.output,
                  "httpxx-testserver: io_uring is not available on this system (kernel refused "
                  "io_uring_setup: Operation not permitted); build httpxx without "
                  "HTTPXX_IO_URING\n");
    }
}

}  // namespace
