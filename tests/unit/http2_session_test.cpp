// The sans-I/O HTTP/2 client session on hand-written server frames: no sockets.
#include "protocol/http2_session.hpp"

#include <gtest/gtest.h>

#include "httpx/exceptions.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace {

using httpx::protocol::Http2ClientSession;

struct Recorder : httpx::protocol::Http2Events {
    std::vector<std::string> events;
    void on_response_head(std::int32_t id, int status, httpx::Headers headers) override {
        events.push_back("head " + std::to_string(id) + " " + std::to_string(status) + " " +
                         headers.get("content-type").value_or("-"));
    }
    void on_data(std::int32_t id, std::string_view data) override {
        events.push_back("data " + std::to_string(id) + " " + std::string(data));
    }
    void on_trailers(std::int32_t id, httpx::Headers trailers) override {
        events.push_back("trailers " + std::to_string(id) + " " +
                         trailers.get("x-t").value_or("-"));
    }
    void on_response_end(std::int32_t id) override {
        events.push_back("end " + std::to_string(id));
    }
    void on_stream_close(std::int32_t id, std::uint32_t code, bool by_server) override {
        events.push_back("close " + std::to_string(id) + " " + std::to_string(code) +
                         (by_server ? " server" : " client"));
    }
    void on_settings(std::uint32_t max_streams) override {
        events.push_back("settings " + std::to_string(max_streams));
    }
    void on_goaway(std::int32_t last, std::uint32_t code) override {
        events.push_back("goaway " + std::to_string(last) + " " + std::to_string(code));
    }
    std::size_t read_body(std::int32_t, std::span<std::uint8_t>, bool& end) override {
        end = true;
        return 0;
    }
};

// A frame: 9-byte header (length, type, flags, stream id) and payload.
std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
                  const std::string& payload) {
    std::string out;
    const auto n = static_cast<std::uint32_t>(payload.size());
    out += static_cast<char>(n >> 16);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n);
    out += static_cast<char>(type);
    out += static_cast<char>(flags);
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(stream >> shift);
    return out + payload;
}

std::string u32(std::uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
            static_cast<char>(v)};
}

// SETTINGS with MAX_CONCURRENT_STREAMS = `streams`.
std::string settings(std::uint32_t streams) {
    return frame(0x4, 0, 0, std::string("\x00\x03", 2) + u32(streams));
}

// Whether the client's output (after its preface) holds a frame of `type` on `stream`.
bool has_frame(std::string_view out, std::uint8_t type, std::uint32_t stream) {
    if (out.starts_with("PRI * HTTP/2.0")) out.remove_prefix(24);
    while (out.size() >= 9) {
        const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(out[i]); };
        const std::size_t length = byte(0) << 16 | byte(1) << 8 | byte(2);
        const std::uint32_t id = (byte(5) & 0x7fu) << 24 | byte(6) << 16 | byte(7) << 8 | byte(8);
        if (byte(3) == type && id == stream) return true;
        out.remove_prefix(std::min(out.size(), 9 + length));
    }
    return false;
}

// HPACK "literal without indexing, new name" fields (no Huffman), enough for these tests.
std::string literal(const std::string& name, const std::string& value) {
    return std::string(1, '\0') + static_cast<char>(name.size()) + name +
           static_cast<char>(value.size()) + value;
}

struct Http2Session : ::testing::Test {
    Recorder recorder;
    Http2ClientSession session{recorder};
    std::string out;

    std::int32_t get(const char* path) {
        return session.submit_request({"GET", "https", "example.com", path}, {}, false);
    }
};

TEST(Http2ErrorName, NamesKnownCodesAndShowsOthersInHex) {
    EXPECT_EQ(httpx::protocol::http2_error_name(0x1), "PROTOCOL_ERROR");
    EXPECT_EQ(httpx::protocol::http2_error_name(0x8), "CANCEL");
    EXPECT_EQ(httpx::protocol::http2_error_name(0xff), "unknown error code 0xff");
}

TEST_F(Http2Session, StartsWithThePrefaceAndOurSettings) {
    session.send(out, 1 << 20);
    ASSERT_GE(out.size(), 24u + 9u);
    EXPECT_EQ(out.substr(0, 24), "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    EXPECT_EQ(out[24 + 3], '\x04');  // SETTINGS
}

TEST_F(Http2Session, ReportsAResponseItsBodyTrailersAndTheEnd) {
    const std::int32_t id = get("/");
    EXPECT_EQ(id, 1);
    session.send(out, 1 << 20);
    session.receive(settings(7) +
                    frame(0x1, 0x4, 1,  // HEADERS, END_HEADERS
                          literal(":status", "200") + literal("content-type", "text/plain")) +
                    frame(0x0, 0, 1, "hello") +
                    frame(0x1, 0x5, 1, literal("x-t", "done")));  // trailers, END_STREAM
    const std::vector<std::string> expected{"settings 7",   "head 1 200 text/plain",
                                            "data 1 hello", "trailers 1 done",
                                            "end 1",        "close 1 0 server"};
    EXPECT_EQ(recorder.events, expected);
    EXPECT_EQ(session.remote_max_concurrent_streams(), 7u);
}

TEST_F(Http2Session, SkipsInterimResponses) {
    get("/");
    session.send(out, 1 << 20);
    session.receive(settings(100) + frame(0x1, 0x4, 1, literal(":status", "103")) +
                    frame(0x1, 0x5, 1, literal(":status", "204")));
    const std::vector<std::string> expected{"settings 100", "head 1 204 -", "end 1",
                                            "close 1 0 server"};
    EXPECT_EQ(recorder.events, expected);
}

TEST_F(Http2Session, GoawayRefusesTheStreamsAboveItsLastStreamId) {
    get("/a");
    get("/b");
    session.send(out, 1 << 20);
    session.receive(settings(100) + frame(0x7, 0, 0, u32(1) + u32(0)));
    const std::vector<std::string> expected{"settings 100", "goaway 1 0", "close 3 7 server"};
    EXPECT_EQ(recorder.events, expected);
}

TEST_F(Http2Session, AServerResetClosesOnlyThatStream) {
    get("/a");
    get("/b");
    session.send(out, 1 << 20);
    session.receive(settings(100) + frame(0x3, 0, 3, u32(0x2)));  // RST_STREAM INTERNAL_ERROR
    const std::vector<std::string> expected{"settings 100", "close 3 2 server"};
    EXPECT_EQ(recorder.events, expected);
}

// Found by fuzz/http2_frames: a request reset (or refused by GOAWAY) before its HEADERS went
// out was reported closed twice, once by on_frame_not_send and once by nghttp2's stream close.
TEST_F(Http2Session, ARequestResetBeforeItWentOutClosesOnce) {
    session.send(out, 1 << 20);
    session.receive(settings(1));  // one stream at a time: the second request waits
    get("/a");
    const std::int32_t queued = get("/b");
    session.send(out, 1 << 20);
    session.reset_stream(queued, httpx::protocol::Http2Error::cancel);
    // Closed at once; nghttp2 drops the queued HEADERS when its turn comes (once the first
    // stream is done) and says so again: not reported twice.
    session.receive(frame(0x1, 0x5, 1, literal(":status", "204")));
    session.send(out, 1 << 20);
    const std::vector<std::string> expected{"settings 1", "close 3 8 client", "head 1 204 -",
                                            "end 1", "close 1 0 server"};
    EXPECT_EQ(recorder.events, expected);
    EXPECT_FALSE(has_frame(out, 0x1, queued));  // its HEADERS never went out
    EXPECT_FALSE(has_frame(out, 0x3, queued));  // nor a RST_STREAM
}

TEST_F(Http2Session, ARequestQueuedBehindGoawayIsRefusedOnce) {
    session.send(out, 1 << 20);
    session.receive(settings(1));
    get("/a");
    get("/b");
    session.send(out, 1 << 20);
    session.receive(frame(0x7, 0, 0, u32(1) + u32(0)) +  // GOAWAY, last stream 1
                    frame(0x1, 0x5, 1, literal(":status", "204")));
    session.send(out, 1 << 20);
    const std::vector<std::string> expected{"settings 1",   "goaway 1 0", "close 3 7 server",
                                            "head 1 204 -", "end 1",      "close 1 0 server"};
    EXPECT_EQ(recorder.events, expected);
}

// Found by fuzz/http2_frames: with SETTINGS_MAX_CONCURRENT_STREAMS 0 nghttp2 keeps a request's
// HEADERS queued for good, and did not refuse it after a GOAWAY either: the request waited for
// its read timeout instead of going again on another connection.
TEST_F(Http2Session, ARequestQueuedByAZeroStreamLimitIsRefusedByGoawayAtOnce) {
    session.send(out, 1 << 20);
    session.receive(settings(0));
    get("/a");
    session.send(out, 1 << 20);
    EXPECT_FALSE(has_frame(out, 0x1, 1)) << "HEADERS sent despite the limit";
    session.receive(frame(0x7, 0, 0, u32(0) + u32(0)));  // GOAWAY, last stream 0
    const std::vector<std::string> expected{"settings 0", "goaway 0 0", "close 1 7 server"};
    EXPECT_EQ(recorder.events, expected);
    EXPECT_TRUE(session.is_done());
    // A limit raised later sends nothing for it, nor reports it closed again.
    session.receive(settings(10));
    session.send(out, 1 << 20);
    EXPECT_FALSE(has_frame(out, 0x1, 1));
    EXPECT_EQ(std::count_if(recorder.events.begin(), recorder.events.end(),
                            [](const std::string& e) { return e.starts_with("close"); }),
              1);
}

TEST_F(Http2Session, ARequestQueuedByAZeroStreamLimitClosesAtOnceWhenReset) {
    session.send(out, 1 << 20);
    session.receive(settings(0));
    const std::int32_t id = get("/a");
    session.send(out, 1 << 20);
    session.reset_stream(id, httpx::protocol::Http2Error::cancel);
    const std::vector<std::string> expected{"settings 0", "close 1 8 client"};
    EXPECT_EQ(recorder.events, expected);
}

// Found by fuzz/http2_frames: nghttp2 counts a CONTINUATION frame again for every read that ends
// inside its 9-byte frame header, and fails the connection past 8 ("Too many CONTINUATION
// frames"): a header block could fail or not depending on how TCP cut the bytes.
TEST_F(Http2Session, AHeaderBlockInContinuationFramesMayArriveAByteAtATime) {
    get("/");
    session.send(out, 1 << 20);
    const std::string status = literal(":status", "200");
    const std::string bytes =
        settings(100) + frame(0x1, 0x0, 1, status.substr(0, 4)) +    // HEADERS
        frame(0x9, 0x0, 1, status.substr(4)) +                       // CONTINUATION
        frame(0x9, 0x4, 1, literal("content-type", "text/plain")) +  // CONTINUATION, END_HEADERS
        frame(0x0, 0x1, 1, "ok");
    for (char c : bytes) session.receive(std::string(1, c));
    const std::vector<std::string> expected{"settings 100", "head 1 200 text/plain",
                                            "data 1 o",     "data 1 k",
                                            "end 1",        "close 1 0 server"};
    EXPECT_EQ(recorder.events, expected);
}

// Found by fuzz/http2_frames: nghttp2 accepts :status 000-099 as a final response; the session
// skipped the head (not >= 200) but passed the body on, and the request waited for a head.
TEST_F(Http2Session, AStatusBelow100IsAStreamError) {
    get("/");
    session.send(out, 1 << 20);
    session.receive(settings(100) + frame(0x1, 0x4, 1, literal(":status", "050")) +
                    frame(0x0, 0x1, 1, "body"));
    session.send(out, 1 << 20);
    const std::vector<std::string> expected{"settings 100", "close 1 1 client"};
    EXPECT_EQ(recorder.events, expected);
}

// Found by fuzz/http2_frames: after the server's GOAWAY, a connection error went unnoticed (new
// requests were refused anyway) while nghttp2 ignored every later byte: the streams the GOAWAY
// kept waited for responses that could never be read.
TEST_F(Http2Session, AConnectionErrorAfterGoawayIsStillReported) {
    get("/");
    session.send(out, 1 << 20);
    EXPECT_THROW(session.receive(settings(100) + frame(0x7, 0, 0, u32(1) + u32(0)) +
                                 frame(0x0, 0, 0, "x")),  // DATA on stream 0
                 httpx::RemoteProtocolError);
    EXPECT_NE(session.local_error().find("PROTOCOL_ERROR"), std::string::npos);
}

TEST_F(Http2Session, ConnectionErrorsAreRemoteProtocolErrorsNamingTheCode) {
    session.send(out, 1 << 20);
    try {
        session.receive(settings(100) + frame(0x0, 0, 0, "x"));  // DATA on stream 0
        ADD_FAILURE() << "no error";
    } catch (const httpx::RemoteProtocolError& e) {
        EXPECT_NE(std::string(e.what()).find("PROTOCOL_ERROR"), std::string::npos) << e.what();
    }
    // The GOAWAY that says so still goes out.
    out.clear();
    session.send(out, 1 << 20);
    EXPECT_NE(out.find(std::string("\x07\x00\x00\x00\x00\x00", 6)), std::string::npos);
}

TEST_F(Http2Session, GarbageIsARemoteProtocolError) {
    session.send(out, 1 << 20);
    EXPECT_THROW(session.receive("NOT HTTP\r\n\r\n"), httpx::RemoteProtocolError);
}

TEST_F(Http2Session, RequestHeadersFollowHttp2Rules) {
    EXPECT_THROW(session.submit_request({"GET", "https", "example.com", "/"},
                                        httpx::Headers{{"X-Bad", "a\r\nb"}}, false),
                 httpx::LocalProtocolError);
    EXPECT_THROW(session.submit_request({"GET", "https", "example.com", "/"},
                                        httpx::Headers{{"X-Bad", std::string("a\0b", 3)}}, false),
                 httpx::LocalProtocolError);
    EXPECT_THROW(session.submit_request({"GET", "https", "example.com", "/"},
                                        httpx::Headers{{"Bad Name", "x"}}, false),
                 httpx::LocalProtocolError);
    EXPECT_THROW(session.submit_request({"G T", "https", "example.com", "/"}, {}, false),
                 httpx::LocalProtocolError);
    EXPECT_THROW(session.submit_request({"GET", "https", "example.com", "/a b"}, {}, false),
                 httpx::LocalProtocolError);
    // Nothing was queued by the failures: the first stream is still number 1.
    EXPECT_EQ(
        session.submit_request({"GET", "https", "example.com", "/"},
                               httpx::Headers{{"Connection", "close"}, {"Upgrade", "h2c"}}, false),
        1);
}

}  // namespace
