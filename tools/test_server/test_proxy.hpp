// The test server's proxy role: an HTTP (or SOCKS5) proxy on a loopback port (plain, or HTTPS with
// the test certificates) that forwards absolute-form requests and opens CONNECT tunnels by piping
// bytes to the origin named in the request, optionally asking for Basic credentials, or that
// misbehaves on purpose for the client's error paths. Runs on its own thread, as TestServer.
#pragma once

#include "test_server.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace httpx::testing {

class TestProxy {
public:
    // What the proxy does with a request head (CONNECT or forwarded).
    enum class Behaviour {
        relay,    // forwards / tunnels (407 first when credentials are required and missing)
        refuse,   // answers "403 Forbidden" (Connection: close)
        garbage,  // answers "NOT HTTP\r\n\r\n" and closes
        close,    // closes without answering
        stall,    // never answers (stop() ends it)
    };

    struct Options {
        Behaviour behaviour = Behaviour::relay;
        // "user:password": requests without `Proxy-Authorization: Basic` of these get
        // "407 Proxy Authentication Required" (with Proxy-Authenticate, Connection: close).
        std::optional<std::string> credentials{};
        // An HTTPS proxy: TLS with these files before the HTTP.
        std::optional<TlsFiles> tls{};
        // Speaks SOCKS5 (no authentication, CONNECT only) instead of HTTP; heads() then
        // records what each CONNECT asked for: "host:port" (a name, or an address).
        bool socks5 = false;
    };

    TestProxy();
    explicit TestProxy(Options options);
    ~TestProxy();  // stop()
    TestProxy(const TestProxy&) = delete;
    TestProxy& operator=(const TestProxy&) = delete;

    // Binds 127.0.0.1 on an ephemeral port and starts the proxy's thread.
    void start();
    // Closes everything and joins the thread; idempotent.
    void stop();

    std::uint16_t port() const;
    // "http://127.0.0.1:PORT" (https for a TLS proxy, socks5 for a SOCKS5 one).
    std::string url() const;
    // Connections accepted so far.
    std::uint64_t connections_accepted() const;
    // Every request head received (CONNECT and forwarded ones, as sent), in order.
    std::vector<std::string> heads() const;

    struct State;  // the thread's (test_proxy.cpp)

private:
    std::unique_ptr<State> state_;
};

}  // namespace httpx::testing
