// The TLS facts of a connection (httpx::TLSInfo), read from its SSL object once the handshake is
// done.
#pragma once

#include "httpx/network_stream.hpp"

#include <memory>
#include <string>

struct ssl_st;

namespace httpx::net {

/// What `ssl` negotiated, after its handshake with `server_name`.
std::shared_ptr<const TLSInfo> describe_tls(ssl_st* ssl, const std::string& server_name);

}  // namespace httpx::net
