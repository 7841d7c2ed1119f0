#include "net/tls_context.hpp"

#include <boost/asio/ssl/context.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace httpx {

namespace asio = boost::asio;

namespace {

const char* non_empty_env(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : nullptr;
}

// Trusts the CA bundle `file`. Throws std::invalid_argument when it cannot be read.
void trust_file(asio::ssl::context& context, const std::string& file) {
    boost::system::error_code ec;
    context.load_verify_file(file, ec);
    if (ec) throw std::invalid_argument("Could not load CA bundle '" + file + "': " + ec.message());
}

// Trusts the certificates of `directory`, in OpenSSL's hashed layout (`openssl rehash`,
// c_rehash): looked up by subject hash as a chain is verified.
void trust_directory(asio::ssl::context& context, const std::string& directory) {
    boost::system::error_code ec;
    context.add_verify_path(directory, ec);
    if (ec)
        throw std::invalid_argument("Could not use CA directory '" + directory +
                                    "': " + ec.message());
}

// The system's trust store, as OpenSSL was built to find it, without OpenSSL's own reading of
// SSL_CERT_FILE / SSL_CERT_DIR (set_default_verify_paths() would read them whatever trust_env
// says).
void trust_system_store(asio::ssl::context& context) {
    X509_STORE* store = SSL_CTX_get_cert_store(context.native_handle());
    if (X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file()))
        X509_LOOKUP_load_file(lookup, X509_get_default_cert_file(), X509_FILETYPE_PEM);
    if (X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir()))
        X509_LOOKUP_add_dir(lookup, X509_get_default_cert_dir(), X509_FILETYPE_PEM);
    ERR_clear_error();  // a missing default file or folder is no error: nothing is trusted
}

void load_client_cert(asio::ssl::context& context, const ClientCert& cert) {
    boost::system::error_code ec;
    if (!cert.password.empty()) {
        context.set_password_callback(
            [password = cert.password](std::size_t, asio::ssl::context::password_purpose) {
                return password;
            });
    }
    context.use_certificate_chain_file(cert.certfile, ec);
    if (!ec)
        context.use_private_key_file(cert.keyfile.empty() ? cert.certfile : cert.keyfile,
                                     asio::ssl::context::pem, ec);
    if (ec) throw std::invalid_argument("Could not load client certificate: " + ec.message());
}

}  // namespace

std::shared_ptr<asio::ssl::context> create_ssl_context(const VerifyOption& verify,
                                                       const std::optional<ClientCert>& cert,
                                                       bool trust_env) {
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
        } else if (auto* path = std::get_if<std::string>(&verify)) {
            context->set_verify_mode(asio::ssl::verify_peer);
            std::error_code ec;
            if (std::filesystem::is_directory(*path, ec))
                trust_directory(*context, *path);
            else
                trust_file(*context, *path);
        } else {
            // HTTPX: SSL_CERT_FILE, else SSL_CERT_DIR, only when trust_env; else the default
            // store (certifi there, the system's here).
            context->set_verify_mode(asio::ssl::verify_peer);
            const char* file = trust_env ? non_empty_env("SSL_CERT_FILE") : nullptr;
            const char* dir = trust_env ? non_empty_env("SSL_CERT_DIR") : nullptr;
            if (file != nullptr)
                trust_file(*context, file);
            else if (dir != nullptr)
                trust_directory(*context, dir);
            else
                trust_system_store(*context);
        }
    }
    if (cert) load_client_cert(*context, *cert);
    return context;
}

}  // namespace httpx

namespace httpx::net {

void TlsSettings::configure(SSL* ssl) const {
    if (!alpn.empty())
        SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(alpn.data()),
                            static_cast<unsigned>(alpn.size()));
    if (client_cert) {
        SSL_CTX* loaded = client_cert->native_handle();
        SSL_use_certificate(ssl, SSL_CTX_get0_certificate(loaded));
        SSL_use_PrivateKey(ssl, SSL_CTX_get0_privatekey(loaded));
        STACK_OF(X509)* chain = nullptr;
        SSL_CTX_get0_chain_certs(loaded, &chain);
        if (chain != nullptr) SSL_set1_chain(ssl, chain);
    }
}

std::shared_ptr<const TlsSettings> make_tls_settings(const VerifyOption& verify,
                                                     const std::optional<ClientCert>& cert,
                                                     bool http1, bool http2, bool trust_env) {
    auto settings = std::make_shared<TlsSettings>();
    settings->context = create_ssl_context(verify, std::nullopt, trust_env);
    if (http2) settings->alpn += std::string("\x02h2", 3);
    if (http1) settings->alpn += std::string("\x08http/1.1", 9);
    if (cert) {
        settings->client_cert =
            std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
        load_client_cert(*settings->client_cert, *cert);
    }
    return settings;
}

}  // namespace httpx::net
