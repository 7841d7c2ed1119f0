// The TLS context a transport's connections share: trust store, verification, client
// certificate, ALPN.
#pragma once

#include "httpx/config.hpp"

#include <memory>
#include <optional>

namespace boost::asio::ssl {
class context;
}

namespace httpx::net {

/// Builds the TLS context of a transport: system trust store unless `verify` says otherwise,
/// the client certificate, ALPN. Throws `std::invalid_argument` for unreadable files.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const VerifyOption& verify,
                                                            const std::optional<ClientCert>& cert,
                                                            bool http1, bool http2);

}  // namespace httpx::net
