#include "net/tls_context.hpp"

#include <boost/asio/ssl/context.hpp>

#include <openssl/ssl.h>
#include <stdexcept>
#include <string>

namespace httpx::net {

namespace asio = boost::asio;

std::shared_ptr<asio::ssl::context> make_tls_context(const VerifyOption& verify,
                                                     const std::optional<ClientCert>& cert,
                                                     bool http1, bool http2) {
    std::shared_ptr<asio::ssl::context> context;
    if (auto* given = std::get_if<std::shared_ptr<asio::ssl::context>>(&verify); given && *given) {
        context = *given;
    } else {
        context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
        context->set_options(asio::ssl::context::default_workarounds |
                             asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                             asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
        if (auto* flag = std::get_if<bool>(&verify); flag && !*flag) {
            context->set_verify_mode(asio::ssl::verify_none);
        } else {
            context->set_verify_mode(asio::ssl::verify_peer);
            if (auto* path = std::get_if<std::string>(&verify)) {
                boost::system::error_code ec;
                context->load_verify_file(*path, ec);
                if (ec)
                    throw std::invalid_argument("Could not load CA bundle '" + *path +
                                                "': " + ec.message());
            } else {
                context->set_default_verify_paths();
            }
        }
    }
    if (cert) {
        boost::system::error_code ec;
        if (!cert->password.empty()) {
            context->set_password_callback(
                [password = cert->password](std::size_t, asio::ssl::context::password_purpose) {
                    return password;
                });
        }
        context->use_certificate_chain_file(cert->certfile, ec);
        if (!ec)
            context->use_private_key_file(cert->keyfile.empty() ? cert->certfile : cert->keyfile,
                                          asio::ssl::context::pem, ec);
        if (ec) throw std::invalid_argument("Could not load client certificate: " + ec.message());
    }
    std::string alpn;
    if (http2) alpn += std::string("\x02h2", 3);
    if (http1) alpn += std::string("\x08http/1.1", 9);
    SSL_CTX_set_alpn_protos(context->native_handle(),
                            reinterpret_cast<const unsigned char*>(alpn.data()),
                            static_cast<unsigned>(alpn.size()));
    return context;
}

}  // namespace httpx::net
