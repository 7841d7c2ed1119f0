// protocol::Http11Exchange, end to end with byte strings: the request as it goes on the wire (head,
// body framing, target), the response fed in pieces, the cycle's state after each step and the
// keep-alive verdict at its end. No socket, no coroutine.
#include "protocol/http11_exchange.hpp"

#include <httpx/exceptions.hpp>
#include <httpx/request.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace {

using httpx::protocol::BodyFraming;
using httpx::protocol::Http11Exchange;
using State = Http11Exchange::State;

httpx::Request get(std::string_view url = "http://example.com/a/b?c=d") {
    return httpx::Request("GET", httpx::URL(url));
}

// A streamed body of unknown length (no Content-Length).
httpx::AsyncByteStream unknown_length_body() {
    return httpx::AsyncByteStream(httpx::AsyncIterator<httpx::Bytes>(
        []() -> httpx::awaitable<std::optional<httpx::Bytes>> { co_return std::nullopt; }));
}

// Feeds `bytes` as a connection would: what the exchange leaves is passed again with more.
std::size_t feed_all(Http11Exchange& exchange, std::string_view bytes, std::size_t piece) {
    std::string pending;
    std::size_t used_total = 0;
    for (std::size_t i = 0; i < bytes.size(); i += piece) {
        pending += bytes.substr(i, piece);
        const std::size_t used = exchange.feed(pending);
        pending.erase(0, used);
        used_total += used;
    }
    return used_total;
}

constexpr std::string_view kResponse =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello";

TEST(Http11Exchange, ACycleGoesFromIdleThroughEachStateBackToIdle) {
    Http11Exchange exchange;
    EXPECT_EQ(exchange.state(), State::idle);
    exchange.start(get());
    EXPECT_EQ(exchange.state(), State::sending_body);
    EXPECT_EQ(exchange.head(), "GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\n\r\n");
    exchange.request_sent();
    EXPECT_EQ(exchange.state(), State::awaiting_response);
    EXPECT_TRUE(exchange.nothing_received());

    // A head is consumed only once complete: the caller passes the same bytes again, and more.
    EXPECT_EQ(exchange.feed(kResponse.substr(0, 25)), 0u);
    EXPECT_EQ(exchange.state(), State::awaiting_response);
    EXPECT_FALSE(exchange.nothing_received());
    EXPECT_EQ(exchange.feed(kResponse.substr(0, kResponse.size() - 3)), kResponse.size() - 3);
    EXPECT_EQ(exchange.state(), State::receiving_body);
    EXPECT_EQ(exchange.response().status_code(), 200);
    EXPECT_EQ(exchange.take_body(), "he");
    EXPECT_EQ(exchange.feed("llo"), 3u);
    EXPECT_EQ(exchange.state(), State::done);
    EXPECT_EQ(exchange.take_body(), "llo");

    EXPECT_TRUE(exchange.finish(true, false));
    EXPECT_EQ(exchange.state(), State::idle);
}

TEST(Http11Exchange, TheResponseSplitAtEveryPositionGivesTheSameResult) {
    for (std::size_t piece = 1; piece <= kResponse.size(); ++piece) {
        Http11Exchange exchange;
        exchange.start(get());
        exchange.request_sent();
        EXPECT_EQ(feed_all(exchange, kResponse, piece), kResponse.size()) << piece;
        EXPECT_EQ(exchange.state(), State::done) << piece;
        EXPECT_EQ(exchange.take_body(), "hello") << piece;
        EXPECT_TRUE(exchange.finish(true, false)) << piece;
    }
}

TEST(Http11Exchange, TheNextCycleStartsWhereTheLastOneLeft) {
    Http11Exchange exchange;
    for (int i = 0; i < 3; ++i) {
        exchange.start(get("http://example.com/" + std::to_string(i)));
        EXPECT_EQ(exchange.head(),
                  "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: example.com\r\n\r\n");
        exchange.request_sent();
        exchange.feed(kResponse);
        EXPECT_EQ(exchange.take_body(), "hello");
        EXPECT_TRUE(exchange.finish(true, false));
    }
}

TEST(Http11Exchange, StartingWhileACycleIsInProgressIsALogicError) {
    Http11Exchange exchange;
    exchange.start(get());
    EXPECT_THROW(exchange.start(get()), std::logic_error);
    exchange.abandon();
    EXPECT_EQ(exchange.state(), State::must_close);
    EXPECT_THROW(exchange.start(get()), std::logic_error);
}

TEST(Http11Exchange, AnInvalidRequestHeadLeavesTheExchangeIdle) {
    Http11Exchange exchange;
    httpx::Request request = get();
    request.headers().set("Bad Name", "x");
    EXPECT_THROW(exchange.start(request), httpx::LocalProtocolError);
    EXPECT_EQ(exchange.state(), State::idle);
    exchange.start(get());
    EXPECT_EQ(exchange.state(), State::sending_body);
}

TEST(Http11Exchange, TheTargetExtensionReplacesThePath) {
    httpx::Request request("OPTIONS", httpx::URL("http://example.com/ignored"));
    request.extensions()["target"] = std::string("*");
    EXPECT_EQ(httpx::protocol::request_target(request), "*");
    Http11Exchange exchange;
    exchange.start(request);
    EXPECT_EQ(exchange.head().substr(0, 20), "OPTIONS * HTTP/1.1\r\n");
    // Anything but a string is a mistake, said at once rather than ignored.
    request.extensions()["target"] = 42;
    EXPECT_THROW(httpx::protocol::request_target(request), std::invalid_argument);
}

TEST(Http11Exchange, AStreamedBodyOfUnknownLengthGoesChunked) {
    httpx::Request request =
        httpx::Request::from_parts("POST", httpx::URL("http://example.com/up"),
                                   httpx::Headers{{"Host", "example.com"}}, unknown_length_body());
    EXPECT_EQ(httpx::protocol::body_framing(request), BodyFraming::chunked);
    Http11Exchange exchange;
    exchange.start(request);
    std::string scratch;
    EXPECT_EQ(exchange.frame_body("hello", scratch), "5\r\nhello\r\n");
    EXPECT_EQ(exchange.frame_body(std::string(26, 'x'), scratch),
              "1a\r\n" + std::string(26, 'x') + "\r\n");
    EXPECT_EQ(exchange.end_of_body(), "0\r\n\r\n");
}

TEST(Http11Exchange, BodiesOfKnownLengthGoAsTheyAre) {
    // In memory ...
    httpx::RequestOptions options;
    options.content = httpx::AsyncByteStream("hello");
    httpx::Request in_memory("POST", httpx::URL("http://example.com/"), std::move(options));
    EXPECT_EQ(httpx::protocol::body_framing(in_memory), BodyFraming::as_is);
    // ... or streamed with a Content-Length.
    httpx::Request streamed = httpx::Request::from_parts(
        "POST", httpx::URL("http://example.com/"),
        httpx::Headers{{"Host", "example.com"}, {"Content-Length", "5"}}, unknown_length_body());
    EXPECT_EQ(httpx::protocol::body_framing(streamed), BodyFraming::as_is);
    Http11Exchange exchange;
    exchange.start(streamed);
    std::string scratch;
    EXPECT_EQ(exchange.frame_body("hello", scratch), "hello");
    EXPECT_EQ(exchange.end_of_body(), "");
}

TEST(Http11Exchange, ConnectionCloseEndsInMustClose) {
    Http11Exchange exchange;
    exchange.start(get());
    exchange.request_sent();
    exchange.feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(exchange.state(), State::done);
    EXPECT_FALSE(exchange.finish(true, false));
    EXPECT_EQ(exchange.state(), State::must_close);
}

TEST(Http11Exchange, Http10WithoutKeepAliveEndsInMustClose) {
    Http11Exchange exchange;
    exchange.start(get());
    exchange.request_sent();
    exchange.feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
    EXPECT_FALSE(exchange.finish(true, false));
}

TEST(Http11Exchange, BytesBeyondTheResponseEndInMustClose) {
    Http11Exchange exchange;
    exchange.start(get());
    exchange.request_sent();
    std::string bytes(kResponse);
    bytes += "HTTP/1.1 200 OK\r\n";
    EXPECT_EQ(exchange.feed(bytes), kResponse.size());  // the rest is not this response's
    EXPECT_EQ(exchange.state(), State::done);
    EXPECT_FALSE(exchange.finish(true, /*bytes_beyond=*/true));
    EXPECT_EQ(exchange.state(), State::must_close);
}

TEST(Http11Exchange, AResponseNotReadToTheEndEndsInMustClose) {
    Http11Exchange exchange;
    exchange.start(get());
    exchange.request_sent();
    exchange.feed(kResponse.substr(0, kResponse.size() - 2));
    EXPECT_EQ(exchange.state(), State::receiving_body);
    EXPECT_FALSE(exchange.finish(false, false));
    EXPECT_EQ(exchange.state(), State::must_close);

    // Even a complete one, when its reader gave it up before seeing its end.
    Http11Exchange other;
    other.start(get());
    other.request_sent();
    other.feed(kResponse);
    EXPECT_FALSE(other.finish(false, false));
}

TEST(Http11Exchange, AChunkedResponseIsReusable) {
    Http11Exchange exchange;
    exchange.start(get());
    exchange.request_sent();
    const std::string_view response =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n "
        "world\r\n0\r\n\r\n";
    EXPECT_EQ(feed_all(exchange, response, 7), response.size());
    EXPECT_EQ(exchange.take_body(), "hello world");
    EXPECT_TRUE(exchange.finish(true, false));
}

TEST(Http11Exchange, ABodyEndingWithTheConnectionIsCompleteAtEofButNotReusable) {
    Http11Exchange exchange;
    exchange.start(get());
    exchange.request_sent();
    exchange.feed("HTTP/1.1 200 OK\r\n\r\nsome bytes");
    EXPECT_EQ(exchange.state(), State::receiving_body);
    exchange.feed_eof();
    EXPECT_EQ(exchange.state(), State::done);
    EXPECT_EQ(exchange.take_body(), "some bytes");
    EXPECT_FALSE(exchange.finish(true, false));
}

TEST(Http11Exchange, EofBeforeAnyResponseByteIsARemoteProtocolErrorWithNothingReceived) {
    Http11Exchange exchange;
    exchange.start(get());
    exchange.request_sent();
    EXPECT_THROW(exchange.feed_eof(), httpx::RemoteProtocolError);
    EXPECT_TRUE(exchange.nothing_received());
}

TEST(Http11Exchange, EofInTheMiddleOfAFramedBodyIsARemoteProtocolError) {
    Http11Exchange exchange;
    exchange.start(get());
    exchange.request_sent();
    exchange.feed(kResponse.substr(0, kResponse.size() - 1));
    EXPECT_THROW(exchange.feed_eof(), httpx::RemoteProtocolError);
    EXPECT_FALSE(exchange.nothing_received());
}

TEST(Http11Exchange, AResponseToHeadHasNoBody) {
    Http11Exchange exchange;
    exchange.start(httpx::Request("HEAD", httpx::URL("http://example.com/")));
    exchange.request_sent();
    exchange.feed("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
    EXPECT_EQ(exchange.state(), State::done);
    EXPECT_TRUE(exchange.finish(true, false));
}

TEST(Http11Exchange, BodyBytesReadIntoTheirOwnChunkAreHandedBackWhole) {
    Http11Exchange exchange;
    exchange.start(get());
    exchange.request_sent();
    exchange.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
    EXPECT_EQ(exchange.identity_body_left(), 10u);
    exchange.feed_body(httpx::Bytes("01234"));
    EXPECT_EQ(exchange.identity_body_left(), 5u);
    EXPECT_EQ(exchange.take_body(), "01234");
    exchange.feed_body(httpx::Bytes("56789"));
    EXPECT_EQ(exchange.state(), State::done);
    EXPECT_EQ(exchange.take_body(), "56789");
    EXPECT_TRUE(exchange.finish(true, false));
}

}  // namespace
