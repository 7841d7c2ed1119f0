// A SOCKS5 proxy for the tests, on loopback with its own thread: a working one (no auth or
// RFC 1929 username/password; CONNECT to a name or an address, then bytes relayed both ways),
// or one that misbehaves on purpose at a chosen step of the handshake.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace httpx::testing {

class Socks5TestProxy {
public:
    enum class Behaviour {
        relay,                 // a working proxy
        reply_code,            // answers CONNECT with Options::reply_code, then closes
        wrong_method,          // answers the greeting with Options::method
        bad_version,           // answers the greeting with an HTTP response
        close_after_greeting,  // reads the greeting, closes without an answer
        close_mid_reply,       // answers CONNECT with 3 bytes of the reply, then closes
        stall,                 // reads the greeting, never answers
    };
    struct Options {
        Behaviour behaviour = Behaviour::relay;
        std::uint8_t reply_code = 0x05;
        std::uint8_t method = 0xff;
        // When set, the proxy asks for username/password and accepts only these.
        std::optional<std::string> username{};
        std::optional<std::string> password{};
    };

    explicit Socks5TestProxy(Options options);
    ~Socks5TestProxy();  // stops: closes every connection, joins the thread
    Socks5TestProxy(const Socks5TestProxy&) = delete;
    Socks5TestProxy& operator=(const Socks5TestProxy&) = delete;

    std::uint16_t port() const;
    /// "socks5://127.0.0.1:PORT".
    std::string url() const;
    /// Each CONNECT's target as received: "name:port", "1.2.3.4:port" or "[::1]:port".
    std::vector<std::string> connect_targets() const;

    struct State;  // the server's; public only for its helpers in socks5_proxy.cpp

private:
    std::unique_ptr<State> state_;
};

}  // namespace httpx::testing
