// Request bodies from files on disk through the real stack and the project's test server: a
// large file sent from its path streams with its Content-Length and flat memory, and a
// multipart file on disk arrives whole.
#include "client_fixture.hpp"
#include "resident_memory.hpp"
#include "temp_file.hpp"
#include "test_server.hpp"

#include <httpx/httpx.hpp>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using httpx::testing::TestServer;

struct FileUpload : ::testing::Test, httpx::test::ClientFixture {
    TestServer server;

    void SetUp() override {
        server.start();
        make_client();
    }
    std::string url(std::string_view path) const { return server.url(path); }
};

// `size` pattern bytes in a file, written 1 MiB at a time; returns their SHA-256 in hex.
std::string write_pattern_file(const std::filesystem::path& path, std::uint64_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    for (std::uint64_t offset = 0; offset < size; offset += 1 << 20) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(1 << 20, size - offset));
        const std::string piece = httpx::testing::pattern(offset, n);
        out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
        EVP_DigestUpdate(ctx, piece.data(), piece.size());
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx, digest, &length);
    EVP_MD_CTX_free(ctx);
    static constexpr char hex[] = "0123456789abcdef";
    std::string text;
    for (unsigned int i = 0; i < length; ++i) {
        text += hex[digest[i] >> 4];
        text += hex[digest[i] & 0xF];
    }
    return text;
}

TEST_F(FileUpload, ALargeFileFromItsPathStreamsWithItsContentLength) {
    constexpr std::uint64_t size = 256ull << 20;
    httpx::test::TempFile file("upload-256m.bin", "");
    const std::string sha256 = write_pattern_file(file.path(), size);

    std::size_t rss_before = 0, rss_peak = 0;
    bool uploading = true;
    // Samples the resident memory every 5 ms on the same io_context while the body goes out.
    auto sampler = [&]() -> httpx::awaitable<void> {
        asio::steady_timer timer(io);
        while (uploading) {
            rss_peak = std::max(rss_peak, httpx::test::resident_bytes());
            timer.expires_after(5ms);
            co_await timer.async_wait(asio::use_awaitable);
        }
    };
    auto task = [&]() -> httpx::awaitable<nlohmann::json> {
        httpx::RequestOptions options;
        options.content = file.path();
        rss_before = httpx::test::resident_bytes();
        asio::co_spawn(io, sampler(), asio::detached);
        httpx::Response r = co_await client->post(url("/upload?hash=sha256"), options);
        uploading = false;
        EXPECT_EQ(r.request().headers().get("Content-Length"), std::to_string(size));
        co_return r.json();
    };
    const nlohmann::json result = run(task());
    EXPECT_EQ(result["bytes"], size);
    EXPECT_EQ(result["chunked"], false);
    EXPECT_EQ(result["sha256"], sha256);
#if !defined(__SANITIZE_ADDRESS__)  // ASan's quarantine keeps freed memory resident
    EXPECT_LT(rss_peak, rss_before + (32u << 20)) << "the file was not streamed";
#endif
}

TEST_F(FileUpload, AMultipartFileOnDiskArrivesWhole) {
    constexpr std::uint64_t size = 3u << 20;
    httpx::test::TempFile file("upload-3m.bin", "");
    write_pattern_file(file.path(), size);
    auto task = [&]() -> httpx::awaitable<nlohmann::json> {
        httpx::RequestOptions options;
        options.data = {{"n", 1}};
        options.files = {{"upload", httpx::File::from_path(file.path())},
                         {"note", httpx::File{"note.txt", "hello"}}};
        options.headers = httpx::Headers{{"Content-Type", "multipart/form-data; boundary=B"}};
        httpx::Response r = co_await client->post(url("/upload"), options);
        co_return r.json();
    };
    const nlohmann::json result = run(task());
    const std::string name = file.path().filename().string();
    const std::uint64_t overhead =
        std::string("--B\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\n1\r\n").size() +
        std::string("--B\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"" + name +
                    "\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n")
            .size() +
        std::string(
            "--B\r\nContent-Disposition: form-data; name=\"note\"; "
            "filename=\"note.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n")
            .size() +
        std::string("--B--\r\n").size();
    EXPECT_EQ(result["bytes"], size + overhead);
    EXPECT_EQ(result["chunked"], false);
}

}  // namespace
