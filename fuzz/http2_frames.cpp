// The HTTP/2 client session (nghttp2 with our callbacks) on frames from a hostile server. Whatever
// the bytes: receive() throws only RemoteProtocolError, the events keep the order the connection
// relies on (a head before any body, trailers or end; nothing after a stream's close; only
// streams we opened), unconsumed body bytes stay within the stream window, and the outcome is the
// same however the bytes are cut. A third run plays the connection's part as it really does:
// frames sent after every read, bodies consumed, streams cancelled and new ones opened on the
// way.
//
// Input: one control byte, then the bytes the server sends (its SETTINGS included):
//   bits 0-1: requests opened before any byte arrives, minus one (1 to 4);
//   bit 2: the first request is a POST with a 70,000-byte body (more than the initial window);
//   bit 3: a 16 KiB stream window instead of 1 MiB.
// HTTPXX_FUZZ_TRACE=1 in the environment prints the events of each input.
#include "fuzz_support.hpp"
#include "protocol/http2_session.hpp"

#include <httpx/exceptions.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace httpx::fuzz;
using httpx::protocol::Http2ClientSession;
using httpx::protocol::Http2Config;
using httpx::protocol::Http2Error;

namespace {

constexpr std::size_t kBodySize = 70000;
constexpr std::uint32_t kDefaultWindow = 65535;  // RFC 9113 §6.9.2, until our SETTINGS is acked

struct StreamState {
    bool head = false, ended = false, closed = false, abandoned = false;
    std::size_t unconsumed = 0;  // body bytes received, not yet given back with consume()
    std::string received;        // the response body
    std::string body;            // request body not yet handed to the session
    bool body_end = false;       // the last of the body is in `body`
};

// Plays the connection's part (Http2Connection::Impl) and records what the session reports.
struct Client final : httpx::protocol::Http2Events {
    Http2ClientSession* session = nullptr;
    std::uint32_t window = 0;
    std::map<std::int32_t, StreamState> streams;
    std::vector<std::string> events;
    bool goaway = false;
    // The events up to the server's GOAWAY. What follows may depend on the cuts: the session
    // then sends what nghttp2 queued at the end of each read (to learn whether it found a
    // connection error too), and nghttp2 ignores the reads that come after the last stream's
    // close but not the frames that came in the same read.
    std::optional<std::size_t> goaway_at;

    StreamState& stream(std::int32_t id) {
        auto it = streams.find(id);
        FUZZ_CHECK(it != streams.end());  // only streams we opened
        FUZZ_CHECK(!it->second.closed);   // nothing after the close
        return it->second;
    }
    void record(std::string event) { events.push_back(std::move(event)); }

    void on_response_head(std::int32_t id, int status, httpx::Headers headers) override {
        StreamState& s = stream(id);
        FUZZ_CHECK(!s.head && !s.ended);
        FUZZ_CHECK(status >= 200 && status <= 999);
        s.head = true;
        std::string event = "head " + std::to_string(id) + " " + std::to_string(status);
        for (const auto& [name, value] : headers) event += "\n" + name + ": " + value;
        record(std::move(event));
    }
    void on_data(std::int32_t id, std::string_view data) override {
        StreamState& s = stream(id);
        FUZZ_CHECK(s.head && !s.ended);
        if (s.abandoned) {  // the connection drops it and gives the window back
            session->consume(id, data.size());
            return;
        }
        s.unconsumed += data.size();
        FUZZ_CHECK(s.unconsumed <= std::max(window, kDefaultWindow));
        s.received.append(data);
    }
    void on_trailers(std::int32_t id, httpx::Headers trailers) override {
        StreamState& s = stream(id);
        FUZZ_CHECK(s.head && !s.ended);
        std::string event = "trailers " + std::to_string(id);
        for (const auto& [name, value] : trailers) event += "\n" + name + ": " + value;
        record(std::move(event));
    }
    void on_response_end(std::int32_t id) override {
        StreamState& s = stream(id);
        FUZZ_CHECK(s.head && !s.ended);  // else the request would wait for a head forever
        s.ended = true;
        record("end " + std::to_string(id));
    }
    void on_stream_close(std::int32_t id, std::uint32_t code, bool by_server) override {
        StreamState& s = stream(id);
        s.closed = true;
        record("close " + std::to_string(id) + " " + httpx::protocol::http2_error_name(code) +
               (by_server ? " server" : " client"));
    }
    void on_settings(std::uint32_t max_concurrent_streams) override {
        record("settings " + std::to_string(max_concurrent_streams));
    }
    void on_goaway(std::int32_t last_stream_id, std::uint32_t code) override {
        goaway = true;
        record("goaway " + std::to_string(last_stream_id) + " " +
               httpx::protocol::http2_error_name(code));
        if (!goaway_at) goaway_at = events.size();
    }
    std::size_t read_body(std::int32_t id, std::span<std::uint8_t> buffer, bool& end) override {
        StreamState& s = stream(id);
        const std::size_t n = std::min(buffer.size(), s.body.size());
        std::copy_n(s.body.begin(), n, buffer.begin());
        s.body.erase(0, n);
        end = s.body_end && s.body.empty();
        return n;
    }

    // The application reads every body received so far.
    void consume_all() {
        for (auto& [id, s] : streams) {
            if (s.unconsumed && !s.closed) session->consume(id, s.unconsumed);
            s.unconsumed = 0;
        }
    }
};

struct Setup {
    int requests = 1;
    bool upload = false;
    Http2Config config;
};

struct Outcome {
    std::vector<std::string> events;              // but body bytes
    bool done = false;                            // cut at the server's GOAWAY
    std::map<std::int32_t, std::string> bodies;   // of the responses that ended
    std::map<std::int32_t, std::string> partial;  // of the others
    std::string error;                            // the RemoteProtocolError's message

    // How bytes arrive may change only how much of a failing response's body is delivered
    // before its error: nghttp2 checks a DATA frame against Content-Length as it comes.
    bool same_as(const Outcome& other) const {
        if (events != other.events || bodies != other.bodies || done != other.done ||
            (!done && error != other.error) || partial.size() != other.partial.size())
            return false;
        for (const auto& [id, body] : partial) {
            auto it = other.partial.find(id);
            if (it == other.partial.end()) return false;
            const auto n = std::min(body.size(), it->second.size());
            if (body.compare(0, n, it->second, 0, n) != 0) return false;
        }
        return true;
    }
};

std::int32_t open_request(Client& client, Http2ClientSession& session, int n, bool upload) {
    const std::string path = "/" + std::to_string(n);
    httpx::Headers headers{{"Accept", "*/*"}, {"User-Agent", "fuzz"}};
    if (upload) headers.add("Content-Type", "application/octet-stream");
    const std::int32_t id = session.submit_request(
        {upload ? "POST" : "GET", "https", "example.com", path}, headers, upload);
    FUZZ_CHECK(!client.streams.contains(id));
    StreamState& s = client.streams[id];
    if (upload) s.body.assign(kBodySize, 'x');
    return id;
}

void drain(Http2ClientSession& session, std::size_t limit) {
    std::string out;
    while (session.send(out, limit) > 0) out.clear();
}

// The server's bytes, cut into `pieces`, with frames going out only before and after them (so
// that the outcome may not depend on the cuts).
Outcome run_batched(const Setup& setup, const std::vector<std::string_view>& pieces) {
    Client client;
    client.window = setup.config.stream_window;
    Http2ClientSession session(client, setup.config);
    client.session = &session;
    for (int i = 0; i < setup.requests; ++i) {
        const std::int32_t id = open_request(client, session, i, setup.upload && i == 0);
        client.streams[id].body_end = true;
    }
    drain(session, 1 << 20);
    Outcome outcome;
    try {
        for (auto piece : pieces) session.receive(piece);
    } catch (const httpx::RemoteProtocolError& e) {
        outcome.error = e.what();
        FUZZ_CHECK(!session.local_error().empty());
    }
    client.consume_all();
    drain(session, 1 << 20);  // the GOAWAY of an error, WINDOW_UPDATE, RST_STREAM, body left
    outcome.events = std::move(client.events);
    if (client.goaway_at) {
        outcome.events.resize(*client.goaway_at);
        outcome.done = true;
    }
    for (auto& [id, s] : client.streams)
        (s.ended && !outcome.done ? outcome.bodies : outcome.partial)[id] = std::move(s.received);
    return outcome;
}

// As Http2Connection runs: after every read, the application consumes (some) bodies, may cancel
// a stream or open another, the upload's second half arrives late, and the writer drains.
void run_live(const Setup& setup, const std::vector<std::string_view>& pieces, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    Client client;
    client.window = setup.config.stream_window;
    Http2ClientSession session(client, setup.config);
    client.session = &session;
    std::optional<std::int32_t> upload;
    for (int i = 0; i < setup.requests; ++i) {
        const std::int32_t id = open_request(client, session, i, setup.upload && i == 0);
        if (setup.upload && i == 0) {
            upload = id;
            client.streams[id].body.resize(kBodySize / 2);  // the rest comes later
        } else {
            client.streams[id].body_end = true;
        }
    }
    int opened = setup.requests;
    drain(session, 16 * 1024);
    for (auto piece : pieces) {
        try {
            session.receive(piece);
        } catch (const httpx::RemoteProtocolError&) {
            FUZZ_CHECK(!session.local_error().empty());
            drain(session, 1 << 20);  // the GOAWAY still goes out; then the socket closes
            return;
        }
        if (random() % 2) client.consume_all();
        if (upload && !client.streams[*upload].closed && !client.streams[*upload].body_end) {
            auto& s = client.streams[*upload];
            s.body.append(kBodySize / 2, 'y');
            s.body_end = true;
            session.resume_body(*upload);
        }
        if (random() % 8 == 0) {  // the application gives up on a stream
            std::vector<std::int32_t> open;
            for (const auto& [id, s] : client.streams)
                if (!s.closed && !s.abandoned) open.push_back(id);
            if (!open.empty()) {
                const auto id = open[random() % open.size()];
                client.streams[id].abandoned = true;
                session.reset_stream(id, Http2Error::cancel);
            }
        }
        if (random() % 8 == 0 && !client.goaway) {  // another request on the connection
            try {
                open_request(client, session, opened++, false);
                client.streams.rbegin()->second.body_end = true;
            } catch (const httpx::RemoteProtocolError&) {
                // No stream can be opened any more: the connection refuses, the pool moves on.
            }
        }
        drain(session, random() % 2 ? 16 * 1024 : 256 * 1024);
        // A session that reads no more while a stream waits for its response would leave that
        // request hanging: it must have said so (receive() throws, or the stream closed). (A
        // stream whose response ended waits for nothing, even if its upload was cut short.)
        // This includes a request nghttp2 still holds back for the server's stream limit
        // (SETTINGS_MAX_CONCURRENT_STREAMS 0) when a GOAWAY comes: refused at once.
        if (session.is_done()) {
            for (const auto& [id, s] : client.streams) FUZZ_CHECK(s.closed || s.ended);
        }
    }
    if (random() % 4 == 0) {
        session.terminate();  // the client closes the connection
        drain(session, 1 << 20);
        FUZZ_CHECK(session.is_done());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    Setup setup;
    setup.requests = 1 + (data[0] & 3);
    setup.upload = (data[0] & 4) != 0;
    if (data[0] & 8) setup.config.stream_window = 16 * 1024;
    const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);

    const auto whole = run_batched(setup, {stream});
    const auto pieces = split(stream, seed_of(stream));
    const auto cut = run_batched(setup, pieces);
    if (std::getenv("HTTPXX_FUZZ_TRACE")) {  // what an input does, to read a crash or a seed
        // The outcome, and the one of the cut input when it differs.
        for (const auto* outcome : {&whole, &cut}) {
            if (outcome == &cut && cut.same_as(whole)) break;
            for (const auto& event : outcome->events) std::fprintf(stderr, "%s\n", event.c_str());
            for (const auto& [id, body] : outcome->bodies)
                std::fprintf(stderr, "body %d: %s\n", id, body.c_str());
            for (const auto& [id, body] : outcome->partial)
                std::fprintf(stderr, "partial body %d: %s\n", id, body.c_str());
            std::fprintf(stderr, "error: %s\n---\n", outcome->error.c_str());
        }
    }
    FUZZ_CHECK(cut.same_as(whole));
    run_live(setup, pieces, seed_of(stream) ^ 0x5eed);
    return 0;
}
