// Opening a connection's byte stream, as one interface the pool is given: the real network
// (resolve, connect, TLS), and in tests a connector that fails or scripts what it opens.
// Later connectors (proxy tunnels, Happy Eyeballs, QUIC) plug in here.
#pragma once

#include "httpx/types.hpp"
#include "net/connect.hpp"
#include "net/network_stream.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace httpx::net {

class Connector {
public:
    virtual ~Connector() = default;
    /// Opens a stream to `to` (kept by reference until it completes): TLS when `to.tls` (ALPN
    /// as the connector was set up), within `timeout` when given. Throws ConnectError or
    /// ConnectTimeout.
    virtual awaitable<std::unique_ptr<NetworkStream>> connect(
        const Destination& to, std::optional<std::chrono::duration<double>> timeout) = 0;
};

/// The real network, as `settings` say: every resolved address in turn, httpcore's connect
/// retries, TLS with the settings' context.
std::shared_ptr<Connector> make_socket_connector(ConnectSettings settings);

}  // namespace httpx::net
