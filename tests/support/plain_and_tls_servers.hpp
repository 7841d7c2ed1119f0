// Test helper: the project's test server twice, plain and TLS (certificates made for the run).
#pragma once

#include "test_certificates.hpp"
#include "test_server.hpp"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

namespace httpx::test {

struct PlainAndTlsServers {
    std::filesystem::path dir;  // the certificates; removed with the servers
    httpx::testing::TestCertificates certs;
    httpx::testing::TestServer plain;
    std::unique_ptr<httpx::testing::TestServer> tls;

    /// `name` tells this test's certificate folder from other test processes' ones.
    explicit PlainAndTlsServers(const std::string& name)
        : dir(std::filesystem::temp_directory_path() /
              ("httpxx-" + name + "-" + std::to_string(::getpid()))),
          certs(httpx::testing::make_test_certificates(dir)) {
        plain.start();
        httpx::testing::TestServer::Options options;
        options.tls = certs.server();
        tls = std::make_unique<httpx::testing::TestServer>(options);
        tls->start();
    }
    ~PlainAndTlsServers() { std::filesystem::remove_all(dir); }

    std::string tls_origin() const { return "https://localhost:" + std::to_string(tls->port()); }
};

}  // namespace httpx::test
