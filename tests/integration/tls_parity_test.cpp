// TLS as HTTPX offers it beyond `verify` = file/false/context: a CA directory, SSL_CERT_FILE and
// SSL_CERT_DIR under trust_env, the sni_hostname extension, the TLS facts of a response,
// create_ssl_context(), and a user's context left as it was given.
#include "httpx/network_stream.hpp"

#include <gtest/gtest.h>

#include "httpx/httpx.hpp"
#include "run_async.hpp"
#include "test_certificates.hpp"
#include "test_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using httpx::test::run_on;
using httpx::testing::TestServer;

namespace {

// Sets an environment variable for the scope of a test (unset: `value` nullopt), then puts back
// what was there.
class ScopedEnv {
public:
    ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value)
            ::setenv(name, value->c_str(), 1);
        else
            ::unsetenv(name);
    }
    ~ScopedEnv() {
        if (old_)
            ::setenv(name_, old_->c_str(), 1);
        else
            ::unsetenv(name_);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

// `openssl rehash` of one certificate: `dir/<subject hash>.0`.
void add_hashed(const std::filesystem::path& dir, const std::string& pem_file) {
    FILE* file = std::fopen(pem_file.c_str(), "r");
    ASSERT_NE(file, nullptr);
    X509* cert = PEM_read_X509(file, nullptr, nullptr, nullptr);
    std::fclose(file);
    ASSERT_NE(cert, nullptr);
    char name[16];
    std::snprintf(name, sizeof name, "%08lx.0", X509_subject_name_hash(cert));
    X509_free(cert);
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(pem_file, dir / name,
                               std::filesystem::copy_options::overwrite_existing);
}

struct TlsParity : ::testing::Test {
    static inline std::filesystem::path dir;
    static inline httpx::testing::TestCertificates certs;
    static inline std::filesystem::path ca_dir;     // the test CA, hashed
    static inline std::filesystem::path empty_dir;  // no CA at all
    static void SetUpTestSuite() {
        dir = std::filesystem::temp_directory_path() /
              ("httpxx-tls-parity-" + std::to_string(::getpid()));
        certs = httpx::testing::make_test_certificates(dir);
        ca_dir = dir / "ca-dir";
        add_hashed(ca_dir, certs.ca_cert);
        empty_dir = dir / "empty-dir";
        std::filesystem::create_directories(empty_dir);
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir); }

    static std::unique_ptr<TestServer> serve(httpx::testing::TlsFiles files, bool http2 = false) {
        TestServer::Options options;
        options.tls = std::move(files);
        options.http2 = http2;
        auto server = std::make_unique<TestServer>(options);
        server->start();
        return server;
    }
    static std::string url(const TestServer& server, const std::string& host = "localhost") {
        return "https://" + host + ":" + std::to_string(server.port()) + "/";
    }
    static httpx::Response get(const std::string& url, httpx::HTTPTransportOptions options,
                               httpx::RequestOptions request = {}) {
        asio::io_context io;
        httpx::ClientOptions client_options;
        client_options.transport = std::make_shared<httpx::AsyncHTTPTransport>(options);
        httpx::AsyncClient client(client_options);
        return run_on(io, client.get(url, std::move(request)));
    }
    static httpx::HTTPTransportOptions verifying(httpx::VerifyOption verify,
                                                 bool trust_env = true) {
        httpx::HTTPTransportOptions options;
        options.verify = std::move(verify);
        options.trust_env = trust_env;
        return options;
    }
    static const httpx::TLSInfo& tls_of(httpx::Response& response) {
        auto it = response.extensions().find("tls");
        if (it == response.extensions().end()) throw std::runtime_error("no \"tls\" extension");
        return std::any_cast<const httpx::TLSInfo&>(it->second);
    }
};

TEST_F(TlsParity, VerifyAcceptsACaDirectoryInHashedLayout) {
    auto server = serve(certs.server());
    EXPECT_EQ(get(url(*server), verifying(ca_dir.string())).text(), "Hello, world!");
    // The directory is what is trusted: one without the CA refuses the server.
    EXPECT_THROW(get(url(*server), verifying(empty_dir.string())), httpx::ConnectError);
}

TEST_F(TlsParity, SslCertFileIsTrustedOnlyWithTrustEnv) {
    auto server = serve(certs.server());
    ScopedEnv dir_unset("SSL_CERT_DIR", std::nullopt);
    ScopedEnv file("SSL_CERT_FILE", certs.ca_cert);
    EXPECT_EQ(get(url(*server), verifying(true, true)).text(), "Hello, world!");
    EXPECT_THROW(get(url(*server), verifying(true, false)), httpx::ConnectError);

    // The client's trust_env reaches the transport it makes.
    asio::io_context io;
    httpx::ClientOptions options;
    options.trust_env = false;
    httpx::AsyncClient refusing(options);
    EXPECT_THROW(run_on(io, refusing.get(url(*server))), httpx::ConnectError);
    httpx::AsyncClient trusting{httpx::ClientOptions{}};
    EXPECT_EQ(run_on(io, trusting.get(url(*server))).status_code(), 200);
}

TEST_F(TlsParity, SslCertDirIsTrustedOnlyWithTrustEnv) {
    auto server = serve(certs.server());
    ScopedEnv file_unset("SSL_CERT_FILE", std::nullopt);
    ScopedEnv dir_set("SSL_CERT_DIR", ca_dir.string());
    EXPECT_EQ(get(url(*server), verifying(true, true)).text(), "Hello, world!");
    EXPECT_THROW(get(url(*server), verifying(true, false)), httpx::ConnectError);
}

TEST_F(TlsParity, SslCertFileComesBeforeSslCertDir) {
    auto server = serve(certs.server());
    ScopedEnv file("SSL_CERT_FILE", certs.server_cert);  // not the CA: trusts nothing useful
    ScopedEnv dir_set("SSL_CERT_DIR", ca_dir.string());
    EXPECT_THROW(get(url(*server), verifying(true)), httpx::ConnectError);
}

TEST_F(TlsParity, SniHostnameConnectsToTheAddressButVerifiesAndSendsTheName) {
    // The certificate names only wrong.example; the URL names the server's address.
    auto server = serve(certs.wrong_host());
    const std::string by_address = url(*server, "127.0.0.1");
    EXPECT_THROW(get(by_address, verifying(certs.ca_cert)), httpx::ConnectError);

    httpx::RequestOptions request;
    request.extensions["sni_hostname"] = std::string("wrong.example");
    httpx::Response response = get(by_address, verifying(certs.ca_cert), request);
    EXPECT_EQ(response.text(), "Hello, world!");
    const httpx::TLSInfo& tls = tls_of(response);
    EXPECT_EQ(tls.server_name, "wrong.example");
    EXPECT_TRUE(tls.verified);
    EXPECT_EQ(tls.peer_subject, "CN=wrong.example,O=httpxx tests");
    httpx::Response sni = get(by_address + "tls/sni", verifying(certs.ca_cert), request);
    EXPECT_EQ(sni.text(), "wrong.example");  // what the server received
    EXPECT_EQ(get(url(*server), verifying(false)).status_code(), 200);
    EXPECT_EQ(get(url(*server) + "tls/sni", verifying(false)).text(), "localhost");
    EXPECT_EQ(get(by_address + "tls/sni", verifying(false)).text(), "");  // none for an address

    // A string literal works as well; a name the certificate does not have is refused.
    httpx::RequestOptions literal;
    literal.extensions["sni_hostname"] = "wrong.example";
    EXPECT_EQ(get(by_address, verifying(certs.ca_cert), literal).status_code(), 200);
    httpx::RequestOptions other;
    other.extensions["sni_hostname"] = std::string("localhost");
    EXPECT_THROW(get(by_address, verifying(certs.ca_cert), other), httpx::ConnectError);
}

TEST_F(TlsParity, ResponsesCarryTheTlsFactsOfTheirConnection) {
    auto server = serve(certs.server(), true);
    httpx::HTTPTransportOptions http1 = verifying(certs.ca_cert);
    httpx::Response response = get(url(*server), http1);
    const httpx::TLSInfo& tls = tls_of(response);
    EXPECT_EQ(tls.version, "TLSv1.3");
    EXPECT_FALSE(tls.cipher.empty());
    EXPECT_EQ(tls.alpn, "http/1.1");
    EXPECT_EQ(tls.server_name, "localhost");
    EXPECT_TRUE(tls.verified);
    EXPECT_EQ(tls.peer_subject, "CN=localhost,O=httpxx tests");
    EXPECT_EQ(tls.peer_issuer, "CN=httpxx test CA,O=httpxx tests");
    EXPECT_EQ(tls.peer_certificate_pem.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
    // The DER bytes are the PEM's certificate.
    const unsigned char* der =
        reinterpret_cast<const unsigned char*>(tls.peer_certificate_der.data());
    X509* parsed = d2i_X509(nullptr, &der, static_cast<long>(tls.peer_certificate_der.size()));
    ASSERT_NE(parsed, nullptr);
    X509_free(parsed);

    httpx::HTTPTransportOptions http2 = verifying(certs.ca_cert);
    http2.http2 = true;
    httpx::Response over_h2 = get(url(*server), http2);
    EXPECT_EQ(over_h2.http_version(), "HTTP/2");
    EXPECT_EQ(tls_of(over_h2).alpn, "h2");

    httpx::HTTPTransportOptions no_verify = verifying(false);
    httpx::Response unverified = get(url(*server), no_verify);
    EXPECT_FALSE(tls_of(unverified).verified);
    EXPECT_EQ(tls_of(unverified).peer_subject, "CN=localhost,O=httpxx tests");

    TestServer plain;
    plain.start();
    httpx::Response over_tcp = get(plain.origin() + "/", {});
    EXPECT_FALSE(over_tcp.extensions().contains("tls"));
}

TEST_F(TlsParity, AUserContextIsNotModifiedByTheTransport) {
    auto server = serve(certs.server(), true);
    auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    context->load_verify_file(certs.ca_cert);
    context->set_verify_mode(asio::ssl::verify_peer);
    const int verify_mode = SSL_CTX_get_verify_mode(context->native_handle());

    httpx::HTTPTransportOptions options = verifying(context);
    options.http2 = true;
    options.cert = httpx::ClientCert{certs.client_cert, certs.client_key, ""};
    httpx::Response response = get(url(*server), options);
    EXPECT_EQ(tls_of(response).alpn, "h2");  // offered on the connection

    EXPECT_EQ(SSL_CTX_get_verify_mode(context->native_handle()), verify_mode);
    EXPECT_EQ(SSL_CTX_get0_certificate(context->native_handle()), nullptr);
    // A handshake of the caller's own with the context offers no ALPN: the server picks none.
    asio::io_context io;
    asio::ssl::stream<asio::ip::tcp::socket> stream(io, *context);
    asio::ip::tcp::resolver resolver(io);
    asio::connect(stream.next_layer(),
                  resolver.resolve("127.0.0.1", std::to_string(server->port())));
    SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
    stream.handshake(asio::ssl::stream_base::client);
    const unsigned char* alpn = nullptr;
    unsigned int alpn_length = 0;
    SSL_get0_alpn_selected(stream.native_handle(), &alpn, &alpn_length);
    EXPECT_EQ(alpn_length, 0u);
}

TEST_F(TlsParity, TheClientCertificateGoesOnEachConnectionOfAUserContext) {
    TestServer::Options server_options;
    server_options.tls =
        httpx::testing::TlsFiles{certs.server_cert, certs.server_key, certs.ca_cert};
    TestServer server(server_options);
    server.start();
    auto context = httpx::create_ssl_context(certs.ca_cert);
    httpx::HTTPTransportOptions options = verifying(context);
    EXPECT_THROW(get(url(server), options), httpx::TransportError);  // no certificate
    options.cert = httpx::ClientCert{certs.client_cert, certs.client_key, ""};
    EXPECT_EQ(get(url(server), options).text(), "Hello, world!");
    EXPECT_EQ(SSL_CTX_get0_certificate(context->native_handle()), nullptr);
}

TEST_F(TlsParity, CreateSslContextMakesWhatTheTransportWould) {
    auto server = serve(certs.server());
    auto from_file = httpx::create_ssl_context(certs.ca_cert);
    EXPECT_EQ(SSL_CTX_get_verify_mode(from_file->native_handle()) & SSL_VERIFY_PEER,
              SSL_VERIFY_PEER);
    EXPECT_EQ(get(url(*server), verifying(from_file)).text(), "Hello, world!");
    auto from_dir = httpx::create_ssl_context(ca_dir.string());
    EXPECT_EQ(get(url(*server), verifying(from_dir)).text(), "Hello, world!");
    auto none = httpx::create_ssl_context(false);
    EXPECT_EQ(SSL_CTX_get_verify_mode(none->native_handle()), SSL_VERIFY_NONE);
    {
        ScopedEnv file("SSL_CERT_FILE", certs.ca_cert);
        EXPECT_EQ(get(url(*server), verifying(httpx::create_ssl_context())).status_code(), 200);
        auto ignoring_env = httpx::create_ssl_context(true, std::nullopt, false);
        EXPECT_THROW(get(url(*server), verifying(ignoring_env)), httpx::ConnectError);
    }
    // A certificate asked for goes on the context, as HTTPX's helper does.
    auto with_cert = httpx::create_ssl_context(
        true, httpx::ClientCert{certs.client_cert, certs.client_key, ""}, false);
    EXPECT_NE(SSL_CTX_get0_certificate(with_cert->native_handle()), nullptr);
    EXPECT_THROW(httpx::create_ssl_context(std::string("/nonexistent/ca.pem")),
                 std::invalid_argument);
}

}  // namespace
