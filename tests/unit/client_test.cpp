// httpx::Client over MockTransport: the policy of the sync client (HTTPX's tests/client/*
// with the sync Client): verbs, re-entrance, sync and async iterators, hooks, sync auth flows,
// sync request bodies, closing, threads sharing one client, use inside another io_context.
// Test that header file is self-contained.
#include "httpx/client.hpp"

#include "httpx/httpx.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "run_async.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// A client whose MockTransport answers 200 "METHOD URL" (+ the body it got, if any).
httpx::Client echo_client(httpx::ClientOptions options = {}) {
    options.transport = std::make_shared<httpx::MockTransport>([](httpx::Request& request) {
        std::string text = request.method() + " " + request.url().str();
        if (!request.content().empty()) text += " " + request.content();
        return httpx::Response(200, {.text = text});
    });
    return httpx::Client(std::move(options));
}

// A client whose MockTransport streams `chunks` back (one-shot, chunk by chunk).
httpx::Client streaming_client(std::vector<httpx::Bytes> chunks, httpx::Headers headers = {}) {
    httpx::ClientOptions options;
    options.transport = std::make_shared<httpx::MockTransport>(
        [chunks = std::move(chunks), headers = std::move(headers)](httpx::Request&) {
            auto at = std::make_shared<std::size_t>(0);
            httpx::AsyncByteStream body([chunks, at]() -> std::optional<httpx::Bytes> {
                if (*at == chunks.size()) return std::nullopt;
                return chunks[(*at)++];
            });
            return httpx::Response(200, {.stream = std::move(body), .headers = headers});
        });
    return httpx::Client(std::move(options));
}

TEST(Client, EveryVerbReturnsTheResponseWithItsBodyRead) {
    httpx::Client client = echo_client();
    EXPECT_EQ(client.get("https://example.org/a").text(), "GET https://example.org/a");
    EXPECT_EQ(client.options("https://example.org/").text(), "OPTIONS https://example.org/");
    EXPECT_EQ(client.head("https://example.org/").status_code(), 200);
    EXPECT_EQ(client.post("https://example.org/", {.content = "x"}).text(),
              "POST https://example.org/ x");
    EXPECT_EQ(client.put("https://example.org/", {.json = nlohmann::json{{"a", 1}}}).text(),
              "PUT https://example.org/ {\"a\":1}");
    EXPECT_EQ(client.patch("https://example.org/", {.data = {{"k", "v"}}}).text(),
              "PATCH https://example.org/ k=v");
    EXPECT_EQ(client.delete_("https://example.org/").text(), "DELETE https://example.org/");
    EXPECT_EQ(client.request("QUERY", "https://example.org/q").text(),
              "QUERY https://example.org/q");
    httpx::Response r = client.get("https://example.org/");
    EXPECT_TRUE(r.is_closed());  // read whole: the connection went back at once
    EXPECT_EQ(r.content(), "GET https://example.org/");
}

TEST(Client, BuildRequestThenSendMergesTheClientsDefaults) {
    httpx::ClientOptions options;
    options.base_url = "https://example.org/api";
    options.headers = {{"X-Client", "1"}};
    httpx::Client client = echo_client(std::move(options));
    httpx::Request request =
        client.build_request("GET", "items", {.params = httpx::QueryParams{{"q", "1"}}});
    EXPECT_EQ(request.url().str(), "https://example.org/api/items?q=1");
    EXPECT_EQ(request.headers().get("X-Client"), "1");
    httpx::Response r = client.send(request);
    EXPECT_EQ(r.text(), "GET https://example.org/api/items?q=1");
    client.set_headers({{"X-Other", "2"}});
    EXPECT_EQ(client.headers().get("X-Other"), "2");
    EXPECT_FALSE(client.headers().contains("X-Client"));
    client.set_base_url("https://example.com/v2");
    EXPECT_EQ(client.base_url().str(), "https://example.com/v2/");
    client.set_follow_redirects(true);
    EXPECT_TRUE(client.follow_redirects());
    client.set_timeout(httpx::Timeout(3s));
    EXPECT_EQ(client.timeout(), httpx::Timeout(3s));
}

TEST(Client, ExceptionsOfTheCallAreRethrownOnTheCallersThread) {
    httpx::ClientOptions options;
    options.transport = std::make_shared<httpx::MockTransport>(
        [](httpx::Request&) -> httpx::Response { throw httpx::ConnectError("refused"); });
    httpx::Client client(std::move(options));
    EXPECT_THROW(client.get("https://example.org/"), httpx::ConnectError);
    // The client still works after a failed call.
    EXPECT_THROW(client.get("https://example.org/"), httpx::ConnectError);
}

TEST(Client, ACallFromItsOwnEventHookThrowsLogicErrorInsteadOfDeadlocking) {
    httpx::Client client = echo_client();
    bool refused = false;
    httpx::EventHooks hooks;
    hooks.request.push_back([&](httpx::Request&) {
        try {
            client.get("https://example.org/inner");
        } catch (const std::logic_error&) {
            refused = true;
            throw;
        }
    });
    client.set_event_hooks(hooks);
    EXPECT_THROW(client.get("https://example.org/outer"), std::logic_error);
    EXPECT_TRUE(refused);
}

TEST(Client, ACallFromItsOwnTransportHandlerThrowsLogicError) {
    httpx::Client* self = nullptr;
    httpx::ClientOptions options;
    options.transport = std::make_shared<httpx::MockTransport>([&](httpx::Request& request) {
        if (request.url().path() == "/outer") return self->get("https://example.org/inner");
        return httpx::Response(200);
    });
    httpx::Client client(std::move(options));
    self = &client;
    try {
        client.get("https://example.org/outer");
        FAIL() << "no exception";
    } catch (const std::logic_error& e) {
        EXPECT_NE(std::string(e.what()).find("own event loop"), std::string::npos) << e.what();
    }
}

TEST(Client, PlainAndCoroutineHooksRunForEachRequest) {
    httpx::EventHooks hooks;
    std::vector<int> statuses;
    hooks.request.push_back([](httpx::Request& r) { r.headers().set("X-Hook", "plain"); });
    hooks.response.push_back([&](httpx::Response& r) { statuses.push_back(r.status_code()); });
    hooks.response.push_back([](httpx::Response& r) -> httpx::awaitable<void> {
        co_await r.aread();  // the async form works inside the loop
    });
    httpx::ClientOptions options;
    options.event_hooks = hooks;
    options.transport = std::make_shared<httpx::MockTransport>([](httpx::Request& request) {
        return httpx::Response(200, {.text = request.headers().get("X-Hook").value_or("none")});
    });
    httpx::Client client(std::move(options));
    EXPECT_EQ(client.get("https://example.org/").text(), "plain");
    EXPECT_EQ(client.get("https://example.org/").text(), "plain");
    EXPECT_EQ(statuses, (std::vector<int>{200, 200}));
}

TEST(Client, StreamIsReadWithRangeForChunkByChunk) {
    httpx::Client client = streaming_client({"one ", "two ", "three"});
    httpx::Response r = client.stream("GET", "https://example.org/");
    EXPECT_THROW(r.content(), httpx::ResponseNotRead);
    std::vector<httpx::Bytes> chunks;
    for (const httpx::Bytes& chunk : r.iter_bytes()) chunks.push_back(chunk);
    EXPECT_EQ(chunks, (std::vector<httpx::Bytes>{"one ", "two ", "three"}));
    EXPECT_TRUE(r.is_stream_consumed());
    EXPECT_THROW(r.iter_bytes(), httpx::StreamConsumed);
}

TEST(Client, IterTextLinesRawAndRead) {
    httpx::Client client = streaming_client({"first li", "ne\nsecond\r", "\nthird"});
    {
        httpx::Response r = client.stream("GET", "https://example.org/");
        std::vector<std::string> lines;
        for (const std::string& line : r.iter_lines()) lines.push_back(line);
        EXPECT_EQ(lines, (std::vector<std::string>{"first line", "second", "third"}));
    }
    {
        httpx::Response r = client.stream("GET", "https://example.org/");
        std::string text;
        for (const std::string& piece : r.iter_text(4)) {
            EXPECT_LE(piece.size(), 4u);
            text += piece;
        }
        EXPECT_EQ(text, "first line\nsecond\r\nthird");
    }
    {
        httpx::Response r = client.stream("GET", "https://example.org/");
        std::size_t n = 0;
        for (const httpx::Bytes& raw : r.iter_raw()) n += raw.size();
        EXPECT_EQ(n, 24u);
    }
    {
        httpx::Response r =
            client.send(client.build_request("GET", "https://example.org/"), {.stream = true});
        EXPECT_EQ(r.read(), "first line\nsecond\r\nthird");
        EXPECT_EQ(r.text(), "first line\nsecond\r\nthird");
    }
}

TEST(Client, ClosingAStreamedResponseEndsItsIteration) {
    httpx::Client client = streaming_client({"a", "b", "c"});
    httpx::Response r = client.stream("GET", "https://example.org/");
    r.close();
    EXPECT_TRUE(r.is_closed());
    EXPECT_THROW(r.iter_bytes(), httpx::StreamClosed);
}

TEST(Client, ASyncIteratorOnAnAsyncClientsStreamIsALogicError) {
    httpx::ClientOptions options;
    options.transport = std::make_shared<httpx::MockTransport>([](httpx::Request&) {
        return httpx::Response(
            200, {.stream = httpx::AsyncByteStream(std::vector<httpx::Bytes>{"x", "y"})});
    });
    httpx::AsyncClient client(std::move(options));
    asio::io_context io;
    auto future =
        asio::co_spawn(io, client.stream("GET", "https://example.org/"), asio::use_future);
    io.run();
    httpx::Response r = future.get();
    try {
        r.iter_bytes();
        FAIL() << "no exception";
    } catch (const std::logic_error& e) {
        EXPECT_STREQ(e.what(), "Attempted to call a sync iterator on an async stream.");
    }
    EXPECT_THROW(r.read(), std::logic_error);
    EXPECT_THROW(r.iter_lines(), std::logic_error);
}

TEST(Client, AnAsyncIteratorOnAClientsStreamIsALogicError) {
    httpx::Client client = streaming_client({"x"});
    httpx::Response r = client.stream("GET", "https://example.org/");
    try {
        r.aiter_bytes();
        FAIL() << "no exception";
    } catch (const std::logic_error& e) {
        EXPECT_STREQ(e.what(), "Attempted to call an async iterator on a sync stream.");
    }
    EXPECT_THROW(r.aiter_raw(), std::logic_error);
    EXPECT_THROW(r.aiter_text(), std::logic_error);
    // Once read, the content is in memory: both forms work.
    EXPECT_EQ(r.read(), "x");
    auto chunks = r.aiter_bytes();
    EXPECT_EQ(httpx::test::run_async(chunks.next()), "x");
}

TEST(Client, AHandBuiltResponseWithContentAllowsBothForms) {
    httpx::Response r(200, {.text = "a\nb"});
    std::vector<std::string> lines;
    for (const auto& line : r.iter_lines()) lines.push_back(line);
    EXPECT_EQ(lines, (std::vector<std::string>{"a", "b"}));
    std::string bytes;
    for (const auto& chunk : r.iter_bytes(1)) bytes += chunk + "|";
    EXPECT_EQ(bytes, "a|\n|b|");
    auto async_lines = r.aiter_lines();
    EXPECT_EQ(httpx::test::run_async(async_lines.next()), "a");
    EXPECT_EQ(r.read(), "a\nb");
    // A hand-built streamed body is an async stream (no client loop to drive it).
    httpx::Response streamed(200,
                             {.stream = httpx::AsyncByteStream(std::vector<httpx::Bytes>{"z"})});
    EXPECT_THROW(streamed.iter_bytes(), std::logic_error);
}

// A custom auth written without coroutines: a token on the first try, a second round with a
// fresh token on 401.
struct TokenAuth : httpx::SyncAuth {
    int rounds = 0;
    void on_request(httpx::Request& request) override {
        request.headers().set("Authorization", "Bearer stale");
    }
    std::optional<httpx::Request> on_response(const httpx::Request& request,
                                              httpx::Response& response) override {
        ++rounds;
        if (response.status_code() != 401) return std::nullopt;
        httpx::Request next = request;
        next.headers().set("Authorization", "Bearer fresh");
        return next;
    }
};

TEST(Client, ASyncAuthFlowSendsASecondRoundAndKeepsTheFirstInHistory) {
    auto auth = std::make_shared<TokenAuth>();
    httpx::ClientOptions options;
    options.auth = std::shared_ptr<httpx::Auth>(auth);
    options.transport = std::make_shared<httpx::MockTransport>([](httpx::Request& request) {
        const bool fresh = request.headers().get("Authorization") == "Bearer fresh";
        return httpx::Response(fresh ? 200 : 401, {.text = fresh ? "welcome" : "denied"});
    });
    httpx::Client client(std::move(options));
    httpx::Response r = client.get("https://example.org/");
    EXPECT_EQ(r.status_code(), 200);
    EXPECT_EQ(r.text(), "welcome");
    ASSERT_EQ(r.history().size(), 1u);
    EXPECT_EQ(r.history()[0].status_code(), 401);
    EXPECT_EQ(r.history()[0].text(), "denied");  // read before the next round
    EXPECT_EQ(auth->rounds, 2);

    // The same flow works with an AsyncClient.
    httpx::ClientOptions async_options;
    async_options.auth = std::shared_ptr<httpx::Auth>(auth);
    async_options.transport = std::make_shared<httpx::MockTransport>(
        [](httpx::Request&) { return httpx::Response(200); });
    httpx::AsyncClient async_client(std::move(async_options));
    EXPECT_EQ(httpx::test::run_async(async_client.get("https://example.org/")).status_code(), 200);
    EXPECT_EQ(auth->rounds, 3);
}

TEST(Client, SyncRequestBodiesFromACallableAndFromAVector) {
    httpx::Client client = echo_client();
    int pieces = 0;
    httpx::AsyncByteStream from_callable([&pieces]() -> std::optional<httpx::Bytes> {
        if (pieces == 3) return std::nullopt;
        return "part" + std::to_string(pieces++);
    });
    EXPECT_EQ(client.post("https://example.org/", {.content = from_callable}).text(),
              "POST https://example.org/ part0part1part2");
    EXPECT_FALSE(from_callable.length().has_value());
    EXPECT_FALSE(from_callable.is_replayable());

    httpx::AsyncByteStream from_vector(std::vector<httpx::Bytes>{"a", "b", "c"});
    EXPECT_TRUE(from_vector.is_replayable());  // as HTTPX's list of bytes
    EXPECT_EQ(client.put("https://example.org/", {.content = from_vector}).text(),
              "PUT https://example.org/ abc");
    EXPECT_EQ(client.put("https://example.org/", {.content = from_vector}).text(),
              "PUT https://example.org/ abc");
    httpx::Request request = client.build_request(
        "POST", "https://example.org/", {.content = std::vector<std::string_view>{"x", "y"}});
    EXPECT_EQ(request.headers().get("Transfer-Encoding"), "chunked");
    EXPECT_FALSE(request.headers().contains("Content-Length"));
}

// Counts aclose() calls.
struct ClosingTransport : httpx::AsyncBaseTransport {
    std::atomic<int> closed{0};
    httpx::awaitable<httpx::Response> handle_async_request(httpx::Request&) override {
        co_return httpx::Response(204);
    }
    httpx::awaitable<void> aclose() override {
        ++closed;
        co_return;
    }
};

TEST(Client, CloseClosesTheTransportsOnceAndTheDestructorCloses) {
    auto transport = std::make_shared<ClosingTransport>();
    {
        httpx::ClientOptions options;
        options.transport = transport;
        httpx::Client client(std::move(options));
        EXPECT_EQ(client.get("https://example.org/").status_code(), 204);
        EXPECT_FALSE(client.is_closed());
        client.close();
        client.close();
        EXPECT_TRUE(client.is_closed());
        EXPECT_EQ(transport->closed, 1);
        EXPECT_THROW(client.get("https://example.org/"), std::logic_error);
    }
    EXPECT_EQ(transport->closed, 1);
    {
        httpx::ClientOptions options;
        options.transport = transport;
        httpx::Client client(std::move(options));
        httpx::Client moved = std::move(client);
        EXPECT_EQ(moved.get("https://example.org/").status_code(), 204);
    }
    EXPECT_EQ(transport->closed, 2);
}

TEST(Client, AStreamedResponseOutlivesItsClient) {
    httpx::Response r = [] {
        httpx::Client client = streaming_client({"still ", "here"});
        return client.stream("GET", "https://example.org/");
    }();
    std::string body;
    for (const auto& chunk : r.iter_bytes()) body += chunk;
    EXPECT_EQ(body, "still here");
}

TEST(Client, WorksInsideAHandlerOfAnotherIoContext) {
    httpx::Client client = echo_client();
    asio::io_context other;
    std::string text;
    bool other_ran_on_this_thread = false;
    asio::post(other, [&] {
        text = client.get("https://example.org/nested").text();  // blocks this handler
        other_ran_on_this_thread = other.get_executor().running_in_this_thread();
    });
    other.run();
    EXPECT_EQ(text, "GET https://example.org/nested");
    EXPECT_TRUE(other_ran_on_this_thread);
}

// A client whose requests take /ms/N milliseconds (a timer on the client's loop).
httpx::Client sleeping_client() {
    httpx::ClientOptions options;
    options.transport = std::make_shared<httpx::MockTransport>(
        [](httpx::Request& request) -> httpx::awaitable<httpx::Response> {
            const int ms = std::stoi(request.url().path().substr(4));
            co_await httpx::sleep(std::chrono::milliseconds(ms));
            co_return httpx::Response(200, {.text = std::to_string(ms)});
        });
    return httpx::Client(std::move(options));
}

// The research's measurement (next-features.md 6.2) as a test: thread B waits for a 1000 ms
// call; thread A's 50 ms call, started meanwhile, returns long before B's ends. A naive
// `while (!done) io.run_one()` per thread returns A after ~1000 ms.
TEST(ClientThreads, AShortCallIsNotKeptRunningAnotherThreadsLongCall) {
    httpx::Client client = sleeping_client();
    const auto start = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration long_took{}, short_took{};
    std::thread long_call([&] {
        EXPECT_EQ(client.get("https://example.org/ms/1000").text(), "1000");
        long_took = std::chrono::steady_clock::now() - start;
    });
    std::this_thread::sleep_for(50ms);  // B leads the loop by now
    const auto short_start = std::chrono::steady_clock::now();
    EXPECT_EQ(client.get("https://example.org/ms/50").text(), "50");
    short_took = std::chrono::steady_clock::now() - short_start;
    long_call.join();
    EXPECT_LT(short_took, 600ms);
    EXPECT_GE(long_took, 1000ms);
}

TEST(ClientThreads, EightThreadsShareOneClient) {
    httpx::Client client = sleeping_client();
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 20; ++i) {
                const int ms = (t + i) % 3;
                ok += client.get("https://example.org/ms/" + std::to_string(ms)).text() ==
                      std::to_string(ms);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(ok, 160);
}

TEST(ClientThreads, AStreamedResponseIsReadOnAnotherThreadWhileCallsRun) {
    httpx::Client client = streaming_client({"a", "b", "c", "d"});
    httpx::Response r = client.stream("GET", "https://example.org/");
    std::thread other([&] {
        for (int i = 0; i < 20; ++i)
            EXPECT_EQ(client.get("https://example.org/").status_code(), 200);
    });
    std::string body;
    for (const auto& chunk : r.iter_bytes()) body += chunk;
    other.join();
    EXPECT_EQ(body, "abcd");
}

}  // namespace

namespace {

// The client state HTTPX lets a program change in place, through the sync Client: the jar is
// the client's own (a cookie set on it is sent, a cookie a response sets is in it), a default
// header erased is no longer sent, and the getters answer as AsyncClient's.
TEST(Client, CookiesAndHeadersAreTheClientsOwnStateChangedInPlace) {
    httpx::ClientOptions options;
    options.transport = std::make_shared<httpx::MockTransport>([](httpx::Request& request) {
        httpx::ResponseOptions response;
        response.text = request.headers().get("Cookie").value_or("-") + " | " +
                        request.headers().get("User-Agent").value_or("-");
        response.headers = {{"Set-Cookie", "from_server=1; Path=/"}};
        return httpx::Response(200, response);
    });
    options.trust_env = false;
    options.auth = httpx::BasicAuth("user", "pass");
    httpx::Client client(std::move(options));
    EXPECT_FALSE(client.trust_env());
    EXPECT_NE(std::dynamic_pointer_cast<httpx::BasicAuth>(client.auth()), nullptr);

    client.cookies().set("token", "abc", "example.org");
    client.headers().erase("User-Agent");
    EXPECT_EQ(client.get("https://example.org/").text(), "token=abc | -");
    EXPECT_EQ(client.cookies().get("from_server"), "1");
    EXPECT_EQ(client.get("https://example.org/").text(), "token=abc; from_server=1 | -");
}

}  // namespace
