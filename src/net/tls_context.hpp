// The TLS settings a transport's connections share: the context (trust store, verification:
// ours, or the user's used as it is), and what each connection adds on its own SSL object (ALPN,
// the client certificate), so that a user's context is never changed behind their back.
#pragma once

#include "httpx/config.hpp"

#include <memory>
#include <optional>
#include <string>

struct ssl_st;

namespace boost::asio::ssl {
class context;
}

namespace httpx::net {

struct TlsSettings {
    std::shared_ptr<boost::asio::ssl::context> context;
    std::string alpn;  // the protocols offered, in ALPN's wire format ("" offers none)
    // The client certificate, loaded once (into a context of its own, never used for a
    // connection), handed to each connection's SSL object.
    std::shared_ptr<boost::asio::ssl::context> client_cert;

    /// Sets up `ssl`, made from `context`: ALPN and the client certificate.
    void configure(ssl_st* ssl) const;
};

/// The TLS settings of a transport: `create_ssl_context(verify, nullopt, trust_env)` (a given
/// context as it is), ALPN for `http1`/`http2`, the client certificate. Throws
/// `std::invalid_argument` for unreadable files.
std::shared_ptr<const TlsSettings> make_tls_settings(const VerifyOption& verify,
                                                     const std::optional<ClientCert>& cert,
                                                     bool http1, bool http2, bool trust_env = true);

}  // namespace httpx::net
