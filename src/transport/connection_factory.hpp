// Where a connection is made: the stream opened through the pool's connector, then the
// protocol chosen once (ALPN, or prior knowledge) and the matching connection built.
#pragma once

#include "httpx/types.hpp"
#include "net/connector.hpp"
#include "net/network_stream.hpp"
#include "transport/connection.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace httpx::transport {

struct ConnectionTarget {
    net::Destination destination;
    std::string origin;  // "scheme://host:port"
};

/// Opens a connection to `target` through `connector`: HTTP/2 when ALPN chose it, or when
/// `settings` allow HTTP/2 only (prior knowledge, as httpcore), HTTP/1.1 otherwise. `owner`
/// hears of the connection's changes. Throws ConnectError or ConnectTimeout.
awaitable<std::shared_ptr<Connection>> open_connection(
    net::Connector& connector, const net::ConnectSettings& settings, ConnectionTarget target,
    std::optional<std::chrono::duration<double>> timeout, std::weak_ptr<ConnectionOwner> owner);

}  // namespace httpx::transport
