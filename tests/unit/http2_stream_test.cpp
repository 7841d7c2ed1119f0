// An HTTP/2 stream's phases and request-body queue, without a connection or sockets.
#include "transport/http2_stream.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace {

using httpx::Bytes;
using httpx::Headers;
using httpx::transport::Failure;
using httpx::transport::Http2Stream;
using Phase = Http2Stream::Phase;
using Upload = Http2Stream::Upload;

Headers head_fields() {
    Headers headers;
    headers.add("content-type", "text/plain");
    return headers;
}

// Drains the queued request body through the writer's side, `size` bytes per DATA frame.
std::string read_all_upload(Http2Stream& s, std::size_t size, bool& end) {
    std::string out;
    std::vector<std::uint8_t> buffer(size);
    for (;;) {
        const std::size_t n = s.read_upload(std::span<std::uint8_t>(buffer), end);
        out.append(reinterpret_cast<const char*>(buffer.data()), n);
        if (n == 0 || end) return out;
    }
}

TEST(Http2Stream, ResponseGoesFromHeadThroughBodyToClosed) {
    Http2Stream s(false);
    EXPECT_EQ(s.phase(), Phase::awaiting_head);
    EXPECT_TRUE(s.response_pending());
    EXPECT_FALSE(s.has_head());

    s.receive_head(200, head_fields());
    EXPECT_EQ(s.phase(), Phase::body);
    EXPECT_TRUE(s.has_head());
    EXPECT_EQ(s.status(), 200);
    EXPECT_EQ(s.headers.get("content-type").value_or(""), "text/plain");

    s.receive_data("hello ");
    s.receive_data("world");  // merged into the same chunk
    EXPECT_EQ(s.body.size(), 1u);
    EXPECT_EQ(s.body_received, 11u);
    Http2Stream::BodyStep step = s.next_body_step();
    ASSERT_TRUE(step.chunk);
    EXPECT_EQ(*step.chunk, "hello world");
    EXPECT_TRUE(step.credit);  // more is to come: the bytes go back to flow control
    EXPECT_FALSE(step.window);

    step = s.next_body_step();  // nothing yet: the reader waits
    EXPECT_FALSE(step.chunk);
    EXPECT_FALSE(step.end);
    EXPECT_FALSE(step.failure);

    s.end_response();
    EXPECT_EQ(s.phase(), Phase::ended);
    EXPECT_TRUE(s.complete());
    EXPECT_FALSE(s.response_pending());
    EXPECT_TRUE(s.takes_upload());  // the stream stays open for the request body
    EXPECT_TRUE(s.next_body_step().end);

    s.close();
    EXPECT_EQ(s.phase(), Phase::closed);
    EXPECT_TRUE(s.complete());
    EXPECT_FALSE(s.takes_upload());
    EXPECT_TRUE(s.next_body_step().end);
}

TEST(Http2Stream, BodyReceivedBeforeTheEndIsNotCreditedAfterIt) {
    Http2Stream s(false);
    s.receive_head(200, {});
    s.receive_data("tail");
    s.end_response();
    Http2Stream::BodyStep step = s.next_body_step();
    ASSERT_TRUE(step.chunk);
    EXPECT_FALSE(step.credit);
    EXPECT_TRUE(s.next_body_step().end);
}

TEST(Http2Stream, FailureBeforeTheHeadEndsTheStream) {
    Http2Stream s(true);
    s.fail({Failure::Kind::refused, "refused"});
    EXPECT_EQ(s.phase(), Phase::failed);
    EXPECT_FALSE(s.has_head());
    EXPECT_EQ(s.failure().kind, Failure::Kind::refused);
    EXPECT_FALSE(s.takes_upload());
    EXPECT_FALSE(s.response_pending());
    s.receive_head(200, {});  // too late: ignored
    EXPECT_FALSE(s.has_head());
}

TEST(Http2Stream, FailureAfterTheHeadComesAfterTheBodyReceivedFirst) {
    Http2Stream s(false);
    s.receive_head(200, {});
    s.receive_data("partial");
    s.fail({Failure::Kind::remote, "reset"});
    EXPECT_EQ(s.phase(), Phase::failed);
    EXPECT_TRUE(s.has_head());  // the response was returned; its body fails

    Http2Stream::BodyStep step = s.next_body_step();
    ASSERT_TRUE(step.chunk);
    EXPECT_EQ(*step.chunk, "partial");
    EXPECT_FALSE(step.credit);
    step = s.next_body_step();
    EXPECT_FALSE(step.chunk);
    EXPECT_FALSE(step.end);
    EXPECT_EQ(step.failure.kind, Failure::Kind::remote);
    EXPECT_EQ(step.failure.message, "reset");
}

TEST(Http2Stream, CompleteResponseIsNotFailedLater) {
    Http2Stream s(false);
    s.receive_head(204, {});
    s.end_response();
    s.fail({Failure::Kind::read, "The connection was closed."});
    EXPECT_EQ(s.phase(), Phase::ended);
    EXPECT_FALSE(s.failure());
    s.close();
    s.fail({Failure::Kind::read, "The connection was closed."});
    EXPECT_EQ(s.phase(), Phase::closed);
    EXPECT_FALSE(s.failure());
}

TEST(Http2Stream, AbandonDropsTheBodyAndSaysWhetherToReset) {
    Http2Stream open(false);
    open.receive_head(200, {});
    open.receive_data("unread");
    EXPECT_TRUE(open.abandon());  // still open: RST_STREAM
    EXPECT_EQ(open.phase(), Phase::abandoned);
    EXPECT_TRUE(open.body.empty());
    EXPECT_FALSE(open.abandon());  // once
    open.close();                  // nghttp2 closes it later
    EXPECT_EQ(open.phase(), Phase::abandoned);
    open.fail({Failure::Kind::read, "closed"});
    EXPECT_EQ(open.phase(), Phase::abandoned);

    Http2Stream waiting(false);
    EXPECT_TRUE(waiting.abandon());

    Http2Stream ended(false);  // answered while the request body still goes out
    ended.receive_head(200, {});
    ended.end_response();
    EXPECT_TRUE(ended.abandon());

    Http2Stream closed(false);
    closed.receive_head(200, {});
    closed.end_response();
    closed.close();
    EXPECT_FALSE(closed.abandon());

    Http2Stream failed(false);
    failed.fail({Failure::Kind::remote, "reset"});
    EXPECT_FALSE(failed.abandon());
}

TEST(Http2Stream, WindowGrowsWhileTheApplicationKeepsUp) {
    Http2Stream s(false);
    s.receive_head(200, {});
    const std::uint32_t initial = s.window;
    const std::string piece(Http2Stream::kMergeLimit, 'x');
    // A whole window arrives before the application reads: no growth until it took all of it.
    for (std::uint32_t received = 0; received < initial; received += piece.size())
        s.receive_data(piece);
    std::optional<std::uint32_t> grown;
    while (!s.body.empty()) {
        Http2Stream::BodyStep step = s.next_body_step();
        ASSERT_TRUE(step.chunk);
        EXPECT_EQ(step.chunk->size(), piece.size());
        if (step.window) {
            EXPECT_TRUE(s.body.empty());
            grown = step.window;
        }
    }
    ASSERT_TRUE(grown);
    EXPECT_EQ(*grown, initial * 2);
    EXPECT_EQ(s.window, initial * 2);

    // An application that falls behind (chunks left queued) keeps its window.
    for (std::uint32_t received = 0; received < 3 * initial; received += piece.size())
        s.receive_data(piece);
    EXPECT_FALSE(s.next_body_step().window);
    EXPECT_EQ(s.window, initial * 2);

    // Never beyond kMaxWindow.
    s.window = Http2Stream::kMaxWindow;
    s.body.clear();
    s.receive_data(piece);
    s.body_received = Http2Stream::kMaxWindow;
    EXPECT_FALSE(s.next_body_step().window);
}

TEST(Http2Stream, InMemoryBodyIsAllQueuedFromTheStart) {
    Http2Stream s(false);
    s.send_from_memory(httpx::AsyncByteStream(), "request body");
    EXPECT_EQ(s.upload(), Upload::all_queued);
    bool end = false;
    EXPECT_EQ(read_all_upload(s, 5, end), "request body");
    EXPECT_TRUE(end);
}

TEST(Http2Stream, StreamedBodyWaitsForRoomThenEnds) {
    Http2Stream s(false);
    EXPECT_EQ(s.upload(), Upload::streaming);
    EXPECT_FALSE(s.queue_upload(Bytes(Http2Stream::kUploadQueue / 2, 'a')));
    EXPECT_EQ(s.upload(), Upload::streaming);
    EXPECT_TRUE(s.queue_upload(Bytes(Http2Stream::kUploadQueue / 2, 'b')));  // full
    EXPECT_EQ(s.upload(), Upload::waiting_for_room);
    EXPECT_TRUE(s.must_wait_for_room());

    std::vector<std::uint8_t> frame(16 * 1024);
    bool end = true;
    EXPECT_EQ(s.read_upload(std::span<std::uint8_t>(frame), end), frame.size());
    EXPECT_FALSE(end);
    EXPECT_EQ(s.upload(), Upload::streaming);  // room again: the sender was woken
    EXPECT_FALSE(s.must_wait_for_room());

    s.end_upload();
    EXPECT_EQ(s.upload(), Upload::all_queued);
    const std::string rest = read_all_upload(s, frame.size(), end);
    EXPECT_TRUE(end);
    EXPECT_EQ(rest.size(), Http2Stream::kUploadQueue - frame.size());
    EXPECT_EQ(rest.back(), 'b');
}

TEST(Http2Stream, SenderWaitingForRoomStopsWhenTheStreamFails) {
    Http2Stream s(false);
    EXPECT_TRUE(s.queue_upload(Bytes(Http2Stream::kUploadQueue, 'a')));
    s.fail({Failure::Kind::remote, "reset"});
    EXPECT_FALSE(s.takes_upload());
    EXPECT_FALSE(s.must_wait_for_room());
}

}  // namespace
