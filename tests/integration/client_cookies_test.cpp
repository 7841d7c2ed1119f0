// The client's cookie jar over real connections to the project's test server, plain HTTP and
// TLS: a Secure cookie goes over https only. (Set-Cookie parsing and the other jar rules are
// unit-tested in cookies_test.cpp, and through the client over MockTransport in
// async_client_test.cpp; tests/interop round-trips cookies with curl and httpbin.)
#include <gtest/gtest.h>

#include "httpx/httpx.hpp"
#include "plain_and_tls_servers.hpp"
#include "run_async.hpp"

#include <string>

namespace {

using httpx::test::run_on;

TEST(ClientCookies, SecureCookieOnlyOverTls) {
    httpx::test::PlainAndTlsServers servers("cookies");
    boost::asio::io_context io;  // outlives the client: its pooled sockets belong to it
    httpx::ClientOptions options;
    options.verify = servers.certs.ca_cert;
    httpx::AsyncClient client(std::move(options));
    httpx::Cookie secure;
    secure.name = "token";
    secure.value = "s3cret";
    secure.domain = "localhost";
    secure.secure = true;
    client.cookies().set(secure);
    client.cookies().set("plain", "1", "localhost");

    const std::string plain_url =
        "http://localhost:" + std::to_string(servers.plain.port()) + "/echo_headers";
    const std::string tls_url = servers.tls_origin() + "/echo_headers";
    httpx::Response over_tls = run_on(io, client.get(tls_url));
    EXPECT_EQ(over_tls.json()["cookie"], "token=s3cret; plain=1");
    httpx::Response over_plain = run_on(io, client.get(plain_url));
    EXPECT_EQ(over_plain.json()["cookie"], "plain=1");
    run_on(io, client.aclose());
}

}  // namespace
