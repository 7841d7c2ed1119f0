// httpxx-testserver: the test server as a program, for the demo and for trying things with curl.
//   httpxx-testserver [--host H] [--port N] [--tls-dir DIR] [--idle-close-ms MS] [--http2]
//                     [--http2-only] [--max-concurrent-streams N] [--initial-window-size N]
// With --tls-dir it writes fresh test certificates into DIR (see test_certificates.hpp) and
// serves HTTPS with DIR/server.pem; clients trust DIR/ca.pem. --http2 adds HTTP/2: by ALPN "h2"
// over TLS, with prior knowledge (h2c) over plain TCP; --http2-only turns HTTP/1.1 off. Prints
// "listening on URL" once ready, then runs until SIGINT or SIGTERM.
#include <signal.h>

#include <charconv>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "test_certificates.hpp"
#include "test_server.hpp"

namespace {

[[noreturn]] void usage(int status) {
    (status == 0 ? std::cout : std::cerr)
        << "usage: httpxx-testserver [--host H] [--port N] [--tls-dir DIR] [--idle-close-ms MS]\n"
           "                         [--http2] [--http2-only] [--max-concurrent-streams N]\n"
           "                         [--initial-window-size N]\n";
    std::exit(status);
}

unsigned long number(std::string_view text, unsigned long max) {
    unsigned long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value > max) usage(2);
    return value;
}

}  // namespace

int main(int argc, char** argv) {
    httpx::testing::TestServer::Options options;
    std::optional<std::string> tls_dir;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") usage(0);
        if (arg == "--http2") {
            options.http2 = true;
            continue;
        }
        if (arg == "--http2-only") {
            options.http2 = true;
            options.http1 = false;
            continue;
        }
        if (i + 1 >= argc) usage(2);
        const std::string_view value = argv[++i];
        if (arg == "--port") {
            options.port = static_cast<std::uint16_t>(number(value, 65535));
        } else if (arg == "--host") {
            options.host = std::string(value);
        } else if (arg == "--tls-dir") {
            tls_dir = std::string(value);
        } else if (arg == "--idle-close-ms") {
            options.idle_close = std::chrono::milliseconds(number(value, 24ul * 3600 * 1000));
        } else if (arg == "--max-concurrent-streams") {
            options.http2_max_concurrent_streams =
                static_cast<std::uint32_t>(number(value, 1u << 31));
        } else if (arg == "--initial-window-size") {
            options.http2_initial_window_size =
                static_cast<std::uint32_t>(number(value, (1u << 31) - 1));
        } else {
            usage(2);
        }
    }

    // Block the signals before the server thread exists, so that only sigwait() sees them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    try {
        std::optional<httpx::testing::TestCertificates> certificates;
        if (tls_dir) {
            certificates = httpx::testing::make_test_certificates(*tls_dir);
            options.tls = certificates->server();
        }
        httpx::testing::TestServer server(options);
        server.start();
        std::cout << "listening on " << server.origin() << std::endl;
        if (certificates) std::cout << "CA certificate: " << certificates->ca_cert << std::endl;
        int signal = 0;
        sigwait(&signals, &signal);
        server.stop();
    } catch (const std::exception& error) {
        std::cerr << "httpxx-testserver: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
