#include "content/multipart.hpp"

#include <httpx/exceptions.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "run_async.hpp"
#include "temp_file.hpp"

namespace {

using httpx::AsyncByteStream;
using httpx::awaitable;
using httpx::Bytes;
using httpx::content::encode_multipart;
using httpx::content::guess_content_type;
using httpx::content::multipart_boundary_from_content_type;
using httpx::content::MultipartFile;
using httpx::test::run_async;
namespace fs = std::filesystem;

awaitable<std::vector<Bytes>> collect_chunks(AsyncByteStream stream) {
    std::vector<Bytes> chunks;
    auto it = stream.aiter();
    while (auto chunk = co_await it.next()) chunks.push_back(std::move(*chunk));
    co_return chunks;
}

Bytes read_all(const AsyncByteStream& stream) {
    Bytes out;
    for (const auto& chunk : run_async(collect_chunks(stream))) out += chunk;
    return out;
}

// Encodes, reads the body, and checks the announced length against it.
Bytes body_of(const std::vector<std::pair<std::string, httpx::PrimitiveValue>>& data,
              const std::vector<std::pair<std::string, MultipartFile>>& files,
              std::string boundary = "BOUNDARY") {
    auto body = encode_multipart(data, files, boundary);
    EXPECT_EQ(body.content_type, "multipart/form-data; boundary=" + boundary);
    Bytes content = read_all(body.stream);
    EXPECT_EQ(body.length, content.size());
    EXPECT_EQ(body.stream.length(), content.size());
    return content;
}

MultipartFile bytes_file(std::string filename, Bytes content,
                         std::optional<std::string> content_type = std::nullopt,
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
    return MultipartFile{std::move(filename), std::move(content), std::move(content_type),
                         std::move(headers)};
}

using httpx::test::TempFile;

awaitable<std::optional<Bytes>> next_of(std::shared_ptr<std::vector<Bytes>> chunks,
                                        std::shared_ptr<std::size_t> index) {
    if (*index == chunks->size()) co_return std::nullopt;
    co_return (*chunks)[(*index)++];
}

// A one-shot stream yielding `chunks` (HTTPX: a non-seekable file-like object).
AsyncByteStream one_shot(std::vector<Bytes> chunks,
                         std::optional<std::uint64_t> length = std::nullopt) {
    auto shared = std::make_shared<std::vector<Bytes>>(std::move(chunks));
    auto index = std::make_shared<std::size_t>(0);
    return AsyncByteStream([shared, index] { return next_of(shared, index); }, length);
}

TEST(Multipart, DataAndFile) {
    // HTTPX's test_multipart, with "upload" as the file name of an anonymous file object.
    EXPECT_EQ(body_of({{"text", "abc"}}, {{"file", bytes_file("upload", "<file content>")}}),
              "--BOUNDARY\r\n"
              "Content-Disposition: form-data; name=\"text\"\r\n"
              "\r\n"
              "abc\r\n"
              "--BOUNDARY\r\n"
              "Content-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\n"
              "Content-Type: application/octet-stream\r\n"
              "\r\n"
              "<file content>\r\n"
              "--BOUNDARY--\r\n");
}

TEST(Multipart, ContentTypeGuessedFromFilename) {
    EXPECT_EQ(body_of({{"text", "abc"}}, {{"file", bytes_file("name.txt", "<file content>")}}),
              "--BOUNDARY\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nabc\r\n"
              "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; "
              "filename=\"name.txt\"\r\nContent-Type: text/plain\r\n\r\n<file content>\r\n"
              "--BOUNDARY--\r\n");
    for (const auto& [name, type] : std::vector<std::pair<std::string, std::string>>{
             {"example.json", "application/json"},
             {"example.txt", "text/plain"},
             {"no-extension", "application/octet-stream"}}) {
        EXPECT_EQ(body_of({}, {{"file", bytes_file(name, "<file content>")}}),
                  "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
                      name + "\"\r\nContent-Type: " + type +
                      "\r\n\r\n<file content>\r\n--BOUNDARY--\r\n");
    }
}

TEST(Multipart, ExtraFileHeadersComeBeforeContentType) {
    // HTTPX's test_multipart_file_tuple_headers, with and without an explicit content type.
    const Bytes expected =
        "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"test.txt\"\r\n"
        "Expires: 0\r\nContent-Type: text/plain\r\n\r\n<file content>\r\n--BOUNDARY--\r\n";
    EXPECT_EQ(body_of({}, {{"file", bytes_file("test.txt", "<file content>", std::nullopt,
                                               {{"Expires", "0"}})}}),
              expected);
    EXPECT_EQ(body_of({}, {{"file", bytes_file("test.txt", "<file content>", "text/plain",
                                               {{"Expires", "0"}})}}),
              expected);
}

TEST(Multipart, ContentTypeHeaderOverridesContentType) {
    EXPECT_EQ(body_of({}, {{"file", bytes_file("test.txt", "<file content>", "text/plain",
                                               {{"Content-Type", "image/png"}})}}),
              "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; "
              "filename=\"test.txt\"\r\nContent-Type: image/png\r\n\r\n<file content>\r\n"
              "--BOUNDARY--\r\n");
}

TEST(Multipart, ExplicitContentTypeWins) {
    EXPECT_EQ(body_of({}, {{"file", bytes_file("test.txt", "<bytes content>", "text/x-mine")}}),
              "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; "
              "filename=\"test.txt\"\r\nContent-Type: text/x-mine\r\n\r\n<bytes content>\r\n"
              "--BOUNDARY--\r\n");
}

TEST(Multipart, NoFilenameMeansNoFilenameAndNoContentType) {
    EXPECT_EQ(body_of({}, {{"file", bytes_file("", "<file content>")}}),
              "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"
              "<file content>\r\n--BOUNDARY--\r\n");
}

TEST(Multipart, DataFieldsThenFileFromDisk) {
    // HTTPX's test_multipart_encode (bools and lists already turned into strings).
    TempFile file("name.txt", "<file content>");
    const Bytes body =
        body_of({{"a", "1"},
                 {"b", "C"},
                 {"c", "11"},
                 {"c", "22"},
                 {"c", "33"},
                 {"d", ""},
                 {"e", "true"},
                 {"f", ""}},
                {{"file", MultipartFile{"name.txt", file.path(), std::nullopt, {}}}});
    EXPECT_EQ(body,
              "--BOUNDARY\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
              "--BOUNDARY\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nC\r\n"
              "--BOUNDARY\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n11\r\n"
              "--BOUNDARY\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n22\r\n"
              "--BOUNDARY\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n33\r\n"
              "--BOUNDARY\r\nContent-Disposition: form-data; name=\"d\"\r\n\r\n\r\n"
              "--BOUNDARY\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\ntrue\r\n"
              "--BOUNDARY\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n\r\n"
              "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; "
              "filename=\"name.txt\"\r\nContent-Type: text/plain\r\n\r\n<file content>\r\n"
              "--BOUNDARY--\r\n");
}

TEST(Multipart, BigFileIsStreamedInChunksAndReplayable) {
    Bytes content;
    for (int i = 0; content.size() < 1024 * 1024 + 123; ++i) content += std::to_string(i) + ",";
    TempFile file("big.bin", content);
    auto body =
        encode_multipart({}, {{"upload", MultipartFile{"big.bin", file.path(), {}, {}}}}, "xyz");
    const Bytes head =
        "--xyz\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"big.bin\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n";
    const Bytes tail = "\r\n--xyz--\r\n";
    ASSERT_EQ(body.length, head.size() + content.size() + tail.size());
    EXPECT_TRUE(body.stream.is_replayable());

    for (int round = 0; round < 2; ++round) {  // a redirect or auth retry sends it again
        const auto chunks = run_async(collect_chunks(body.stream));
        std::size_t file_chunks = 0;
        Bytes all;
        for (const auto& chunk : chunks) {
            EXPECT_LE(chunk.size(), 64u * 1024);
            if (chunk.size() == 64u * 1024) ++file_chunks;
            all += chunk;
        }
        EXPECT_EQ(file_chunks, content.size() / (64 * 1024));
        EXPECT_EQ(all, head + content + tail);
    }
}

TEST(Multipart, MissingFileFailsWhenEncoding) {
    EXPECT_THROW(
        encode_multipart({}, {{"f", MultipartFile{"x", fs::path("/nonexistent/x"), {}, {}}}}),
        fs::filesystem_error);
}

TEST(Multipart, FileThatShrankFailsWhenRead) {
    auto file = std::make_unique<TempFile>("shrink.txt", Bytes(1000, 'x'));
    auto body = encode_multipart({}, {{"f", MultipartFile{"s.txt", file->path(), {}, {}}}});
    { std::ofstream(file->path(), std::ios::binary | std::ios::trunc) << "short"; }
    EXPECT_THROW(read_all(body.stream), std::runtime_error);
}

TEST(Multipart, StreamPartOfUnknownLength) {
    // HTTPX's test_multipart_encode_non_seekable_filelike: chunked, no Content-Length.
    auto body = encode_multipart(
        {}, {{"file", MultipartFile{"upload", one_shot({"Hello", "World"}), {}, {}}}}, "BOUNDARY");
    EXPECT_EQ(body.length, std::nullopt);
    EXPECT_EQ(body.stream.length(), std::nullopt);
    EXPECT_EQ(read_all(body.stream),
              "--BOUNDARY\r\n"
              "Content-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\n"
              "Content-Type: application/octet-stream\r\n"
              "\r\n"
              "HelloWorld\r\n"
              "--BOUNDARY--\r\n");
    // The part's source is one-shot: a replay cannot resend it.
    EXPECT_THROW(read_all(body.stream), httpx::StreamConsumed);
}

TEST(Multipart, StreamPartOfKnownLength) {
    auto body = encode_multipart(
        {{"k", "v"}}, {{"file", MultipartFile{"a.png", one_shot({"ab", "cd"}, 4), {}, {}}}});
    const Bytes content = read_all(body.stream);
    EXPECT_EQ(body.length, content.size());
    EXPECT_NE(content.find("Content-Type: image/png\r\n\r\nabcd\r\n"), std::string::npos);
}

TEST(Multipart, RandomBoundary) {
    auto first = encode_multipart({{"a", "b"}}, {});
    auto second = encode_multipart({{"a", "b"}}, {});
    const auto boundary = multipart_boundary_from_content_type(first.content_type);
    ASSERT_TRUE(boundary);
    EXPECT_EQ(boundary->size(), 32u);
    EXPECT_EQ(boundary->find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_NE(first.content_type, second.content_type);
    EXPECT_EQ(read_all(first.stream), "--" + *boundary +
                                          "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
                                          "b\r\n--" +
                                          *boundary + "--\r\n");
}

TEST(Multipart, EmptyForm) {
    EXPECT_EQ(body_of({}, {}), "--BOUNDARY--\r\n");
}

TEST(Multipart, Html5EscapingOfNames) {
    // HTTPX's TestHeaderParamHTML5Formatting.
    const auto disposition = [](std::string filename) {
        return body_of({}, {{"upload", bytes_file(std::move(filename), "<file content>")}});
    };
    EXPECT_NE(disposition("n\u00e4me").find("filename=\"n\xc3\xa4me\""), std::string::npos);
    EXPECT_NE(disposition("name").find("filename=\"name\""), std::string::npos);
    EXPECT_NE(disposition("hello\\world\"").find("filename=\"hello\\\\world%22\""),
              std::string::npos);
    EXPECT_NE(disposition("hello\x1a\x1b\x1c").find("filename=\"hello%1A\x1b%1C\""),
              std::string::npos);
    EXPECT_NE(body_of({{"a\"b\nc", "v"}}, {}).find("name=\"a%22b%0Ac\""), std::string::npos);
}

TEST(Multipart, BoundaryFromContentType) {
    // HTTPX's test_multipart_explicit_boundary / test_multipart_header_without_boundary.
    for (const char* header :
         {"multipart/form-data; boundary=+++; charset=utf-8",
          "multipart/form-data; charset=utf-8; boundary=+++", "multipart/form-data; boundary=+++",
          "multipart/form-data; boundary=+++ ;",
          "multipart/form-data; boundary=\"+++\"; charset=utf-8",
          "multipart/form-data; charset=utf-8; boundary=\"+++\"",
          "multipart/form-data; boundary=\"+++\"", "multipart/form-data; boundary=\"+++\" ;"}) {
        EXPECT_EQ(multipart_boundary_from_content_type(header), "+++") << header;
    }
    EXPECT_EQ(multipart_boundary_from_content_type("multipart/form-data; charset=utf-8"),
              std::nullopt);
    EXPECT_EQ(multipart_boundary_from_content_type("multipart/form-data; charset=utf-8; "),
              std::nullopt);
    EXPECT_EQ(multipart_boundary_from_content_type("text/plain; boundary=x"), std::nullopt);
    EXPECT_EQ(multipart_boundary_from_content_type("multipart/form-data"), std::nullopt);
}

TEST(Multipart, GuessContentType) {
    EXPECT_EQ(guess_content_type("a.TXT"), "text/plain");
    EXPECT_EQ(guess_content_type("dir/photo.jpeg"), "image/jpeg");
    EXPECT_EQ(guess_content_type("a.tar.gz"), "application/x-tar");
    EXPECT_EQ(guess_content_type("a.tgz"), "application/x-tar");
    EXPECT_EQ(guess_content_type("notes.txt.gz"), "text/plain");
    EXPECT_EQ(guess_content_type("a.gz"), "application/octet-stream");
    EXPECT_EQ(guess_content_type(".bashrc"), "application/octet-stream");
    EXPECT_EQ(guess_content_type("README"), "application/octet-stream");
    EXPECT_EQ(guess_content_type("x.pdf"), "application/pdf");
}

}  // namespace
