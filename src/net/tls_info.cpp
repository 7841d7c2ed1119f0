#include "net/tls_info.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace httpx::net {

namespace {

struct BioDeleter {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Deleter {
    void operator()(X509* cert) const { X509_free(cert); }
};

// What `write` put into a memory BIO.
template <class Write>
std::string through_bio(Write write) {
    std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) <= 0) return {};
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::string rfc2253(const X509_NAME* name) {
    return through_bio([name](BIO* bio) {
        return X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0 ? 1 : 0;
    });
}

}  // namespace

std::shared_ptr<const TLSInfo> describe_tls(SSL* ssl, const std::string& server_name) {
    auto info = std::make_shared<TLSInfo>();
    info->version = SSL_get_version(ssl);
    if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl))
        info->cipher = SSL_CIPHER_get_name(cipher);
    const unsigned char* alpn = nullptr;
    unsigned int alpn_length = 0;
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_length);
    info->alpn.assign(reinterpret_cast<const char*>(alpn), alpn_length);
    info->server_name = server_name;
    info->verified =
        (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) && SSL_get_verify_result(ssl) == X509_V_OK;
    std::unique_ptr<X509, X509Deleter> peer(SSL_get1_peer_certificate(ssl));
    if (peer) {
        info->peer_certificate_pem =
            through_bio([&peer](BIO* bio) { return PEM_write_bio_X509(bio, peer.get()); });
        unsigned char* der = nullptr;
        const int der_length = i2d_X509(peer.get(), &der);
        if (der_length > 0) {
            info->peer_certificate_der.assign(reinterpret_cast<const char*>(der),
                                              static_cast<std::size_t>(der_length));
            OPENSSL_free(der);
        }
        info->peer_subject = rfc2253(X509_get_subject_name(peer.get()));
        info->peer_issuer = rfc2253(X509_get_issuer_name(peer.get()));
    }
    return info;
}

}  // namespace httpx::net
