// httpx::Request, ported from HTTPX's tests/models/test_requests.py (0.28.1) plus the body
// encodings of httpx/_content.py as seen through Request.
// Test that header file is self-contained.
#include "httpx/request.hpp"

#include "run_async.hpp"
#include "temp_file.hpp"

#include <httpx/async_generator.hpp>
#include <httpx/exceptions.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace {

using httpx::Bytes;
using httpx::Headers;
using httpx::Request;
using httpx::RequestOptions;
using httpx::test::run_async;

httpx::AsyncGenerator<Bytes> generate(std::vector<Bytes> parts) {
    for (auto& part : parts) co_yield std::move(part);
}

httpx::awaitable<Bytes> aread(Request& request) {
    co_return co_await request.aread();
}

httpx::awaitable<Bytes> read_stream(httpx::AsyncByteStream stream) {
    Bytes out;
    auto chunks = stream.aiter();
    while (auto chunk = co_await chunks.next()) out += *chunk;
    co_return out;
}

httpx::awaitable<std::optional<Bytes>> no_chunks() {
    co_return std::nullopt;
}

std::string to_string(const Request& request) {
    std::ostringstream os;
    os << request;
    return os.str();
}

Request post_with(RequestOptions options) {
    return Request("POST", "http://example.org", std::move(options));
}

TEST(RequestTest, Repr) {
    EXPECT_EQ(to_string(Request("GET", "http://example.org")),
              "<Request('GET', 'http://example.org')>");
    EXPECT_EQ(to_string(Request("post", "https://example.org/a?b=c")),
              "<Request('POST', 'https://example.org/a?b=c')>");
}

TEST(RequestTest, MethodIsUpperCased) {
    EXPECT_EQ(Request("get", "http://example.org").method(), "GET");
    EXPECT_EQ(Request("Patch", "http://example.org").method(), "PATCH");
    Request request("GET", "http://example.org");
    request.set_method("delete");
    EXPECT_EQ(request.method(), "DELETE");
}

TEST(RequestTest, NoContentHasOnlyHost) {
    Request request("GET", "http://example.org");
    EXPECT_FALSE(request.headers().contains("Content-Length"));
    EXPECT_FALSE(request.headers().contains("Transfer-Encoding"));
    EXPECT_EQ(request.headers(), (Headers{{"Host", "example.org"}}));
    EXPECT_EQ(request.content(), "");
}

TEST(RequestTest, HostIncludesNonDefaultPortAndComesFirst) {
    RequestOptions options;
    options.headers = Headers{{"X-First", "1"}};
    Request request("GET", "http://example.org:8080/path", std::move(options));
    ASSERT_EQ(request.headers().size(), 2u);
    EXPECT_EQ(request.headers().multi_items()[0],
              (Headers::value_type{"Host", "example.org:8080"}));
    EXPECT_EQ(request.headers().multi_items()[1], (Headers::value_type{"X-First", "1"}));
    // The default port is left out.
    EXPECT_EQ(Request("GET", "https://example.org:443/").headers()["Host"], "example.org");
}

TEST(RequestTest, BodylessPostPutPatchSendContentLengthZero) {
    for (const char* method : {"POST", "PUT", "PATCH"}) {
        SCOPED_TRACE(method);
        Request request(method, "http://example.org");
        EXPECT_EQ(request.headers(), (Headers{{"Host", "example.org"}, {"Content-Length", "0"}}));
    }
    EXPECT_FALSE(Request("DELETE", "http://example.org").headers().contains("Content-Length"));
}

TEST(RequestTest, AutoHeadersComeBeforeUserHeaders) {
    // HTTPX's _prepare puts Host and Content-Length: 0 in front of the caller's headers.
    RequestOptions options;
    options.headers = Headers{{"X-Custom", "1"}};
    Request request("POST", "http://example.org", std::move(options));
    ASSERT_EQ(request.headers().size(), 3u);
    EXPECT_EQ(request.headers().multi_items()[0].first, "Host");
    EXPECT_EQ(request.headers().multi_items()[1], (Headers::value_type{"Content-Length", "0"}));
    EXPECT_EQ(request.headers().multi_items()[2].first, "X-Custom");
}

TEST(RequestTest, ContentLengthHeader) {
    RequestOptions options;
    options.content = "test 123";
    Request request = post_with(std::move(options));
    EXPECT_EQ(request.headers()["Content-Length"], "8");
    EXPECT_EQ(request.content(), "test 123");
    EXPECT_FALSE(request.headers().contains("Content-Type"));
}

TEST(RequestTest, EmptyContentHasNoContentLengthOfItsOwn) {
    RequestOptions options;
    options.content = "";
    Request get("GET", "http://example.org", options);
    EXPECT_FALSE(get.headers().contains("Content-Length"));
    Request post = post_with(options);
    EXPECT_EQ(post.headers().get("Content-Length"), "0");
}

TEST(RequestTest, StreamedContentIsSentChunked) {
    RequestOptions options;
    options.content = httpx::AsyncByteStream(generate({"test 123"}));
    Request request = post_with(std::move(options));
    EXPECT_EQ(request.headers(),
              (Headers{{"Host", "example.org"}, {"Transfer-Encoding", "chunked"}}));
    EXPECT_FALSE(request.headers().contains("Content-Length"));
}

TEST(RequestTest, StreamedContentWithKnownLengthHasContentLength) {
    RequestOptions options;
    options.content = httpx::AsyncByteStream([] { return no_chunks(); }, 4);
    Request request = post_with(std::move(options));
    EXPECT_EQ(request.headers().get("Content-Length"), "4");
    EXPECT_FALSE(request.headers().contains("Transfer-Encoding"));
}

TEST(RequestTest, ExplicitContentLengthSuppressesTransferEncoding) {
    RequestOptions options;
    options.content = httpx::AsyncByteStream(generate({"abcd"}));
    options.headers = Headers{{"Content-Length", "4"}};
    Request request = post_with(std::move(options));
    EXPECT_FALSE(request.headers().contains("Transfer-Encoding"));
    EXPECT_EQ(request.headers()["Content-Length"], "4");
    EXPECT_EQ(request.headers(), (Headers{{"Host", "example.org"}, {"Content-Length", "4"}}));
}

TEST(RequestTest, UrlEncodedData) {
    RequestOptions options;
    options.data = {{"test", "123"}, {"multi", "a"}, {"multi", "b c"}};
    Request request = post_with(std::move(options));
    EXPECT_EQ(request.headers()["Content-Type"], "application/x-www-form-urlencoded");
    EXPECT_EQ(request.content(), "test=123&multi=a&multi=b+c");
    EXPECT_EQ(request.headers()["Content-Length"], "26");
}

TEST(RequestTest, JsonEncodedData) {
    RequestOptions options;
    options.json = nlohmann::json{{"test", 123}};
    Request request = post_with(std::move(options));
    EXPECT_EQ(request.headers()["Content-Type"], "application/json");
    EXPECT_EQ(request.content(), R"({"test":123})");
    EXPECT_EQ(request.headers(), (Headers{{"Host", "example.org"},
                                          {"Content-Type", "application/json"},
                                          {"Content-Length", "12"}}));
}

TEST(RequestTest, JsonKeepsNonAsciiCharacters) {
    RequestOptions options;
    options.json = nlohmann::json{{"snowman", "☃"}};
    Request request = post_with(std::move(options));
    EXPECT_EQ(request.content(), R"({"snowman":"☃"})");
}

TEST(RequestTest, ContentTakesPriorityOverDataAndJson) {
    RequestOptions options;
    options.content = "raw";
    options.data = {{"a", "1"}};
    options.json = nlohmann::json{{"b", 2}};
    Request request = post_with(std::move(options));
    EXPECT_EQ(request.content(), "raw");
    EXPECT_FALSE(request.headers().contains("Content-Type"));

    RequestOptions form_over_json;
    form_over_json.data = {{"a", "1"}};
    form_over_json.json = nlohmann::json{{"b", 2}};
    Request form = post_with(std::move(form_over_json));
    EXPECT_EQ(form.content(), "a=1");
    EXPECT_EQ(form.headers()["Content-Type"], "application/x-www-form-urlencoded");
}

TEST(RequestTest, UserContentTypeIsKept) {
    RequestOptions options;
    options.json = nlohmann::json{{"a", 1}};
    options.headers = Headers{{"content-type", "application/vnd.api+json"}};
    Request request = post_with(std::move(options));
    EXPECT_EQ(request.headers().get_list("Content-Type"),
              (std::vector<std::string>{"application/vnd.api+json"}));
}

TEST(RequestTest, MultipartFiles) {
    RequestOptions options;
    options.data = {{"field", "value"}};
    httpx::File file;
    file.filename = "hello.txt";
    file.content = Bytes("Hello, world!");
    options.files = {{"upload", file}};
    Request request = post_with(std::move(options));

    const std::string content_type = request.headers()["Content-Type"];
    const std::string prefix = "multipart/form-data; boundary=";
    ASSERT_TRUE(content_type.starts_with(prefix)) << content_type;
    const std::string boundary = content_type.substr(prefix.size());
    ASSERT_FALSE(boundary.empty());

    Bytes body = run_async(aread(request));
    EXPECT_EQ(request.headers()["Content-Length"], std::to_string(body.size()));
    EXPECT_TRUE(body.starts_with("--" + boundary + "\r\n"));
    EXPECT_TRUE(body.ends_with("--" + boundary + "--\r\n"));
    EXPECT_NE(body.find("Content-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n"),
              Bytes::npos);
    EXPECT_NE(body.find("Content-Disposition: form-data; name=\"upload\"; filename=\"hello.txt\""),
              Bytes::npos);
    EXPECT_NE(body.find("Content-Type: text/plain\r\n\r\nHello, world!\r\n"), Bytes::npos);
}

TEST(RequestTest, MultipartBoundaryFromUserContentType) {
    RequestOptions options;
    httpx::File file;
    file.filename = "a.bin";
    file.content = Bytes("xyz");
    options.files = {{"f", file}};
    options.headers = Headers{{"Content-Type", "multipart/form-data; boundary=+++"}};
    Request request = post_with(std::move(options));
    EXPECT_EQ(request.headers()["Content-Type"], "multipart/form-data; boundary=+++");
    Bytes body = run_async(aread(request));
    EXPECT_TRUE(body.starts_with("--+++\r\n")) << body;
    EXPECT_TRUE(body.ends_with("--+++--\r\n")) << body;
}

TEST(RequestTest, CannotAccessStreamingContentWithoutRead) {
    RequestOptions options;
    options.content = httpx::AsyncByteStream(generate({""}));
    Request request = post_with(std::move(options));
    EXPECT_THROW(request.content(), httpx::RequestNotRead);
    EXPECT_THROW(request.content(), httpx::StreamError);
}

TEST(RequestTest, AreadStreamedBodyThenContentAndReplay) {
    RequestOptions options;
    options.content = httpx::AsyncByteStream(generate({"test", " ", "123"}));
    Request request = post_with(std::move(options));
    EXPECT_FALSE(request.stream().is_replayable());

    EXPECT_EQ(run_async(aread(request)), "test 123");
    EXPECT_EQ(request.content(), "test 123");
    // The headers describing the body stay as they were.
    EXPECT_EQ(request.headers()["Transfer-Encoding"], "chunked");
    // The body is now in memory: it can be sent again and again (redirects, auth).
    EXPECT_TRUE(request.stream().is_replayable());
    EXPECT_EQ(run_async(read_stream(request.stream())), "test 123");
    EXPECT_EQ(run_async(read_stream(request.stream())), "test 123");
    EXPECT_EQ(run_async(aread(request)), "test 123");
}

TEST(RequestTest, AreadAndStreamInMemoryData) {
    RequestOptions options;
    options.json = nlohmann::json{{"test", 123}};
    Request request = post_with(std::move(options));
    EXPECT_EQ(run_async(aread(request)), R"({"test":123})");
    EXPECT_EQ(run_async(read_stream(request.stream())), request.content());
}

TEST(RequestTest, CopiesShareAStreamedBody) {
    RequestOptions options;
    options.content = httpx::AsyncByteStream(generate({"once"}));
    Request request = post_with(std::move(options));
    Request copy = request;
    EXPECT_EQ(run_async(read_stream(copy.stream())), "once");
    EXPECT_THROW(run_async(aread(request)), httpx::StreamConsumed);
}

TEST(RequestTest, OverrideHostHeader) {
    RequestOptions options;
    options.headers = Headers{{"host", "1.2.3.4:80"}};
    Request request("GET", "http://example.org", std::move(options));
    EXPECT_EQ(request.headers()["Host"], "1.2.3.4:80");
    EXPECT_EQ(request.headers().size(), 1u);
}

TEST(RequestTest, OverrideAcceptEncodingHeader) {
    RequestOptions options;
    options.headers = Headers{{"Accept-Encoding", "identity"}};
    Request request("GET", "http://example.org", std::move(options));
    EXPECT_EQ(request.headers()["Accept-Encoding"], "identity");
}

TEST(RequestTest, OverrideContentLengthHeaderOfStream) {
    RequestOptions options;
    options.content = httpx::AsyncByteStream(generate({"test 123"}));
    options.headers = Headers{{"Content-Length", "8"}};
    Request request = post_with(std::move(options));
    EXPECT_EQ(request.headers()["Content-Length"], "8");
}

TEST(RequestTest, Url) {
    Request plain("GET", "http://example.org");
    EXPECT_EQ(plain.url().scheme(), "http");
    EXPECT_EQ(plain.url().port(), std::nullopt);
    EXPECT_EQ(plain.url().path(), "/");
    EXPECT_EQ(plain.url().raw_path(), "/");

    Request with_query("GET", "https://example.org/abc?foo=bar");
    EXPECT_EQ(with_query.url().scheme(), "https");
    EXPECT_EQ(with_query.url().port(), std::nullopt);
    EXPECT_EQ(with_query.url().path(), "/abc");
    EXPECT_EQ(with_query.url().raw_path(), "/abc?foo=bar");
}

TEST(RequestTest, Params) {
    RequestOptions none;
    EXPECT_EQ(Request("GET", "http://example.com", none).url().str(), "http://example.com");
    EXPECT_EQ(Request("GET", "http://example.com?a=1", none).url().str(), "http://example.com?a=1");

    RequestOptions options;
    options.params = httpx::QueryParams{{"a", "1"}, {"b", "2"}};
    EXPECT_EQ(Request("GET", "http://example.com", options).url().str(),
              "http://example.com?a=1&b=2");
    EXPECT_EQ(Request("GET", "http://example.com/path", options).url().raw_path(), "/path?a=1&b=2");
}

// HTTPX 0.28.1's Request: `URL(url, params=params)` when params is not None, so given params
// replace the URL's query (encode/httpx#3433: "exactly the behavior I would expect"), and empty
// ones remove it (#3483); params not given keep it.
TEST(RequestTest, GivenParamsReplaceTheUrlQueryAsHttpx) {
    RequestOptions options;
    options.params = httpx::QueryParams{{"a", "1"}, {"b", "2"}};
    EXPECT_EQ(Request("GET", "http://example.com/p?c=3", options).url().raw_path(), "/p?a=1&b=2");

    RequestOptions empty;
    empty.params = httpx::QueryParams();
    EXPECT_EQ(Request("GET", "http://example.com/p?c=3", empty).url().str(),
              "http://example.com/p");

    RequestOptions absent;
    EXPECT_EQ(Request("GET", "http://example.com/p?c=3", absent).url().raw_path(), "/p?c=3");
}

TEST(RequestTest, CookiesBecomeACookieHeader) {
    RequestOptions options;
    options.cookies = httpx::Cookies{{"a", "1"}, {"b", "2"}};
    Request request("GET", "http://example.org", std::move(options));
    EXPECT_EQ(request.headers().get("Cookie"), "a=1; b=2");

    RequestOptions explicit_header;
    explicit_header.cookies = httpx::Cookies{{"a", "1"}};
    explicit_header.headers = Headers{{"Cookie", "mine=1"}};
    Request kept("GET", "http://example.org", std::move(explicit_header));
    EXPECT_EQ(kept.headers().get_list("Cookie"), (std::vector<std::string>{"mine=1"}));
}

TEST(RequestTest, Extensions) {
    RequestOptions options;
    options.extensions["trace"] = std::string("on");
    Request request("GET", "http://example.org", std::move(options));
    ASSERT_TRUE(request.extensions().contains("trace"));
    EXPECT_EQ(std::any_cast<std::string>(request.extensions().at("trace")), "on");
    request.extensions()["other"] = 1;
    EXPECT_EQ(request.extensions().size(), 2u);
}

TEST(RequestTest, FromPartsAddsNoHeaders) {
    Request request = Request::from_parts("get", "http://example.org/x", Headers{{"X-A", "1"}},
                                          httpx::AsyncByteStream("body"));
    EXPECT_EQ(request.method(), "GET");
    EXPECT_EQ(request.headers(), (Headers{{"X-A", "1"}}));
    EXPECT_EQ(request.content(), "body");
}

TEST(RequestTest, HeadersAreMutable) {
    Request request("GET", "http://example.org");
    request.headers().set("Authorization", "Bearer x");
    EXPECT_EQ(request.headers().get("authorization"), "Bearer x");
    request.set_url(httpx::URL("http://other.org/"));
    EXPECT_EQ(request.url().host(), "other.org");
}

// HTTPX sends a dict's keys in insertion order: a braced list does the same here; an
// nlohmann::json (a sorted map) keeps its sorted order, an ordered_json its own.
TEST(RequestTest, JsonKeysGoOutInTheOrderWritten) {
    RequestOptions written{.json = {{"name", "httpxx"}, {"age", 3}, {"tags", {"a", "b"}}}};
    Request request = post_with(std::move(written));
    EXPECT_EQ(request.content(), R"({"name":"httpxx","age":3,"tags":["a","b"]})");
    EXPECT_EQ(request.headers()["Content-Length"], "42");

    RequestOptions one_pair{.json = {{"one", "pair"}}};  // an object, not an array
    EXPECT_EQ(post_with(std::move(one_pair)).content(), R"({"one":"pair"})");

    RequestOptions sorted;
    sorted.json = nlohmann::json{{"b", 1}, {"a", 2}};
    EXPECT_EQ(post_with(std::move(sorted)).content(), R"({"a":2,"b":1})");

    nlohmann::ordered_json ordered;
    ordered["z"] = 0.5;
    ordered["a"] = 1e16;
    RequestOptions from_ordered;
    from_ordered.json = ordered;
    EXPECT_EQ(post_with(std::move(from_ordered)).content(), R"({"z":0.5,"a":1e+16})");

    RequestOptions scalar;
    scalar.json = 1.0;
    EXPECT_EQ(post_with(std::move(scalar)).content(), "1.0");

    RequestOptions nan;
    nan.json = {{"x", std::numeric_limits<double>::quiet_NaN()}};
    EXPECT_THROW(post_with(std::move(nan)), std::invalid_argument);

    RequestOptions none{.json = {}};  // no JSON body at all
    EXPECT_EQ(post_with(std::move(none)).headers()["Content-Length"], "0");
}

TEST(RequestTest, FormValuesMayBeNumbersAndBools) {
    RequestOptions options;
    options.data = {{"n", 2}, {"ok", true}, {"no", false}, {"none", std::nullopt}, {"x", 0.5}};
    EXPECT_EQ(post_with(std::move(options)).content(), "n=2&ok=true&no=false&none=&x=0.5");

    RequestOptions multipart;
    multipart.data = {{"n", 2}, {"ok", true}};
    multipart.files = {{"f", httpx::File{"a.txt", "hi"}}};
    multipart.headers = Headers{{"Content-Type", "multipart/form-data; boundary=B"}};
    Request request = post_with(std::move(multipart));
    EXPECT_EQ(run_async(aread(request)),
              "--B\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\n2\r\n"
              "--B\r\nContent-Disposition: form-data; name=\"ok\"\r\n\r\ntrue\r\n"
              "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n"
              "Content-Type: text/plain\r\n\r\nhi\r\n--B--\r\n");
}

// A string literal as a file's content is the bytes (as HTTPX's ("a.txt", "hello")); a file on
// disk is said with a std::filesystem::path.
static_assert(requires { httpx::File{"a.txt", "hello", "text/plain"}; });
static_assert(requires { httpx::File{"a.txt", std::string("hello")}; });
static_assert(requires { httpx::File{"a.txt", std::filesystem::path("a.txt")}; });
static_assert(requires { httpx::File{"a.txt", httpx::AsyncByteStream("x")}; });

TEST(RequestTest, AFileLiteralIsItsBytesAndAPathIsAFile) {
    httpx::test::TempFile on_disk("literal.txt", "from disk");
    httpx::File literal{"a.txt", "hello", "text/plain"};
    ASSERT_TRUE(std::holds_alternative<Bytes>(literal.content.value()));
    EXPECT_EQ(std::get<Bytes>(literal.content.value()), "hello");
    httpx::File path{"b.txt", on_disk.path()};
    ASSERT_TRUE(std::holds_alternative<std::filesystem::path>(path.content.value()));

    RequestOptions options;
    options.files = {{"a", literal}, {"b", path}};
    options.headers = Headers{{"Content-Type", "multipart/form-data; boundary=B"}};
    Request request = post_with(std::move(options));
    const Bytes body = run_async(aread(request));
    EXPECT_EQ(body,
              "--B\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a.txt\"\r\n"
              "Content-Type: text/plain\r\n\r\nhello\r\n"
              "--B\r\nContent-Disposition: form-data; name=\"b\"; filename=\"b.txt\"\r\n"
              "Content-Type: text/plain\r\n\r\nfrom disk\r\n--B--\r\n");
    EXPECT_EQ(request.headers()["Content-Length"], std::to_string(body.size()));
}

// HTTPX's content=open(path, "rb"): Content-Length from the file's size, the bytes streamed,
// and (beyond HTTPX, whose file objects are read once) sent again on a replay.
TEST(RequestTest, ContentFromAFilePath) {
    Bytes content;
    for (int i = 0; content.size() < 200'000; ++i) content += std::to_string(i) + ";";
    httpx::test::TempFile file("content.bin", content);
    RequestOptions options;
    options.content = file.path();
    Request request = post_with(std::move(options));
    EXPECT_EQ(request.headers()["Content-Length"], std::to_string(content.size()));
    EXPECT_FALSE(request.headers().contains("Transfer-Encoding"));
    EXPECT_TRUE(request.stream().is_replayable());
    EXPECT_THROW(request.content(), httpx::RequestNotRead);  // streamed, not loaded
    EXPECT_EQ(run_async(read_stream(request.stream())), content);
    EXPECT_EQ(run_async(read_stream(request.stream())), content);

    RequestOptions missing;
    EXPECT_THROW(missing.content = std::filesystem::path("/nonexistent/httpxx"),
                 std::filesystem::filesystem_error);
    RequestOptions directory;
    EXPECT_THROW(directory.content = std::filesystem::temp_directory_path(),
                 std::filesystem::filesystem_error);
}

}  // namespace
