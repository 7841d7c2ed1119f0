#include "test_certificates.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

namespace httpx::testing {

namespace {

struct Deleter {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(X509* p) const { X509_free(p); }
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
    void operator()(BIO* p) const { BIO_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter>;
using Cert = std::unique_ptr<X509, Deleter>;

[[noreturn]] void fail(const std::string& what) {
    std::string message = "make_test_certificates: " + what;
    if (unsigned long code = ERR_get_error(); code != 0) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        message += ": ";
        message += text;
    }
    ERR_clear_error();
    throw std::runtime_error(message);
}

void check(int ok, const char* what) {
    if (ok <= 0) fail(what);
}

Key make_key() {
    Key key(EVP_EC_gen("P-256"));
    if (!key) fail("EC key generation");
    return key;
}

constexpr long kDay = 24 * 60 * 60;

struct CertSpec {
    std::string common_name;
    long not_before = -kDay;  // seconds from now
    long not_after = 365 * kDay;
    // (NID, value in openssl.cnf syntax), added in this order.
    std::vector<std::pair<int, std::string>> extensions;
};

// Issues a certificate for `key`; self-signed when `issuer` is null.
Cert make_cert(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
    Cert cert(X509_new());
    if (!cert) fail("X509_new");
    check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
    std::unique_ptr<BIGNUM, Deleter> serial(BN_new());
    if (!serial) fail("BN_new");
    check(BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_rand");
    if (!BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) {
        fail("BN_to_ASN1_INTEGER");
    }
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after)) {
        fail("X509_gmtime_adj");
    }
    check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
    X509_NAME* name = X509_get_subject_name(cert.get());
    check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>("httpxx tests"), -1, -1,
                                     0),
          "subject O");
    check(X509_NAME_add_entry_by_txt(
              name, "CN", MBSTRING_ASC,
              reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1, 0),
          "subject CN");
    check(X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name),
          "X509_set_issuer_name");
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
    for (const auto& [nid, value] : spec.extensions) {
        std::unique_ptr<X509_EXTENSION, Deleter> extension(
            X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
        if (!extension) fail("extension " + value);
        check(X509_add_ext(cert.get(), extension.get(), -1), "X509_add_ext");
    }
    check(X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()), "X509_sign");
    return cert;
}

void write_pem(const std::filesystem::path& path, X509* cert) {
    std::unique_ptr<BIO, Deleter> bio(BIO_new_file(path.c_str(), "w"));
    if (!bio) fail("cannot write " + path.string());
    check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
}

void write_pem(const std::filesystem::path& path, EVP_PKEY* key) {
    std::unique_ptr<BIO, Deleter> bio(BIO_new_file(path.c_str(), "w"));
    if (!bio) fail("cannot write " + path.string());
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
          "PEM_write_bio_PrivateKey");
}

CertSpec leaf(std::string common_name, std::string subject_alt_name, const char* usage) {
    CertSpec spec;
    spec.common_name = std::move(common_name);
    spec.extensions = {{NID_basic_constraints, "critical,CA:FALSE"},
                       {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                       {NID_ext_key_usage, usage},
                       {NID_subject_key_identifier, "hash"},
                       {NID_authority_key_identifier, "keyid:always"}};
    if (!subject_alt_name.empty()) {
        spec.extensions.emplace_back(NID_subject_alt_name, std::move(subject_alt_name));
    }
    return spec;
}

}  // namespace

TestCertificates make_test_certificates(const std::filesystem::path& directory) {
    std::filesystem::create_directories(directory);
    auto path = [&](const char* name) { return (directory / name).string(); };
    TestCertificates out;
    out.ca_cert = path("ca.pem");
    out.ca_key = path("ca.key");
    out.server_cert = path("server.pem");
    out.server_key = path("server.key");
    out.expired_cert = path("expired.pem");
    out.expired_key = path("expired.key");
    out.wrong_host_cert = path("wrong_host.pem");
    out.wrong_host_key = path("wrong_host.key");
    out.client_cert = path("client.pem");
    out.client_key = path("client.key");

    Key ca_key = make_key();
    CertSpec ca_spec;
    ca_spec.common_name = "httpxx test CA";
    ca_spec.not_after = 10 * 365 * kDay;
    ca_spec.extensions = {{NID_basic_constraints, "critical,CA:TRUE"},
                          {NID_key_usage, "critical,keyCertSign,cRLSign"},
                          {NID_subject_key_identifier, "hash"},
                          {NID_authority_key_identifier, "keyid:always"}};
    Cert ca = make_cert(ca_spec, ca_key.get(), nullptr, nullptr);
    write_pem(out.ca_cert, ca.get());
    write_pem(out.ca_key, ca_key.get());

    auto issue = [&](const CertSpec& spec, const std::string& cert_path,
                     const std::string& key_path) {
        Key key = make_key();
        Cert cert = make_cert(spec, key.get(), ca.get(), ca_key.get());
        write_pem(cert_path, cert.get());
        write_pem(key_path, key.get());
    };
    const std::string localhost_names = "DNS:localhost,IP:127.0.0.1,IP:::1";
    issue(leaf("localhost", localhost_names, "serverAuth"), out.server_cert, out.server_key);
    CertSpec expired = leaf("localhost", localhost_names, "serverAuth");
    expired.not_before = -30 * kDay;
    expired.not_after = -kDay;
    issue(expired, out.expired_cert, out.expired_key);
    issue(leaf("wrong.example", "DNS:wrong.example", "serverAuth"), out.wrong_host_cert,
          out.wrong_host_key);
    issue(leaf("httpxx test client", "", "clientAuth"), out.client_cert, out.client_key);
    return out;
}

}  // namespace httpx::testing
