// transport::Http11Connection over scripted bytes (support/scripted_stream.hpp): the test level
// between the parser and a real socket. Each test scripts what the server sends, runs requests
// and asserts what went on the wire, what the caller got and what the connection's owner was
// told (reusable or not), and whether a request the server never processed was refused for the
// pool to send again.
#include "transport/http11_connection.hpp"

#include "transport/failure.hpp"
#include "transport/pool_ledger.hpp"

#include "run_async.hpp"
#include "scripted_stream.hpp"

#include <httpx/exceptions.hpp>
#include <httpx/request.hpp>
#include <httpx/response.hpp>

#include <gtest/gtest.h>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
using httpx::awaitable;
using httpx::Bytes;
using httpx::Request;
using httpx::Response;
using httpx::test::Script;
using httpx::transport::Http11Connection;
using httpx::transport::RefusedStream;

constexpr std::string_view kHello = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
constexpr std::string_view kGetHead = "GET /path HTTP/1.1\r\nHost: example.com\r\n\r\n";

// The connection's owner: records what it is told.
class RecordingOwner final : public httpx::transport::ConnectionOwner {
public:
    std::vector<bool> releases;  // `reusable` of each request's end, in order

    void request_ended(httpx::transport::PoolEntry&, bool reusable) override {
        releases.push_back(reusable);
    }
    void connection_changed(httpx::transport::Connection&) override {}
};

struct Received {
    int status = 0;
    Bytes body;
    std::vector<std::size_t> chunks;  // the size of each raw chunk
};

// Runs `f`, which must throw E but not RefusedStream (that would have the pool send it again).
template <class E, class F>
void expect_failure_not_refused(F&& f) {
    try {
        f();
        ADD_FAILURE() << "no exception";
    } catch (const RefusedStream& e) {
        ADD_FAILURE() << "refused (the pool would send it again): " << e.what();
    } catch (const E&) {
    }
}

Request get() {
    return Request("GET", httpx::URL("http://example.com/path"));
}

// A one-shot streamed body of `parts` (no length: sent chunked).
awaitable<std::optional<Bytes>> next_part(std::shared_ptr<std::vector<std::string>> parts) {
    if (parts->empty()) co_return std::nullopt;
    Bytes part = std::move(parts->front());
    parts->erase(parts->begin());
    co_return part;
}
httpx::AsyncByteStream one_shot_body(std::vector<std::string> parts) {
    auto shared = std::make_shared<std::vector<std::string>>(std::move(parts));
    return httpx::AsyncByteStream(
        httpx::AsyncIterator<Bytes>([shared] { return next_part(shared); }));
}

class Http11ConnectionTest : public ::testing::Test {
protected:
    // Sends `request` and reads the whole response body.
    // `reused`: the connection carried requests before (a stale one refuses the request).
    Received send(Request request, bool reused = false) {
        return httpx::test::run_on(io_, exchange(std::move(request), reused));
    }

    awaitable<Received> exchange(Request request, bool reused) {
        httpx::transport::Lease lease(owner_, &entry_, reused);
        Response response =
            co_await connection_->handle_request(request, httpx::Timeout(), std::move(lease));
        Received received;
        received.status = response.status_code();
        auto chunks = response.aiter_raw();
        while (auto chunk = co_await chunks.next()) {
            received.body += *chunk;
            received.chunks.push_back(chunk->size());
        }
        co_return received;
    }

    asio::io_context io_;  // first: the connection's timer outlives no io_context
    std::shared_ptr<Script> script_ = std::make_shared<Script>();
    std::shared_ptr<RecordingOwner> owner_ = std::make_shared<RecordingOwner>();
    httpx::transport::PoolEntry entry_;  // what the owner's bookkeeping would name
    std::shared_ptr<Http11Connection> connection_ = std::make_shared<Http11Connection>(
        std::make_unique<httpx::test::ScriptedStream>(script_), "http://example.com");
};

TEST_F(Http11ConnectionTest, AResponseInSmallPiecesIsReadWholeAndTheConnectionGoesBack) {
    script_->then(kHello, 3);
    const Received received = send(get());
    EXPECT_EQ(received.status, 200);
    EXPECT_EQ(received.body, "hello");
    EXPECT_EQ(script_->written, kGetHead);
    EXPECT_EQ(owner_->releases, std::vector<bool>{true});
    EXPECT_FALSE(script_->closed);
}

TEST_F(Http11ConnectionTest, AKeepAliveConnectionCarriesTheNextRequest) {
    script_->then(kHello).then("HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nbye");
    EXPECT_EQ(send(get()).body, "hello");
    const Received second = send(get());
    EXPECT_EQ(second.status, 201);
    EXPECT_EQ(second.body, "bye");
    EXPECT_EQ(script_->written, std::string(kGetHead) + std::string(kGetHead));
    EXPECT_EQ(owner_->releases, (std::vector<bool>{true, true}));
    EXPECT_FALSE(script_->closed);
}

TEST_F(Http11ConnectionTest, ConnectionCloseClosesTheConnectionAfterTheResponse) {
    script_->then("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello");
    EXPECT_EQ(send(get()).body, "hello");
    EXPECT_EQ(owner_->releases, std::vector<bool>{false});
    EXPECT_TRUE(script_->closed);
}

TEST_F(Http11ConnectionTest, BytesPastTheEndOfTheResponseMakeItNotReusable) {
    script_->then(std::string(kHello) + "HTTP/1.1 200 OK\r\n");
    EXPECT_EQ(send(get()).body, "hello");
    EXPECT_EQ(owner_->releases, std::vector<bool>{false});
    EXPECT_TRUE(script_->closed);
}

TEST_F(Http11ConnectionTest, AChunkedResponseInPiecesIsReadWhole) {
    script_->then(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        4);
    EXPECT_EQ(send(get()).body, "hello world");
    EXPECT_EQ(owner_->releases, std::vector<bool>{true});
}

TEST_F(Http11ConnectionTest, AStreamedBodyWithoutLengthIsSentChunked) {
    script_->then(kHello);
    Request request("POST", httpx::URL("http://example.com/path"),
                    httpx::RequestOptions{.content = one_shot_body({"ab", "cde"})});
    EXPECT_EQ(send(std::move(request)).body, "hello");
    const std::string& written = script_->written;
    EXPECT_EQ(written.substr(0, 20), "POST /path HTTP/1.1\r");
    EXPECT_NE(written.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
    EXPECT_EQ(written.substr(written.find("\r\n\r\n") + 4), "2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n");
}

TEST_F(Http11ConnectionTest, EofInTheResponseHeadIsARemoteProtocolError) {
    script_->then("HTTP/1.1 200 OK\r\nContent-");
    // Bytes of a response came: the request was processed, it does not go again.
    expect_failure_not_refused<httpx::RemoteProtocolError>([&] { send(get(), /*reused=*/true); });
    EXPECT_EQ(owner_->releases, std::vector<bool>{false});
}

TEST_F(Http11ConnectionTest, EofInTheResponseBodyIsARemoteProtocolErrorForItsReader) {
    script_->then(kHello.substr(0, kHello.size() - 2));
    expect_failure_not_refused<httpx::RemoteProtocolError>([&] { send(get(), true); });
    EXPECT_EQ(owner_->releases, std::vector<bool>{false});
    EXPECT_TRUE(script_->closed);
}

TEST_F(Http11ConnectionTest, EofBeforeAnyResponseOnAFreshConnectionIsARemoteProtocolError) {
    try {
        send(get(), /*reused=*/false);
        FAIL() << "no exception";
    } catch (const RefusedStream& e) {
        FAIL() << "refused: " << e.what();
    } catch (const httpx::RemoteProtocolError& e) {
        EXPECT_STREQ(e.what(), "Server disconnected without sending a response.");
    }
}

TEST_F(Http11ConnectionTest, AStaleReusedConnectionRefusesTheRequestForThePoolToSendAgain) {
    // The server had closed the idle connection: end of stream, not a byte of response.
    EXPECT_THROW(send(get(), /*reused=*/true), RefusedStream);
    EXPECT_EQ(owner_->releases, std::vector<bool>{false});
}

TEST_F(Http11ConnectionTest, AResetBeforeAnyResponseOnAReusedConnectionRefusesTheRequest) {
    script_->then_error(asio::error::connection_reset);
    EXPECT_THROW(send(get(), true), RefusedStream);
}

TEST_F(Http11ConnectionTest, AWriteToAClosedReusedConnectionRefusesTheRequest) {
    script_->write_error = asio::error::broken_pipe;
    EXPECT_THROW(send(get(), true), RefusedStream);
}

TEST_F(Http11ConnectionTest, AWriteToAClosedFreshConnectionIsAWriteError) {
    script_->write_error = asio::error::broken_pipe;
    expect_failure_not_refused<httpx::WriteError>([&] { send(get(), false); });
    EXPECT_EQ(owner_->releases, std::vector<bool>{false});
}

TEST_F(Http11ConnectionTest, AStaleConnectionDoesNotSendAOneShotBodyAgain) {
    Request request("POST", httpx::URL("http://example.com/path"),
                    httpx::RequestOptions{.content = one_shot_body({"ab"})});
    expect_failure_not_refused<httpx::RemoteProtocolError>([&] { send(std::move(request), true); });
}

TEST_F(Http11ConnectionTest, ALocalProtocolErrorIsNotStale) {
    Request request = get();
    request.headers().set("Bad\nName", "x");
    expect_failure_not_refused<httpx::LocalProtocolError>([&] { send(std::move(request), true); });
    EXPECT_EQ(script_->written, "");
}

TEST_F(Http11ConnectionTest, ALargeBodyIsReadInGrowingReadsOfItsOwn) {
    // h1-big's reads: after the head, reads straight into the body's chunks, 64 KiB doubling
    // up to 256 KiB while they come back full.
    const std::size_t size = 1024 * 1024;
    script_->then("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n")
        .then(std::string(size, 'x'));
    const Received received = send(get());
    EXPECT_EQ(received.body.size(), size);
    const std::size_t k = 1024;
    EXPECT_EQ(received.chunks,
              (std::vector<std::size_t>{64 * k, 128 * k, 256 * k, 256 * k, 256 * k, 64 * k}));
    EXPECT_EQ(owner_->releases, std::vector<bool>{true});
}

TEST_F(Http11ConnectionTest, TheHeadReadOfARequestSentAtOnceIsDeferredThenPausedWhenAlone) {
    for (int i = 0; i < 10; ++i) script_->then(kHello);
    send(get());
    EXPECT_EQ(script_->deferred_read_calls, 1u);
    // Nothing else ran meanwhile: the next kPause head reads go at once.
    for (int i = 0; i < 8; ++i) send(get());
    EXPECT_EQ(script_->deferred_read_calls, 1u);
    send(get());
    EXPECT_EQ(script_->deferred_read_calls, 2u);
}

TEST_F(Http11ConnectionTest, AResponseDroppedHalfWayDoesNotGiveTheConnectionBackReusable) {
    script_->then(kHello.substr(0, kHello.size() - 2));
    httpx::test::run_on(io_, [this]() -> awaitable<void> {
        httpx::transport::Lease lease(owner_, &entry_, false);
        Request request = get();
        Response response =
            co_await connection_->handle_request(request, httpx::Timeout(), std::move(lease));
        EXPECT_TRUE(owner_->releases.empty());
        co_await response.aclose();
    }());
    EXPECT_EQ(owner_->releases, std::vector<bool>{false});
    EXPECT_TRUE(script_->closed);
}

}  // namespace
