// What tests may do to an AsyncHTTPTransport beyond its public API.
#pragma once

#include "httpx/http_transport.hpp"

#include <memory>

namespace httpx::net {
class Connector;
class FaultInjector;
}  // namespace httpx::net

namespace httpx::detail {

struct HTTPTransportAccess {
    /// Every connection `transport` opens from now on counts its I/O in `faults`, which fails
    /// the operation it was told to (net/fault_injection.hpp). Call before the first request.
    static void inject_faults(AsyncHTTPTransport& transport,
                              std::shared_ptr<net::FaultInjector> faults);
    /// Every connection `transport` opens from now on comes from `connector` (a test's
    /// scripted or failing one). Call before the first request.
    static void set_connector(AsyncHTTPTransport& transport,
                              std::shared_ptr<net::Connector> connector);
};

}  // namespace httpx::detail
