// Interop: the sync httpx::Client (and a top-level function) against nginx and httpbin on
// loopback; tests/interop/run.sh starts them. A few requests of each kind the sync API adds:
// blocking calls over a pooled connection, TLS, range-for streaming, a chunked sync upload.
#include <gtest/gtest.h>

#include "httpx/httpx.hpp"
#include "interop_support.hpp"

#include <string>
#include <vector>

namespace {

using httpx::interop::env;
using httpx::interop::read_file;

struct SyncNginx : ::testing::Test, httpx::interop::NginxAccessLog {
    std::string base, tls_base, static_dir, ca;
    void SetUp() override {
        base = env("HTTPXX_INTEROP_NGINX_URL");
        tls_base = env("HTTPXX_INTEROP_NGINX_TLS_URL");
        static_dir = env("HTTPXX_INTEROP_NGINX_STATIC_DIR");
        access_log = env("HTTPXX_INTEROP_NGINX_ACCESS_LOG");
        ca = env("HTTPXX_INTEROP_CA");
        if (base.empty() || tls_base.empty() || static_dir.empty() || ca.empty())
            GTEST_SKIP() << "run through tests/interop/run.sh (HTTPXX_INTEROP_* unset)";
    }
    std::string file(std::string_view name) const {
        return read_file(static_dir + "/" + std::string(name));
    }
};

TEST_F(SyncNginx, BlockingCallsReuseOneConnection) {
    const std::string marker = unique_marker("sync");
    httpx::Client client;
    for (int i = 0; i < 3; ++i) {
        httpx::Response r = client.get(base + "/hello.txt?" + marker);
        EXPECT_EQ(r.status_code(), 200);
        EXPECT_EQ(r.text(), file("hello.txt"));
    }
    const auto lines = log_lines(marker, 3);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(connection_ids(lines).size(), 1u);
}

TEST_F(SyncNginx, StreamsAGzipFileLineByLineOverTls) {
    httpx::Client client({.verify = ca});
    httpx::Response r = client.stream("GET", tls_base + "/lines.txt");
    EXPECT_EQ(r.headers().get("Content-Encoding"), "gzip");
    std::string text;
    int lines = 0;
    for (const std::string& line : r.iter_lines()) {
        text += line + "\n";
        ++lines;
    }
    EXPECT_EQ(lines, 2000);
    EXPECT_EQ(text, file("lines.txt"));
}

TEST_F(SyncNginx, TopLevelGetOfABigFile) {
    httpx::Response r = httpx::get(base + "/big.bin");
    EXPECT_EQ(r.content(), file("big.bin"));
}

struct SyncHttpbin : ::testing::Test {
    std::string base;
    void SetUp() override {
        base = env("HTTPXX_INTEROP_HTTPBIN_URL");
        if (base.empty())
            GTEST_SKIP() << "run through tests/interop/run.sh (HTTPXX_INTEROP_HTTPBIN_URL unset)";
    }
};

TEST_F(SyncHttpbin, JsonFormAndAChunkedSyncUpload) {
    httpx::Client client;
    httpx::Response json = client.post(base + "/post", {.json = {{"n", 3}}});
    EXPECT_EQ(json.json()["json"]["n"], 3);
    httpx::Response form = client.post(base + "/post", {.data = {{"a", "b c"}}});
    EXPECT_EQ(form.json()["form"]["a"], "b c");
    std::vector<httpx::Bytes> parts{"first,", "second,", "third"};
    httpx::Response upload = client.put(base + "/put", {.content = parts});
    EXPECT_EQ(upload.json()["headers"]["Transfer-Encoding"], "chunked");
    EXPECT_EQ(upload.json()["data"], "first,second,third");
}

TEST_F(SyncHttpbin, BasicAuthAndRedirectsThroughTheTopLevelFunctions) {
    httpx::Response r = httpx::get(base + "/basic-auth/user/pass", {.auth = {"user", "pass"}});
    EXPECT_EQ(r.status_code(), 200);
    EXPECT_EQ(r.json()["authenticated"], true);
    httpx::Response redirected = httpx::get(base + "/redirect/2", {.follow_redirects = true});
    EXPECT_EQ(redirected.status_code(), 200);
    EXPECT_EQ(redirected.history().size(), 2u);
}

}  // namespace
