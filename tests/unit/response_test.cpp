// httpx::Response, ported from HTTPX's tests/models/test_responses.py (0.28.1) plus the C++
// specifics (copies sharing one body, close handlers, the elapsed clock).
// Test that header file is self-contained.
#include "httpx/response.hpp"

#include "models/response_access.hpp"
#include "run_async.hpp"

#include <httpx/async_generator.hpp>
#include <httpx/exceptions.hpp>

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include <zlib.h>
#include "compress.hpp"

#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

using httpx::Bytes;
using httpx::Headers;
using httpx::Response;
using httpx::ResponseOptions;
using httpx::test::run_async;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// Helpers

httpx::AsyncGenerator<Bytes> generate(std::vector<Bytes> parts) {
    for (auto& part : parts) co_yield std::move(part);
}

// A streamed response, as HTTPX's Response(200, content=async_streaming_body()).
Response streaming(std::vector<Bytes> parts, Headers headers = {}) {
    ResponseOptions options;
    options.stream = httpx::AsyncByteStream(generate(std::move(parts)));
    options.headers = std::move(headers);
    return Response(200, std::move(options));
}

Response hello_stream() {
    return streaming({"Hello, ", "world!"});
}

Response with_content(Bytes content, Headers headers = {}) {
    ResponseOptions options{.content = std::move(content)};
    options.headers = std::move(headers);
    return Response(200, std::move(options));
}

template <class T>
httpx::awaitable<std::vector<T>> collect(httpx::AsyncIterator<T> it) {
    std::vector<T> out;
    while (auto item = co_await it.next()) out.push_back(std::move(*item));
    co_return out;
}

// The iterator is created inside the coroutine, so that an exception thrown either when
// creating it or on the first next() surfaces from run_async.
httpx::awaitable<std::vector<Bytes>> read_bytes(Response response,
                                                std::optional<std::size_t> size) {
    auto it = response.aiter_bytes(size);
    co_return co_await collect(std::move(it));
}
httpx::awaitable<std::vector<Bytes>> read_raw(Response response, std::optional<std::size_t> size) {
    auto it = response.aiter_raw(size);
    co_return co_await collect(std::move(it));
}
httpx::awaitable<std::vector<std::string>> read_text(Response response,
                                                     std::optional<std::size_t> size) {
    auto it = response.aiter_text(size);
    co_return co_await collect(std::move(it));
}
httpx::awaitable<std::vector<std::string>> read_lines(Response response) {
    auto it = response.aiter_lines();
    co_return co_await collect(std::move(it));
}
httpx::awaitable<Bytes> aread(Response response) {
    co_return co_await response.aread();
}
httpx::awaitable<void> aclose(Response response) {
    co_await response.aclose();
}

std::vector<Bytes> bytes_chunks(Response response, std::optional<std::size_t> size = std::nullopt) {
    return run_async(read_bytes(std::move(response), size));
}
std::vector<Bytes> raw_chunks(Response response, std::optional<std::size_t> size = std::nullopt) {
    return run_async(read_raw(std::move(response), size));
}
std::vector<std::string> text_chunks(Response response,
                                     std::optional<std::size_t> size = std::nullopt) {
    return run_async(read_text(std::move(response), size));
}

httpx::Request get_example() {
    return httpx::Request("GET", "https://example.org");
}

using httpx::test::gzip;

// ASCII text in a UTF-16/32 encoding, as Python's str.encode(encoding) (BOM + little endian for
// the plain "utf-16"/"utf-32").
Bytes encode_ascii(std::string_view text, std::string_view encoding) {
    std::size_t width = encoding.starts_with("utf-16") ? 2 : encoding.starts_with("utf-32") ? 4 : 1;
    bool big_endian = encoding.ends_with("-be");
    Bytes out;
    if (encoding == "utf-8-sig") out = "\xEF\xBB\xBF";
    if (encoding == "utf-16") out = Bytes("\xFF\xFE", 2);
    if (encoding == "utf-32") out = Bytes("\xFF\xFE\x00\x00", 4);
    for (char c : text) {
        Bytes unit(width, '\0');
        unit[big_endian ? width - 1 : 0] = c;
        out += unit;
    }
    return out;
}

std::string to_string(const Response& response) {
    std::ostringstream os;
    os << response;
    return os.str();
}

// ---------------------------------------------------------------------------------------------
// Construction

TEST(ResponseTest, ResponseWithRequest) {
    ResponseOptions options{.content = "Hello, world!"};
    options.request = get_example();
    Response response(200, std::move(options));

    EXPECT_EQ(response.status_code(), 200);
    EXPECT_EQ(response.reason_phrase(), "OK");
    EXPECT_EQ(response.text(), "Hello, world!");
    EXPECT_EQ(response.request().method(), "GET");
    EXPECT_EQ(response.request().url(), httpx::URL("https://example.org"));
    EXPECT_EQ(response.url(), httpx::URL("https://example.org"));
    EXPECT_TRUE(response.has_request());
    EXPECT_FALSE(response.is_error());
}

TEST(ResponseTest, ContentSetsContentLength) {
    Response response = with_content("Hello, world!");
    EXPECT_EQ(response.status_code(), 200);
    EXPECT_EQ(response.text(), "Hello, world!");
    EXPECT_EQ(response.content(), "Hello, world!");
    EXPECT_EQ(response.headers(), (Headers{{"Content-Length", "13"}}));
}

TEST(ResponseTest, TextSetsPlainTextHeaders) {
    ResponseOptions options{.text = "Hello, world!"};
    Response response(200, std::move(options));
    EXPECT_EQ(response.text(), "Hello, world!");
    EXPECT_EQ(response.headers(),
              (Headers{{"Content-Length", "13"}, {"Content-Type", "text/plain; charset=utf-8"}}));
    EXPECT_EQ(response.charset_encoding(), "utf-8");
}

TEST(ResponseTest, HtmlSetsHtmlHeaders) {
    ResponseOptions options{.html = "<html><body>Hello, world!</html></body>"};
    Response response(200, std::move(options));
    EXPECT_EQ(response.text(), "<html><body>Hello, world!</html></body>");
    EXPECT_EQ(response.headers(),
              (Headers{{"Content-Length", "39"}, {"Content-Type", "text/html; charset=utf-8"}}));
}

TEST(ResponseTest, JsonSetsJsonHeadersAndIsCompact) {
    ResponseOptions options;
    options.json = nlohmann::json{{"hello", "world"}};
    Response response(200, std::move(options));
    EXPECT_EQ(response.json(), (nlohmann::json{{"hello", "world"}}));
    EXPECT_EQ(response.content(), R"({"hello":"world"})");
    EXPECT_EQ(response.headers(),
              (Headers{{"Content-Length", "17"}, {"Content-Type", "application/json"}}));
}

// HTTPX's Response(json=...) goes through the request's encoder: keys as written, Python's
// float repr, NaN refused.
TEST(ResponseTest, JsonBodyIsEncodedAsARequestsJson) {
    Response response(200, ResponseOptions{.json = {{"z", 1e15}, {"a", true}}});
    EXPECT_EQ(response.content(), R"({"z":1000000000000000.0,"a":true})");
    ResponseOptions nan;
    nan.json = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW(Response(200, std::move(nan)), std::invalid_argument);
}

TEST(ResponseTest, ExplicitHeadersAreKept) {
    // The encoder's headers only fill in what the caller did not set.
    ResponseOptions options{.text = "abc"};
    options.headers = Headers{{"Content-Type", "text/csv"}, {"X-Extra", "1"}};
    Response response(200, std::move(options));
    EXPECT_EQ(response.headers().get("Content-Type"), "text/csv");
    EXPECT_EQ(response.headers().get("Content-Length"), "3");
    EXPECT_EQ(response.headers().get("X-Extra"), "1");
}

TEST(ResponseTest, EmptyResponseHasNoHeadersAndEmptyBody) {
    Response response(204);
    EXPECT_TRUE(response.headers().empty());
    EXPECT_EQ(response.content(), "");
    EXPECT_EQ(response.text(), "");
    EXPECT_EQ(response.reason_phrase(), "No Content");
    EXPECT_TRUE(response.is_closed());
    EXPECT_TRUE(response.is_stream_consumed());
}

TEST(ResponseTest, StreamAddsNoHeaders) {
    Response response = hello_stream();
    EXPECT_TRUE(response.headers().empty());

    Response with_length = streaming({"test 123"}, Headers{{"Content-Length", "8"}});
    EXPECT_EQ(with_length.headers(), (Headers{{"Content-Length", "8"}}));
}

TEST(ResponseTest, UnknownStatusCode) {
    Response response(600);
    EXPECT_EQ(response.status_code(), 600);
    EXPECT_EQ(response.reason_phrase(), "");
    EXPECT_EQ(response.text(), "");
    EXPECT_EQ(to_string(response), "<Response [600 ]>");
}

TEST(ResponseTest, ReasonPhrases) {
    EXPECT_EQ(Response(404).reason_phrase(), "Not Found");
    EXPECT_EQ(Response(418).reason_phrase(), "I'm a teapot");
    EXPECT_EQ(Response(503).reason_phrase(), "Service Unavailable");

    // The phrase the server sent wins over the standard one.
    ResponseOptions options;
    options.extensions["reason_phrase"] = std::string("Everything Fine");
    Response custom(200, std::move(options));
    EXPECT_EQ(custom.reason_phrase(), "Everything Fine");
    EXPECT_EQ(to_string(custom), "<Response [200 Everything Fine]>");
}

TEST(ResponseTest, HttpVersion) {
    EXPECT_EQ(Response(200).http_version(), "HTTP/1.1");
    ResponseOptions options;
    options.extensions["http_version"] = std::string("HTTP/2");
    EXPECT_EQ(Response(200, std::move(options)).http_version(), "HTTP/2");
}

TEST(ResponseTest, Repr) {
    EXPECT_EQ(to_string(with_content("Hello, world!")), "<Response [200 OK]>");
    EXPECT_EQ(to_string(Response(404)), "<Response [404 Not Found]>");
}

TEST(ResponseTest, RequestUnsetThrows) {
    Response response = with_content("Hello, world!");
    EXPECT_FALSE(response.has_request());
    EXPECT_THROW(response.request(), std::logic_error);
    EXPECT_THROW(response.url(), std::logic_error);
    EXPECT_EQ(response.text(), "Hello, world!");
    EXPECT_FALSE(response.is_error());
}

TEST(ResponseTest, SetRequestAfterConstruction) {
    Response response = with_content("Hello, world!");
    response.set_request(httpx::Request("GET", "https://www.example.org"));
    EXPECT_EQ(response.request().method(), "GET");
    EXPECT_EQ(response.request().url(), httpx::URL("https://www.example.org"));
}

TEST(ResponseTest, HistoryAndNextRequestDefaults) {
    Response response(200);
    EXPECT_TRUE(response.history().empty());
    EXPECT_FALSE(response.next_request().has_value());

    response.set_history({Response(301), Response(302)});
    ASSERT_EQ(response.history().size(), 2u);
    EXPECT_EQ(response.history()[1].status_code(), 302);
    response.set_next_request(httpx::Request("GET", "https://example.org/next"));
    ASSERT_TRUE(response.next_request().has_value());
    EXPECT_EQ(response.next_request()->url().path(), "/next");
}

TEST(ResponseTest, CopiesShareTheBody) {
    Response original = hello_stream();
    Response copy = original;
    EXPECT_EQ(run_async(aread(copy)), "Hello, world!");
    EXPECT_EQ(original.content(), "Hello, world!");
    EXPECT_TRUE(original.is_closed());
}

// ---------------------------------------------------------------------------------------------
// Status predicates and raise_for_status

TEST(ResponseTest, StatusPredicates) {
    struct Case {
        int status;
        bool informational, success, redirect, client_error, server_error;
    };
    const Case cases[] = {
        {101, true, false, false, false, false}, {200, false, true, false, false, false},
        {204, false, true, false, false, false}, {303, false, false, true, false, false},
        {404, false, false, false, true, false}, {500, false, false, false, false, true},
        {599, false, false, false, false, true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.status);
        Response response(c.status);
        EXPECT_EQ(response.is_informational(), c.informational);
        EXPECT_EQ(response.is_success(), c.success);
        EXPECT_EQ(response.is_redirect(), c.redirect);
        EXPECT_EQ(response.is_client_error(), c.client_error);
        EXPECT_EQ(response.is_server_error(), c.server_error);
        EXPECT_EQ(response.is_error(), c.client_error || c.server_error);
    }
}

TEST(ResponseTest, HasRedirectLocation) {
    ResponseOptions options;
    options.headers = Headers{{"location", "https://other.org"}};
    EXPECT_TRUE(Response(302, options).has_redirect_location());
    EXPECT_TRUE(Response(308, options).has_redirect_location());
    // 300 and 304 are redirects but never followed.
    EXPECT_FALSE(Response(300, options).has_redirect_location());
    EXPECT_FALSE(Response(304, options).has_redirect_location());
    EXPECT_FALSE(Response(302).has_redirect_location());
}

std::string status_error_message(int status, Headers headers = {}) {
    ResponseOptions options;
    options.headers = std::move(headers);
    options.request = get_example();
    Response response(status, std::move(options));
    try {
        response.raise_for_status();
    } catch (const httpx::HTTPStatusError& e) {
        EXPECT_EQ(e.response().status_code(), status);
        EXPECT_EQ(e.request().url(), httpx::URL("https://example.org"));
        return e.what();
    }
    ADD_FAILURE() << "raise_for_status() did not throw for " << status;
    return {};
}

TEST(ResponseTest, RaiseForStatusSuccessReturnsSelf) {
    ResponseOptions options;
    options.request = get_example();
    Response response(200, std::move(options));
    const Response& returned = response.raise_for_status();
    EXPECT_EQ(&returned, &response);
    EXPECT_EQ(returned.status_code(), 200);
}

TEST(ResponseTest, RaiseForStatusInformational) {
    EXPECT_EQ(status_error_message(101),
              "Informational response '101 Switching Protocols' for url 'https://example.org'\n"
              "For more information check: "
              "https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/101");
}

TEST(ResponseTest, RaiseForStatusRedirectIncludesLocation) {
    EXPECT_EQ(status_error_message(303, Headers{{"location", "https://other.org"}}),
              "Redirect response '303 See Other' for url 'https://example.org'\n"
              "Redirect location: 'https://other.org'\n"
              "For more information check: "
              "https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/303");
}

TEST(ResponseTest, RaiseForStatusClientError) {
    EXPECT_EQ(status_error_message(403),
              "Client error '403 Forbidden' for url 'https://example.org'\n"
              "For more information check: "
              "https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/403");
}

TEST(ResponseTest, RaiseForStatusServerError) {
    EXPECT_EQ(status_error_message(500),
              "Server error '500 Internal Server Error' for url 'https://example.org'\n"
              "For more information check: "
              "https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/500");
}

TEST(ResponseTest, RaiseForStatusInvalidStatusCode) {
    EXPECT_EQ(status_error_message(600),
              "Invalid status code '600 ' for url 'https://example.org'\n"
              "For more information check: "
              "https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/600");
}

TEST(ResponseTest, RaiseForStatusIsAnHTTPError) {
    ResponseOptions options;
    options.request = get_example();
    Response response(404, std::move(options));
    EXPECT_THROW(response.raise_for_status(), httpx::HTTPError);
}

TEST(ResponseTest, RaiseForStatusWithoutRequestThrowsLogicError) {
    EXPECT_THROW(Response(200).raise_for_status(), std::logic_error);
    EXPECT_THROW(Response(404).raise_for_status(), std::logic_error);
}

// ---------------------------------------------------------------------------------------------
// Encodings

TEST(ResponseEncodingTest, CharsetFromContentType) {
    Response response =
        with_content("Latin 1: \xFF", Headers{{"Content-Type", "text-plain; charset=latin-1"}});
    EXPECT_EQ(response.text(), "Latin 1: \u00FF");
    EXPECT_EQ(response.encoding(), "latin-1");
    EXPECT_EQ(response.charset_encoding(), "latin-1");
}

TEST(ResponseEncodingTest, DefaultsToUtf8) {
    Response response = with_content("おはようございます。");
    EXPECT_EQ(response.text(), "おはようございます。");
    EXPECT_EQ(response.encoding(), "utf-8");
    EXPECT_EQ(response.charset_encoding(), std::nullopt);
}

TEST(ResponseEncodingTest, UnknownCharsetFallsBackToUtf8) {
    Response response =
        with_content("おはようございます。",
                     Headers{{"Content-Type", "text-plain; charset=invalid-codec-name"}});
    EXPECT_EQ(response.text(), "おはようございます。");
    EXPECT_EQ(response.encoding(), "utf-8");
    EXPECT_EQ(response.charset_encoding(), "invalid-codec-name");
}

TEST(ResponseEncodingTest, UnknownCharsetFallsBackToDefaultEncoding) {
    ResponseOptions options{.content = "Accented: \xD6sterreich"};  // ISO-8859-1
    options.headers = Headers{{"Content-Type", "text/plain; charset=no-such-charset"}};
    options.default_encoding = "iso-8859-1";
    Response response(200, std::move(options));
    EXPECT_EQ(response.encoding(), "iso-8859-1");
    EXPECT_EQ(response.text(), "Accented: Österreich");
}

TEST(ResponseEncodingTest, KnownCharsetBeatsDefaultEncoding) {
    ResponseOptions options{.content = "Snowman: ☃"};
    options.headers = Headers{{"Content-Type", "text/plain; charset=UTF-8"}};
    options.default_encoding = "cp1252";
    Response response(200, std::move(options));
    EXPECT_EQ(response.encoding(), "utf-8");
    EXPECT_EQ(response.text(), "Snowman: ☃");
}

TEST(ResponseEncodingTest, DefaultEncodingUsedWithoutCharset) {
    // HTTPX's test_response_decode_text_using_explicit_encoding. cp1252: é, €, è.
    ResponseOptions options{.content =
                                "Despr\xE9"
                                "aux \x80 cr\xE8me"};
    options.default_encoding = "cp1252";
    Response response(200, std::move(options));
    EXPECT_EQ(response.encoding(), "cp1252");
    EXPECT_EQ(response.text(), "Despréaux € crème");
}

TEST(ResponseEncodingTest, NoCharsetWithAsciiOrUtf8Content) {
    Response ascii = with_content("Hello, world!", Headers{{"Content-Type", "text/plain"}});
    EXPECT_EQ(ascii.encoding(), "utf-8");
    EXPECT_EQ(ascii.text(), "Hello, world!");

    Response utf8 = with_content("Unicode Snowman: ☃", Headers{{"Content-Type", "text/plain"}});
    EXPECT_EQ(utf8.encoding(), "utf-8");
    EXPECT_EQ(utf8.text(), "Unicode Snowman: ☃");
}

TEST(ResponseEncodingTest, NonTextContentTypeStillDecodesUtf8) {
    Response response = with_content("xyz", Headers{{"Content-Type", "image/png"}});
    EXPECT_EQ(response.text(), "xyz");
    EXPECT_EQ(response.encoding(), "utf-8");
}

TEST(ResponseEncodingTest, InvalidBytesBecomeReplacementCharacters) {
    Response response = with_content(
        "abc\xFF"
        "def");
    EXPECT_EQ(response.text(),
              "abc\uFFFD"
              "def");
}

TEST(ResponseEncodingTest, ExplicitEncodingOverridesCharset) {
    // Deliberately wrong charset in the header.
    Response response =
        with_content("Latin 1: \xFF", Headers{{"Content-Type", "text-plain; charset=utf-8"}});
    response.set_encoding("latin-1");
    EXPECT_EQ(response.text(), "Latin 1: \u00FF");
    EXPECT_EQ(response.encoding(), "latin-1");
}

TEST(ResponseEncodingTest, ForceEncoding) {
    Response response = with_content("Snowman: ☃");
    response.set_encoding("iso-8859-1");
    EXPECT_EQ(response.text(), "Snowman: \u00E2\u0098\u0083");
    EXPECT_EQ(response.encoding(), "iso-8859-1");
}

TEST(ResponseEncodingTest, SetEncodingAfterTextThrows) {
    Response response = with_content("Hello, world!");
    EXPECT_EQ(response.text(), "Hello, world!");
    EXPECT_EQ(response.encoding(), "utf-8");
    EXPECT_THROW(response.set_encoding("UTF8"), std::logic_error);
    EXPECT_THROW(response.set_encoding("iso-8859-1"), std::logic_error);
    EXPECT_EQ(response.encoding(), "utf-8");
}

TEST(ResponseEncodingTest, SetEncodingBeforeTextOfStreamedResponse) {
    Response response = streaming({"caf\xE9"});
    response.set_encoding("latin-1");
    run_async(aread(response));
    EXPECT_EQ(response.text(), "café");
}

// ---------------------------------------------------------------------------------------------
// JSON

TEST(ResponseJsonTest, JsonWithCommaSeparatedCharsetUtf16) {
    const std::string data = R"({"greeting": "hello", "recipient": "world"})";
    Response response = with_content(encode_ascii(data, "utf-16"),
                                     Headers{{"Content-Type", "application/json, charset=utf-16"}});
    EXPECT_EQ(response.json(), (nlohmann::json{{"greeting", "hello"}, {"recipient", "world"}}));
}

TEST(ResponseJsonTest, JsonDetectsUnicodeEncodings) {
    // As Python's json.loads(bytes): the encoding is detected from the first bytes, whatever the
    // Content-Type says.
    const std::string data = R"({"greeting": "hello", "recipient": "world"})";
    const nlohmann::json expected = {{"greeting", "hello"}, {"recipient", "world"}};
    for (const char* encoding : {"utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-16-le", "utf-32",
                                 "utf-32-be", "utf-32-le"}) {
        SCOPED_TRACE(encoding);
        Response plain = with_content(encode_ascii(data, encoding),
                                      Headers{{"Content-Type", "application/json"}});
        EXPECT_EQ(plain.json(), expected);
        Response with_charset = with_content(
            encode_ascii(data, encoding),
            Headers{{"Content-Type", std::string("application/json; charset=") + encoding}});
        EXPECT_EQ(with_charset.json(), expected);
    }
}

TEST(ResponseJsonTest, JsonKeepsNonAsciiText) {
    Response response = with_content(R"({"snowman": "☃"})");
    EXPECT_EQ(response.json()["snowman"], "☃");
}

TEST(ResponseJsonTest, InvalidJsonThrows) {
    EXPECT_THROW(with_content("{not json").json(), nlohmann::json::parse_error);
}

TEST(ResponseJsonTest, JsonOfUnreadStreamThrowsResponseNotRead) {
    Response response = hello_stream();
    EXPECT_THROW(response.json(), httpx::ResponseNotRead);
}

// ---------------------------------------------------------------------------------------------
// Links and cookies

TEST(ResponseTest, LinkHeaderSingle) {
    Response response = with_content("", Headers{{"Link", "<https://example.com>; rel='preload'"}});
    using Links = std::map<std::string, std::map<std::string, std::string>>;
    EXPECT_EQ(response.links(),
              (Links{{"preload", {{"rel", "preload"}, {"url", "https://example.com"}}}}));
}

TEST(ResponseTest, LinkHeaderMultiple) {
    Response response =
        with_content("", Headers{{"Link", R"(</hub>; rel="hub", </resource>; rel="self")"}});
    using Links = std::map<std::string, std::map<std::string, std::string>>;
    EXPECT_EQ(response.links(), (Links{{"hub", {{"url", "/hub"}, {"rel", "hub"}}},
                                       {"self", {{"url", "/resource"}, {"rel", "self"}}}}));
}

TEST(ResponseTest, LinkHeaderWithoutRelIsKeyedByUrl) {
    Response response =
        with_content("", Headers{{"Link", R"(<https://example.com/a>; title="A")"}});
    using Links = std::map<std::string, std::map<std::string, std::string>>;
    EXPECT_EQ(
        response.links(),
        (Links{{"https://example.com/a", {{"url", "https://example.com/a"}, {"title", "A"}}}}));
}

TEST(ResponseTest, NoLinkHeaderGivesNoLinks) {
    EXPECT_TRUE(Response(200).links().empty());
}

TEST(ResponseTest, CookiesSetByResponse) {
    ResponseOptions options;
    options.headers = Headers{{"Set-Cookie", "session=abc; Path=/"}, {"Set-Cookie", "theme=dark"}};
    options.request = get_example();
    Response response(200, std::move(options));
    httpx::Cookies cookies = response.cookies();
    EXPECT_EQ(cookies.size(), 2u);
    EXPECT_EQ(cookies.get("session"), "abc");
    EXPECT_EQ(cookies.get("theme"), "dark");
    EXPECT_EQ(Response(200, ResponseOptions{.request = get_example()}).cookies().size(), 0u);
}

TEST(ResponseTest, CookiesWithoutRequestThrows) {
    ResponseOptions options;
    options.headers = Headers{{"Set-Cookie", "session=abc"}};
    Response response(200, std::move(options));
    EXPECT_THROW(response.cookies(), std::logic_error);
}

// ---------------------------------------------------------------------------------------------
// Decoding errors

TEST(ResponseTest, BrokenCompressedContentThrowsDecodingError) {
    for (const char* coding : {"deflate", "gzip", "br"}) {
        SCOPED_TRACE(coding);
        EXPECT_THROW(with_content("xxxxxxxxxxxxxx", Headers{{"Content-Encoding", coding}}),
                     httpx::DecodingError);

        ResponseOptions options{.content = "xxxxxxxxxxxxxx"};
        options.headers = Headers{{"Content-Encoding", coding}};
        options.request = httpx::Request("GET", "https://www.example.org/");
        try {
            Response response(200, std::move(options));
            ADD_FAILURE() << "no DecodingError";
        } catch (const httpx::DecodingError& e) {
            ASSERT_TRUE(e.has_request());
            EXPECT_EQ(e.request().url(), httpx::URL("https://www.example.org/"));
        }
    }
}

TEST(ResponseTest, CompressedContentIsDecodedAtConstruction) {
    const Bytes compressed = gzip("Hello, world!");
    Response response = with_content(compressed, Headers{{"Content-Encoding", "gzip"}});
    EXPECT_EQ(response.content(), "Hello, world!");
    EXPECT_EQ(response.num_bytes_downloaded(), compressed.size());
}

// ---------------------------------------------------------------------------------------------
// Reading

TEST(ResponseStreamTest, AreadOfInMemoryResponse) {
    Response response = with_content("Hello, world!");
    EXPECT_EQ(response.text(), "Hello, world!");
    EXPECT_TRUE(response.is_closed());
    EXPECT_EQ(run_async(aread(response)), "Hello, world!");
    EXPECT_EQ(response.content(), "Hello, world!");
    EXPECT_TRUE(response.is_closed());
}

TEST(ResponseStreamTest, AreadOfEmptyResponse) {
    Response response(200);
    EXPECT_EQ(response.text(), "");
    EXPECT_EQ(response.encoding(), "utf-8");
    EXPECT_TRUE(response.is_closed());
    EXPECT_EQ(run_async(aread(response)), "");
    EXPECT_EQ(response.content(), "");
    EXPECT_TRUE(response.is_closed());
}

TEST(ResponseStreamTest, AsyncStreamingResponse) {
    Response response = hello_stream();
    EXPECT_EQ(response.status_code(), 200);
    EXPECT_FALSE(response.is_closed());
    EXPECT_FALSE(response.is_stream_consumed());
    EXPECT_THROW(response.content(), httpx::ResponseNotRead);
    EXPECT_THROW(response.text(), httpx::ResponseNotRead);

    EXPECT_EQ(run_async(aread(response)), "Hello, world!");
    EXPECT_EQ(response.content(), "Hello, world!");
    EXPECT_EQ(response.text(), "Hello, world!");
    EXPECT_TRUE(response.is_closed());
    EXPECT_TRUE(response.is_stream_consumed());
    EXPECT_EQ(response.num_bytes_downloaded(), 13u);
    // A second aread returns the content again.
    EXPECT_EQ(run_async(aread(response)), "Hello, world!");
}

TEST(ResponseStreamTest, AiterBytesAfterAreadYieldsContent) {
    Response response = hello_stream();
    run_async(aread(response));
    EXPECT_EQ(bytes_chunks(response), (std::vector<Bytes>{"Hello, world!"}));
    EXPECT_EQ(bytes_chunks(response, 5), (std::vector<Bytes>{"Hello", ", wor", "ld!"}));
    EXPECT_EQ(text_chunks(response), (std::vector<std::string>{"Hello, world!"}));
    // The raw stream is gone.
    EXPECT_THROW(raw_chunks(response), httpx::StreamConsumed);
}

TEST(ResponseStreamTest, CannotAreadAfterStreamConsumed) {
    Response response = hello_stream();
    std::vector<Bytes> parts = bytes_chunks(response);
    EXPECT_EQ(parts, (std::vector<Bytes>{"Hello, ", "world!"}));
    EXPECT_TRUE(response.is_stream_consumed());
    EXPECT_THROW(run_async(aread(response)), httpx::StreamConsumed);
    EXPECT_THROW(response.content(), httpx::ResponseNotRead);
}

TEST(ResponseStreamTest, SecondIterationThrowsStreamConsumed) {
    Response response = hello_stream();
    EXPECT_EQ(raw_chunks(response), (std::vector<Bytes>{"Hello, ", "world!"}));
    EXPECT_THROW(raw_chunks(response), httpx::StreamConsumed);
    EXPECT_THROW(bytes_chunks(response), httpx::StreamConsumed);
    EXPECT_THROW(text_chunks(response), httpx::StreamConsumed);
    EXPECT_THROW(run_async(read_lines(response)), httpx::StreamConsumed);
}

TEST(ResponseStreamTest, CannotAreadAfterAclose) {
    Response response = hello_stream();
    run_async(aclose(response));
    EXPECT_TRUE(response.is_closed());
    EXPECT_THROW(run_async(aread(response)), httpx::StreamClosed);
    EXPECT_THROW(bytes_chunks(response), httpx::StreamClosed);
    EXPECT_THROW(raw_chunks(response), httpx::StreamClosed);
    EXPECT_THROW(response.content(), httpx::ResponseNotRead);
}

TEST(ResponseStreamTest, CannotReadAfterSyncClose) {
    Response response = hello_stream();
    response.close();
    response.close();  // idempotent
    EXPECT_TRUE(response.is_closed());
    EXPECT_THROW(run_async(aread(response)), httpx::StreamClosed);
}

TEST(ResponseStreamTest, StreamErrorsAreStreamErrors) {
    Response response = hello_stream();
    response.close();
    EXPECT_THROW(run_async(aread(response)), httpx::StreamError);
}

TEST(ResponseStreamTest, AiterRaw) {
    EXPECT_EQ(raw_chunks(hello_stream()), (std::vector<Bytes>{"Hello, ", "world!"}));
}

TEST(ResponseStreamTest, AiterRawWithChunkSize) {
    EXPECT_EQ(raw_chunks(hello_stream(), 5), (std::vector<Bytes>{"Hello", ", wor", "ld!"}));
    EXPECT_EQ(raw_chunks(hello_stream(), 7), (std::vector<Bytes>{"Hello, ", "world!"}));
    EXPECT_EQ(raw_chunks(hello_stream(), 13), (std::vector<Bytes>{"Hello, world!"}));
    EXPECT_EQ(raw_chunks(hello_stream(), 20), (std::vector<Bytes>{"Hello, world!"}));
}

TEST(ResponseStreamTest, AiterRawSkipsEmptyChunks) {
    Response response = streaming({"Hello, ", "", "world!", ""});
    EXPECT_EQ(raw_chunks(response), (std::vector<Bytes>{"Hello, ", "world!"}));
}

TEST(ResponseStreamTest, AiterBytesSkipsEmptyChunks) {
    Response response = streaming({"", "Hello, ", "", "world!", ""});
    EXPECT_EQ(bytes_chunks(response), (std::vector<Bytes>{"Hello, ", "world!"}));
}

TEST(ResponseStreamTest, AiterRawOfInMemoryResponseIsConsumed) {
    // HTTPX: the content of Response(content=...) is read at construction.
    EXPECT_THROW(raw_chunks(with_content("Hello, world!")), httpx::StreamConsumed);
}

httpx::awaitable<void> check_raw_counter(Response response) {
    auto parts = response.aiter_raw();
    std::uint64_t downloaded = response.num_bytes_downloaded();
    EXPECT_EQ(downloaded, 0u);
    int count = 0;
    while (auto part = co_await parts.next()) {
        EXPECT_EQ(part->size(), response.num_bytes_downloaded() - downloaded);
        downloaded = response.num_bytes_downloaded();
        ++count;
    }
    EXPECT_EQ(count, 3);
    EXPECT_EQ(downloaded, 15u);
}

TEST(ResponseStreamTest, AiterRawUpdatesNumBytesDownloaded) {
    run_async(check_raw_counter(streaming({"Hello, ", "world!", "!!"})));
}

TEST(ResponseStreamTest, AiterBytes) {
    Response response = with_content("Hello, world!");
    EXPECT_EQ(bytes_chunks(response), (std::vector<Bytes>{"Hello, world!"}));
    EXPECT_EQ(bytes_chunks(hello_stream()), (std::vector<Bytes>{"Hello, ", "world!"}));
}

TEST(ResponseStreamTest, AiterBytesWithChunkSize) {
    EXPECT_EQ(bytes_chunks(hello_stream(), 5), (std::vector<Bytes>{"Hello", ", wor", "ld!"}));
    EXPECT_EQ(bytes_chunks(hello_stream(), 13), (std::vector<Bytes>{"Hello, world!"}));
    EXPECT_EQ(bytes_chunks(hello_stream(), 20), (std::vector<Bytes>{"Hello, world!"}));
    EXPECT_EQ(bytes_chunks(with_content("Hello, world!"), 5),
              (std::vector<Bytes>{"Hello", ", wor", "ld!"}));
}

TEST(ResponseStreamTest, AiterBytesOfEmptyResponse) {
    EXPECT_TRUE(bytes_chunks(with_content("")).empty());
    EXPECT_TRUE(bytes_chunks(streaming({})).empty());
}

TEST(ResponseStreamTest, GzipStreamDecodedByAiterBytesNotByAiterRaw) {
    std::string body;
    for (int i = 0; i < 200; ++i) body += "line " + std::to_string(i) + "\n";
    const Bytes compressed = gzip(body);
    ASSERT_GT(compressed.size(), 30u);
    auto split = [&] {
        std::vector<Bytes> parts;
        for (std::size_t i = 0; i < compressed.size(); i += 10)
            parts.push_back(compressed.substr(i, 10));
        return parts;
    };
    const Headers headers{{"Content-Encoding", "gzip"}};

    Response decoded = streaming(split(), headers);
    std::vector<Bytes> parts = bytes_chunks(decoded);
    Bytes joined;
    for (const auto& part : parts) joined += part;
    EXPECT_EQ(joined, body);
    EXPECT_EQ(decoded.num_bytes_downloaded(), compressed.size());

    Response raw = streaming(split(), headers);
    Bytes raw_joined;
    for (const auto& part : raw_chunks(raw)) raw_joined += part;
    EXPECT_EQ(raw_joined, compressed);

    Response read = streaming(split(), headers);
    EXPECT_EQ(run_async(aread(read)), body);
    EXPECT_EQ(read.text(), body);
    EXPECT_EQ(read.num_bytes_downloaded(), compressed.size());

    Response sized = streaming(split(), headers);
    std::vector<Bytes> sized_parts = bytes_chunks(sized, 100);
    ASSERT_FALSE(sized_parts.empty());
    for (std::size_t i = 0; i + 1 < sized_parts.size(); ++i) EXPECT_EQ(sized_parts[i].size(), 100u);
    EXPECT_EQ(sized_parts.size(), (body.size() + 99) / 100);
}

TEST(ResponseStreamTest, BrokenGzipStreamThrowsDecodingError) {
    Response response = streaming({"xxxxxxxxxxxxxx"}, Headers{{"Content-Encoding", "gzip"}});
    EXPECT_THROW(bytes_chunks(response), httpx::DecodingError);
}

TEST(ResponseStreamTest, AiterText) {
    EXPECT_EQ(text_chunks(with_content("Hello, world!")),
              (std::vector<std::string>{"Hello, world!"}));
}

TEST(ResponseStreamTest, AiterTextWithChunkSize) {
    EXPECT_EQ(text_chunks(with_content("Hello, world!"), 5),
              (std::vector<std::string>{"Hello", ", wor", "ld!"}));
    EXPECT_EQ(text_chunks(with_content("Hello, world!!"), 7),
              (std::vector<std::string>{"Hello, ", "world!!"}));
    EXPECT_EQ(text_chunks(with_content("Hello, world!"), 7),
              (std::vector<std::string>{"Hello, ", "world!"}));
    EXPECT_EQ(text_chunks(with_content("Hello, world!"), 13),
              (std::vector<std::string>{"Hello, world!"}));
    EXPECT_EQ(text_chunks(with_content("Hello, world!"), 20),
              (std::vector<std::string>{"Hello, world!"}));
    EXPECT_EQ(text_chunks(hello_stream(), 5), (std::vector<std::string>{"Hello", ", wor", "ld!"}));
}

TEST(ResponseStreamTest, AiterTextKeepsCharactersSplitAcrossChunksWhole) {
    // U+2603 SNOWMAN is E2 98 83 in UTF-8.
    Response response = streaming({"snow\xE2", "\x98", "\x83man"});
    std::vector<std::string> parts = text_chunks(response);
    std::string joined;
    for (const auto& part : parts) {
        joined += part;
        EXPECT_EQ(part.find("\xEF\xBF\xBD"), std::string::npos) << "replacement char in a chunk";
    }
    EXPECT_EQ(joined, "snow☃man");
}

TEST(ResponseStreamTest, AiterTextUsesCharset) {
    Response response = streaming({"caf\xE9", " cr\xE8me"},
                                  Headers{{"Content-Type", "text/plain; charset=latin-1"}});
    std::string joined;
    for (const auto& part : text_chunks(response)) joined += part;
    EXPECT_EQ(joined, "café crème");
}

TEST(ResponseStreamTest, AiterLines) {
    EXPECT_EQ(run_async(read_lines(with_content("Hello,\nworld!"))),
              (std::vector<std::string>{"Hello,", "world!"}));
}

TEST(ResponseStreamTest, AiterLinesAcrossChunksAndLineEndings) {
    Response response = streaming({"first\r", "\nsecond\rthi", "rd\n\nfifth", "\r\n"});
    EXPECT_EQ(run_async(read_lines(response)),
              (std::vector<std::string>{"first", "second", "third", "", "fifth"}));
}

// ---------------------------------------------------------------------------------------------
// Closing, close handlers and elapsed

TEST(ResponseStreamTest, AcloseRunsTheStreamCloseHandlerOnce) {
    auto calls = std::make_shared<int>(0);
    httpx::AsyncByteStream stream(generate({"abc"}));
    stream.set_close_handler([calls] { ++*calls; });
    ResponseOptions options;
    options.stream = stream;
    Response response(200, std::move(options));
    EXPECT_EQ(*calls, 0);
    run_async(aclose(response));
    EXPECT_EQ(*calls, 1);
    run_async(aclose(response));
    response.close();
    EXPECT_EQ(*calls, 1);
}

TEST(ResponseStreamTest, ReadingToTheEndClosesTheStream) {
    auto calls = std::make_shared<int>(0);
    httpx::AsyncByteStream stream(generate({"abc", "def"}));
    stream.set_close_handler([calls] { ++*calls; });
    ResponseOptions options;
    options.stream = std::move(stream);
    Response response(200, std::move(options));
    EXPECT_EQ(run_async(aread(response)), "abcdef");
    EXPECT_EQ(*calls, 1);
    EXPECT_TRUE(response.is_closed());
}

TEST(ResponseStreamTest, DroppingAnUnreadResponseClosesItsStream) {
    auto calls = std::make_shared<int>(0);
    {
        httpx::AsyncByteStream stream(generate({"abc"}));
        stream.set_close_handler([calls] { ++*calls; });
        ResponseOptions options;
        options.stream = std::move(stream);
        Response response(200, std::move(options));
        Response copy = response;
        { Response another = copy; }
        EXPECT_EQ(*calls, 0);
    }
    EXPECT_EQ(*calls, 1);
}

// A chunk source that counts how often it was pulled.
struct CountingSource {
    std::shared_ptr<int> pulls;

    static httpx::awaitable<std::optional<Bytes>> step(std::shared_ptr<int> pulls) {
        ++*pulls;
        co_return Bytes("chunk");
    }
    httpx::awaitable<std::optional<Bytes>> operator()() { return step(pulls); }
};

httpx::awaitable<void> close_mid_stream(Response response, std::shared_ptr<int> pulls) {
    auto chunks = response.aiter_bytes();
    auto first = co_await chunks.next();
    EXPECT_EQ(first, "chunk");
    EXPECT_EQ(*pulls, 1);
    co_await response.aclose();
    bool closed = false;
    try {
        co_await chunks.next();
    } catch (const httpx::StreamClosed&) {
        closed = true;
    }
    EXPECT_TRUE(closed) << "next() after aclose() did not throw StreamClosed";
    EXPECT_EQ(*pulls, 1) << "the body was read on after aclose()";
}

TEST(ResponseStreamTest, ReadingOnAfterAcloseThrowsStreamClosed) {
    // An endless body: closing must stop the download, not drain it.
    auto pulls = std::make_shared<int>(0);
    ResponseOptions options;
    options.stream = httpx::AsyncByteStream(CountingSource{pulls});
    run_async(close_mid_stream(Response(200, std::move(options)), pulls));
}

TEST(ResponseStreamTest, ElapsedNotAvailableUntilClosed) {
    Response response = hello_stream();
    EXPECT_THROW(response.elapsed(), std::logic_error);
}

TEST(ResponseStreamTest, ElapsedMeasuredUntilClose) {
    Response response = hello_stream();
    httpx::detail::ResponseAccess::start_elapsed_clock(response,
                                                       std::chrono::steady_clock::now() - 50ms);
    EXPECT_THROW(response.elapsed(), std::logic_error);
    run_async(aclose(response));
    const auto elapsed = response.elapsed();
    EXPECT_GE(elapsed, 50ms);
    EXPECT_LT(elapsed, 50s);
    // Frozen at close.
    EXPECT_EQ(response.elapsed(), elapsed);
}

TEST(ResponseStreamTest, ElapsedAfterReadingToTheEnd) {
    Response response = hello_stream();
    httpx::detail::ResponseAccess::start_elapsed_clock(response, std::chrono::steady_clock::now());
    run_async(aread(response));
    EXPECT_GE(response.elapsed(), 0ms);
}

TEST(ResponseStreamTest, SetElapsed) {
    Response response(200);
    response.set_elapsed(1500ms);
    EXPECT_EQ(response.elapsed(), 1500ms);
}

}  // namespace
