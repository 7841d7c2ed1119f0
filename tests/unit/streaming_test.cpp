// Streaming through httpx::AsyncClient: streamed responses (client.stream, aiter_*), releasing
// unread bodies, streamed request bodies (callables, forwarded responses, AsyncGenerator) and
// AppTransport streaming both ways.
#include "httpx/httpx.hpp"

#include <gtest/gtest.h>

#include <zlib.h>

#include "run_async.hpp"

#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using httpx::test::run_async;

namespace {

using Log = std::shared_ptr<std::vector<std::string>>;

// A one-shot body producing `chunks` one by one, logging "pull <chunk>" and counting closes.
httpx::AsyncByteStream chunked_body(std::vector<std::string> chunks, Log log = nullptr,
                                    std::shared_ptr<int> closes = nullptr) {
    auto state =
        std::make_shared<std::pair<std::vector<std::string>, std::size_t>>(std::move(chunks), 0);
    httpx::AsyncByteStream body([state, log]() -> httpx::awaitable<std::optional<httpx::Bytes>> {
        if (state->second == state->first.size()) co_return std::nullopt;
        std::string chunk = state->first[state->second++];
        if (log) log->push_back("pull " + chunk);
        co_return chunk;
    });
    if (closes) body.set_close_handler([closes] { ++*closes; });
    return body;
}

httpx::Response streamed_response(std::vector<std::string> chunks, httpx::Headers headers = {},
                                  Log log = nullptr, std::shared_ptr<int> closes = nullptr) {
    httpx::ResponseOptions options;
    options.stream = chunked_body(std::move(chunks), std::move(log), std::move(closes));
    options.headers = std::move(headers);
    return httpx::Response(200, std::move(options));
}

httpx::AsyncClient client_with(std::shared_ptr<httpx::AsyncBaseTransport> transport) {
    httpx::ClientOptions options;
    options.transport = std::move(transport);
    return httpx::AsyncClient(std::move(options));
}

template <class T>
httpx::awaitable<std::vector<T>> collect(httpx::AsyncIterator<T> it) {
    std::vector<T> out;
    while (auto value = co_await it.next()) out.push_back(std::move(*value));
    co_return out;
}

std::string zlib_compress(const std::string& data) {
    uLongf size = compressBound(static_cast<uLong>(data.size()));
    std::string out(size, '\0');
    EXPECT_EQ(
        compress(reinterpret_cast<Bytef*>(out.data()), &size,
                 reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size())),
        Z_OK);
    out.resize(size);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Streamed responses

TEST(Streaming, StreamReturnsHeadersWithTheBodyUnread) {
    Log log = std::make_shared<std::vector<std::string>>();
    auto transport = std::make_shared<httpx::MockTransport>([log](httpx::Request&) {
        return streamed_response({"hello ", "world"},
                                 httpx::Headers{{"Content-Type", "text/plain"}}, log);
    });
    auto client = client_with(transport);
    run_async([&]() -> httpx::awaitable<void> {
        httpx::Response response = co_await client.stream("GET", "https://example.org/");
        EXPECT_EQ(response.status_code(), 200);
        EXPECT_EQ(response.headers().get("Content-Type"), "text/plain");
        EXPECT_TRUE(log->empty());  // nothing of the body pulled yet
        EXPECT_THROW((void)response.content(), httpx::ResponseNotRead);
        EXPECT_FALSE(response.is_stream_consumed());
        EXPECT_FALSE(response.is_closed());

        auto chunks = response.aiter_bytes();
        auto first = co_await chunks.next();
        EXPECT_EQ(first, "hello ");
        EXPECT_EQ(*log, std::vector<std::string>{"pull hello "});  // pulled on demand
        auto second = co_await chunks.next();
        EXPECT_EQ(second, "world");
        auto end = co_await chunks.next();
        EXPECT_FALSE(end);
        EXPECT_TRUE(response.is_stream_consumed());
        EXPECT_TRUE(response.is_closed());
        EXPECT_EQ(response.num_bytes_downloaded(), 11u);
        EXPECT_THROW(response.aiter_bytes(), httpx::StreamConsumed);
    }());
}

TEST(Streaming, AiterTextAndLinesThroughTheClient) {
    auto transport = std::make_shared<httpx::MockTransport>([](httpx::Request& request) {
        if (request.url().path() == "/lines")
            return streamed_response({"first\nsec", "ond\r", "\nthird\n", "fourth"});
        // "héllo wörld" in UTF-8 with the multi-byte characters split across chunks.
        return streamed_response({"h\xC3", "\xA9llo w\xC3", "\xB6rld"},
                                 httpx::Headers{{"Content-Type", "text/plain; charset=utf-8"}});
    });
    auto client = client_with(transport);
    run_async([&]() -> httpx::awaitable<void> {
        httpx::Response text = co_await client.stream("GET", "https://example.org/text");
        auto text_chunks = text.aiter_text();
        std::vector<std::string> pieces = co_await collect(std::move(text_chunks));
        std::string joined;
        for (const auto& piece : pieces) joined += piece;
        EXPECT_EQ(joined, "h\xC3\xA9llo w\xC3\xB6rld");

        httpx::Response sized = co_await client.stream("GET", "https://example.org/text");
        auto four = sized.aiter_text(4);
        std::vector<std::string> by_four = co_await collect(std::move(four));
        EXPECT_EQ(by_four, (std::vector<std::string>{"h\xC3\xA9ll", "o w\xC3\xB6", "rld"}));

        httpx::Response lines = co_await client.stream("GET", "https://example.org/lines");
        auto line_iterator = lines.aiter_lines();
        std::vector<std::string> got = co_await collect(std::move(line_iterator));
        EXPECT_EQ(got, (std::vector<std::string>{"first", "second", "third", "fourth"}));
    }());
}

TEST(Streaming, AiterRawSkipsContentDecoding) {
    const std::string plain = "compressed payload, compressed payload, compressed payload";
    const std::string deflated = zlib_compress(plain);
    auto transport = std::make_shared<httpx::MockTransport>([deflated](httpx::Request&) {
        std::size_t half = deflated.size() / 2;
        return streamed_response({deflated.substr(0, half), deflated.substr(half)},
                                 httpx::Headers{{"Content-Encoding", "deflate"}});
    });
    auto client = client_with(transport);
    run_async([&]() -> httpx::awaitable<void> {
        httpx::Response raw = co_await client.stream("GET", "https://example.org/");
        std::string raw_bytes;
        auto raw_iterator = raw.aiter_raw();
        std::vector<std::string> raw_chunks = co_await collect(std::move(raw_iterator));
        for (const auto& chunk : raw_chunks) raw_bytes += chunk;
        EXPECT_EQ(raw_bytes, deflated);

        httpx::Response decoded = co_await client.stream("GET", "https://example.org/");
        std::string decoded_bytes;
        auto decoded_iterator = decoded.aiter_bytes();
        std::vector<std::string> decoded_chunks = co_await collect(std::move(decoded_iterator));
        for (const auto& chunk : decoded_chunks) decoded_bytes += chunk;
        EXPECT_EQ(decoded_bytes, plain);
        EXPECT_EQ(decoded.num_bytes_downloaded(), deflated.size());

        httpx::Response sized = co_await client.stream("GET", "https://example.org/");
        auto ten = sized.aiter_bytes(10);
        std::vector<std::string> by_ten = co_await collect(std::move(ten));
        EXPECT_FALSE(by_ten.empty());
        for (std::size_t i = 0; i + 1 < by_ten.size(); ++i) EXPECT_EQ(by_ten[i].size(), 10u);
        std::string rejoined;
        for (const auto& chunk : by_ten) rejoined += chunk;
        EXPECT_EQ(rejoined, plain);

        // The client reads and decodes the body when not streaming.
        httpx::Response read = co_await client.get("https://example.org/");
        EXPECT_EQ(read.content(), plain);
    }());
}

TEST(Streaming, UnreadStreamedResponseIsReleasedWhenItGoesOutOfScope) {
    auto closes = std::make_shared<int>(0);
    Log log = std::make_shared<std::vector<std::string>>();
    auto transport = std::make_shared<httpx::MockTransport>([closes, log](httpx::Request&) {
        return streamed_response({"a", "b", "c"}, {}, log, closes);
    });
    auto client = client_with(transport);

    {
        httpx::Response response = run_async(client.stream("GET", "https://example.org/"));
        EXPECT_EQ(*closes, 0);
    }
    EXPECT_EQ(*closes, 1);
    EXPECT_TRUE(log->empty());

    // Partly read, then dropped: released, and nothing more is pulled.
    run_async([&]() -> httpx::awaitable<void> {
        httpx::Response response = co_await client.stream("GET", "https://example.org/");
        auto chunks = response.aiter_raw();
        auto first = co_await chunks.next();
        EXPECT_EQ(first, "a");
        EXPECT_EQ(*closes, 1);
    }());
    EXPECT_EQ(*closes, 2);
    EXPECT_EQ(*log, std::vector<std::string>{"pull a"});

    // Closed explicitly: released at once; reading afterwards is StreamClosed.
    run_async([&]() -> httpx::awaitable<void> {
        httpx::Response response = co_await client.stream("GET", "https://example.org/");
        co_await response.aclose();
        EXPECT_EQ(*closes, 3);
        EXPECT_TRUE(response.is_closed());
        EXPECT_THROW(response.aiter_bytes(), httpx::StreamClosed);
    }());
    EXPECT_EQ(*closes, 3);

    // Read in full by the client: released as soon as the body is in.
    httpx::Response read = run_async(client.get("https://example.org/"));
    EXPECT_EQ(read.content(), "abc");
    EXPECT_EQ(*closes, 4);
    EXPECT_TRUE(read.is_closed());
}

TEST(Streaming, FailingResponseHookReleasesTheStreamedBody) {
    auto closes = std::make_shared<int>(0);
    auto transport = std::make_shared<httpx::MockTransport>([closes](httpx::Request&) {
        httpx::ResponseOptions options;
        options.stream = chunked_body({"not found"}, nullptr, closes);
        return httpx::Response(404, std::move(options));
    });
    httpx::ClientOptions options;
    options.transport = transport;
    options.event_hooks.response.emplace_back(
        [](httpx::Response& response) { response.raise_for_status(); });
    httpx::AsyncClient client(std::move(options));
    EXPECT_THROW(run_async(client.stream("GET", "https://example.org/")), httpx::HTTPStatusError);
    EXPECT_EQ(*closes, 1);
}

TEST(Streaming, RedirectResponsesInHistoryAreReadAndReleased) {
    auto closes = std::make_shared<int>(0);
    auto transport = std::make_shared<httpx::MockTransport>([closes](httpx::Request& request) {
        if (request.url().path() == "/final") return streamed_response({"final"});
        httpx::ResponseOptions options;
        options.stream = chunked_body({"moved"}, nullptr, closes);
        options.headers = httpx::Headers{{"Location", "/final"}};
        return httpx::Response(302, std::move(options));
    });
    auto client = client_with(transport);
    httpx::RequestOptions follow;
    follow.follow_redirects = true;
    httpx::Response response = run_async(client.stream("GET", "https://example.org/", follow));
    EXPECT_EQ(*closes, 1);
    ASSERT_EQ(response.history().size(), 1u);
    EXPECT_EQ(response.history()[0].content(), "moved");
    EXPECT_THROW((void)response.content(), httpx::ResponseNotRead);
    EXPECT_EQ(run_async(response.aread()), "final");
}

// ---------------------------------------------------------------------------------------------
// Streaming request bodies

// An application logging each request chunk as it arrives ("recv <chunk>"), answering with the
// request's Transfer-Encoding and Content-Length.
std::shared_ptr<httpx::AppTransport> logging_app(Log log) {
    return std::make_shared<httpx::AppTransport>(
        [log](httpx::Request& request) -> httpx::awaitable<httpx::Response> {
            // The body is still streaming when the application gets the request.
            bool unread = false;
            try {
                (void)request.content();
            } catch (const httpx::RequestNotRead&) {
                unread = true;
            }
            log->push_back(unread ? "app: body unread" : "app: body in memory");
            std::string body;
            auto chunks = request.stream().aiter();
            while (auto chunk = co_await chunks.next()) {
                log->push_back("recv " + *chunk);
                body += *chunk;
            }
            httpx::ResponseOptions options;
            options.json = {
                {"body", body},
                {"transfer-encoding", request.headers().get("Transfer-Encoding").value_or("")},
                {"content-length", request.headers().get("Content-Length").value_or("")}};
            co_return httpx::Response(200, std::move(options));
        });
}

TEST(Streaming, RequestBodyFromAPullCallable) {
    Log log = std::make_shared<std::vector<std::string>>();
    auto client = client_with(logging_app(log));
    httpx::RequestOptions options;
    options.content = chunked_body({"one", "two", "three"}, log);
    httpx::Response response = run_async(client.post("https://app/upload", options));
    EXPECT_EQ(response.json()["body"], "onetwothree");
    EXPECT_EQ(response.json()["transfer-encoding"], "chunked");
    EXPECT_EQ(response.json()["content-length"], "");
    // Pulled chunk by chunk as the application reads: never buffered first.
    EXPECT_EQ(*log, (std::vector<std::string>{"app: body unread", "pull one", "recv one",
                                              "pull two", "recv two", "pull three", "recv three"}));
}

TEST(Streaming, RequestBodyForwardedFromAnotherResponseWithoutBuffering) {
    Log log = std::make_shared<std::vector<std::string>>();
    auto download_closes = std::make_shared<int>(0);
    httpx::ClientOptions options;
    options.transport = logging_app(log);
    options.mounts = {
        {"https://download",
         std::make_shared<httpx::MockTransport>([log, download_closes](httpx::Request&) {
             return streamed_response({"c1", "c2", "c3"}, {}, log, download_closes);
         })}};
    httpx::AsyncClient client(std::move(options));
    run_async([&]() -> httpx::awaitable<void> {
        httpx::Response download = co_await client.stream("GET", "https://download/file");
        httpx::RequestOptions upload;
        upload.content = httpx::AsyncByteStream(download.aiter_bytes());
        httpx::Response result = co_await client.put("https://app/store", upload);
        EXPECT_EQ(result.json()["body"], "c1c2c3");
        EXPECT_EQ(result.json()["transfer-encoding"], "chunked");
        EXPECT_TRUE(download.is_stream_consumed());
    }());
    EXPECT_EQ(*log, (std::vector<std::string>{"app: body unread", "pull c1", "recv c1", "pull c2",
                                              "recv c2", "pull c3", "recv c3"}));
    EXPECT_EQ(*download_closes, 1);
}

httpx::AsyncGenerator<httpx::Bytes> sleepy_upload(Log log) {
    for (int i = 0; i < 3; ++i) {
        co_await httpx::sleep(2ms);
        log->push_back("yield " + std::to_string(i));
        co_yield "chunk " + std::to_string(i);
    }
}

TEST(Streaming, RequestBodyFromAnAsyncGenerator) {
    Log log = std::make_shared<std::vector<std::string>>();
    auto client = client_with(logging_app(log));
    run_async([&]() -> httpx::awaitable<void> {
        httpx::RequestOptions options;
        options.content = httpx::AsyncByteStream(sleepy_upload(log));
        auto start = std::chrono::steady_clock::now();
        httpx::Response response = co_await client.post("https://app/upload", options);
        EXPECT_GE(std::chrono::steady_clock::now() - start, 6ms);  // it did await its sleeps
        EXPECT_EQ(response.json()["body"], "chunk 0chunk 1chunk 2");
        EXPECT_EQ(response.json()["transfer-encoding"], "chunked");
    }());
    EXPECT_EQ(*log,
              (std::vector<std::string>{"app: body unread", "yield 0", "recv chunk 0", "yield 1",
                                        "recv chunk 1", "yield 2", "recv chunk 2"}));
}

TEST(Streaming, MockTransportReadsAGeneratorBodyBeforeTheHandler) {
    Log log = std::make_shared<std::vector<std::string>>();
    auto transport = std::make_shared<httpx::MockTransport>([log](httpx::Request& request) {
        log->push_back("handler sees " + request.content());
        return httpx::Response(200);
    });
    auto client = client_with(transport);
    httpx::RequestOptions options;
    options.content = httpx::AsyncByteStream(sleepy_upload(log));
    run_async(client.post("https://example.org/", options));
    EXPECT_EQ(*log, (std::vector<std::string>{"yield 0", "yield 1", "yield 2",
                                              "handler sees chunk 0chunk 1chunk 2"}));
}

// ---------------------------------------------------------------------------------------------
// AppTransport

httpx::AsyncGenerator<httpx::Bytes> app_chunks(Log log) {
    for (int i = 0; i < 3; ++i) {
        co_await httpx::sleep(1ms);
        log->push_back("app yields " + std::to_string(i));
        co_yield "part" + std::to_string(i) + "\n";
    }
}

TEST(StreamingAppTransport, AppAnswersWithAStreamedBody) {
    Log log = std::make_shared<std::vector<std::string>>();
    auto app = std::make_shared<httpx::AppTransport>([log](httpx::Request& request) {
        httpx::ResponseOptions options;
        options.stream = httpx::AsyncByteStream(app_chunks(log));
        options.headers = httpx::Headers{{"X-Path", request.url().path()}};
        return httpx::Response(200, std::move(options));
    });
    auto client = client_with(app);
    run_async([&]() -> httpx::awaitable<void> {
        httpx::Response response = co_await client.stream("GET", "https://app/events");
        EXPECT_EQ(response.headers().get("X-Path"), "/events");
        EXPECT_TRUE(log->empty());
        auto lines = response.aiter_lines();
        while (auto line = co_await lines.next()) log->push_back("client got " + *line);
    }());
    EXPECT_EQ(*log,
              (std::vector<std::string>{"app yields 0", "client got part0", "app yields 1",
                                        "client got part1", "app yields 2", "client got part2"}));

    // Read in full without streaming.
    log->clear();
    EXPECT_EQ(run_async(client.get("https://app/events")).text(), "part0\npart1\npart2\n");
}

TEST(StreamingAppTransport, AppExceptionsPropagateByDefault) {
    auto app = [](httpx::Request&) -> httpx::Response { throw std::runtime_error("app failed"); };
    auto client = client_with(std::make_shared<httpx::AppTransport>(app));
    try {
        run_async(client.get("https://app/"));
        ADD_FAILURE() << "expected the application's exception";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "app failed");
    }

    httpx::AppTransport::Options quiet;
    quiet.raise_app_exceptions = false;
    auto quiet_client = client_with(std::make_shared<httpx::AppTransport>(app, quiet));
    httpx::Response response = run_async(quiet_client.get("https://app/"));
    EXPECT_EQ(response.status_code(), 500);
    EXPECT_EQ(response.reason_phrase(), "Internal Server Error");
    EXPECT_TRUE(response.is_server_error());
}

TEST(StreamingAppTransport, AsyncAppExceptionAfterSuspendingBecomes500) {
    httpx::AppTransport::Options quiet;
    quiet.raise_app_exceptions = false;
    auto app = std::make_shared<httpx::AppTransport>(
        [](httpx::Request&) -> httpx::awaitable<httpx::Response> {
            co_await httpx::sleep(1ms);
            throw httpx::ReadError("app-side failure");
        },
        quiet);
    auto client = client_with(app);
    EXPECT_EQ(run_async(client.post("https://app/")).status_code(), 500);
}

TEST(StreamingAppTransport, HeadResponseBodyIsDropped) {
    auto closes = std::make_shared<int>(0);
    auto app = std::make_shared<httpx::AppTransport>([closes](httpx::Request& request) {
        if (request.url().path() == "/streamed") {
            httpx::ResponseOptions options;
            options.stream = chunked_body({"body"}, nullptr, closes);
            options.headers = httpx::Headers{{"X-App", "streamed"}};
            return httpx::Response(200, std::move(options));
        }
        httpx::ResponseOptions options;
        options.content = "hello";
        options.headers = httpx::Headers{{"X-App", "1"}};
        return httpx::Response(200, std::move(options));
    });
    auto client = client_with(app);
    httpx::Response head = run_async(client.head("https://app/"));
    EXPECT_EQ(head.status_code(), 200);
    EXPECT_EQ(head.content(), "");
    EXPECT_EQ(head.headers().get("X-App"), "1");
    EXPECT_EQ(head.headers().get("Content-Length"), "5");

    httpx::Response streamed = run_async(client.head("https://app/streamed"));
    EXPECT_EQ(streamed.content(), "");
    EXPECT_EQ(streamed.headers().get("X-App"), "streamed");
    EXPECT_EQ(*closes, 1);  // the app's body was released unread

    EXPECT_EQ(run_async(client.get("https://app/")).content(), "hello");
}

TEST(StreamingAppTransport, AppSeesRootPathAndClientExtensions) {
    httpx::AppTransport::Options options;
    options.root_path = "/mount";
    options.client = "10.0.0.1:5555";
    auto app = std::make_shared<httpx::AppTransport>(
        [](httpx::Request& request) {
            httpx::ResponseOptions out;
            out.text = std::any_cast<std::string>(request.extensions().at("root_path")) + " " +
                       std::any_cast<std::string>(request.extensions().at("client"));
            return httpx::Response(200, std::move(out));
        },
        options);
    auto client = client_with(app);
    EXPECT_EQ(run_async(client.get("https://app/")).text(), "/mount 10.0.0.1:5555");
}

}  // namespace
