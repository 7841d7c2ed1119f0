// Test certificates made with the OpenSSL 3 C API: a CA, a server certificate for localhost signed
// by it, and the broken ones a TLS client must refuse (expired, issued for another host).
#pragma once

#include <filesystem>
#include <string>

#include "test_server.hpp"

namespace httpx::testing {

// Paths of the PEM files written by make_test_certificates().
struct TestCertificates {
    std::string ca_cert;          // ca.pem: self-signed CA "httpxx test CA" (trust this one)
    std::string ca_key;           // ca.key
    std::string server_cert;      // server.pem: CN=localhost, SAN DNS:localhost, IP:127.0.0.1,
    std::string server_key;       //   IP:::1; signed by the CA; server.key
    std::string expired_cert;     // expired.pem: like server.pem but expired yesterday
    std::string expired_key;      // expired.key
    std::string wrong_host_cert;  // wrong_host.pem: CN/SAN DNS:wrong.example only
    std::string wrong_host_key;   // wrong_host.key
    std::string client_cert;      // client.pem: CN=httpxx test client, clientAuth, by the CA
    std::string client_key;       // client.key

    TlsFiles server() const { return {server_cert, server_key}; }
    TlsFiles expired() const { return {expired_cert, expired_key}; }
    TlsFiles wrong_host() const { return {wrong_host_cert, wrong_host_key}; }
};

// Creates `directory` if needed and writes fresh keys (EC P-256) and certificates into it,
// replacing files of the same names. Throws std::runtime_error on failure.
TestCertificates make_test_certificates(const std::filesystem::path& directory);

}  // namespace httpx::testing
