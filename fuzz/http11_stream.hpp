// A client's reading of a connection's byte stream with the HTTP/1.1 response parser, shared by
// the parser's fuzz targets: one response after the other while the connection stays reusable.
#pragma once

#include "fuzz_support.hpp"
#include "protocol/http11_parser.hpp"

#include <httpx/exceptions.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace httpx::fuzz {

using httpx::protocol::ParserLimits;
using httpx::protocol::ResponseParser;

struct Message {
    int status = 0;
    std::string reason;
    std::string version;
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<std::pair<std::string, std::string>> trailers;
    std::string body;
    bool keep_alive = false;
    bool upgraded = false;
    bool operator==(const Message&) const = default;
};

struct Outcome {
    std::vector<Message> messages;  // complete ones
    bool failed = false;
    bool waiting = false;      // a response started and is not complete
    std::size_t consumed = 0;  // bytes of the stream the parsers took
    std::string error;         // the failure's message (may depend on the split: not compared)
    bool operator==(const Outcome& o) const {
        return messages == o.messages && failed == o.failed && waiting == o.waiting &&
               consumed == o.consumed;
    }
};

template <class Parser>
Message snapshot(const Parser& parser, std::string body) {
    Message m;
    m.status = parser.status_code();
    m.reason = std::string(parser.reason());
    m.version = parser.http_version();
    m.headers = parser.headers().multi_items();
    m.trailers = parser.trailers().multi_items();
    m.body = std::move(body);
    m.keep_alive = parser.keep_alive();
    m.upgraded = parser.upgraded();
    FUZZ_CHECK(m.status >= 100 && m.status <= 999);
    FUZZ_CHECK(m.version == "HTTP/1.1" || m.version == "HTTP/1.0");
    FUZZ_CHECK(parser.body_bytes_received() == m.body.size());
    if (auto length = parser.content_length();
        length && !parser.chunked() && !m.upgraded && m.body.size() != 0) {
        FUZZ_CHECK(m.body.size() == *length);
    }
    return m;
}

// Feeds `pieces` as a connection delivers them, then EOF when `eof`, to a ResponseParser (or the
// differential target's oracle, which has the same interface).
template <class Parser = ResponseParser>
Outcome run(const std::vector<std::string_view>& pieces, std::string_view method, bool eof,
            ParserLimits limits = {}) {
    Outcome out;
    auto parser = std::make_unique<Parser>(method, limits);
    std::string buffer, body;
    bool started = false;
    // Records a complete response and starts the next; false when the connection is not
    // reusable: the rest is not HTTP for us (or belongs to the upgraded protocol).
    const auto next_message = [&] {
        out.messages.push_back(snapshot(*parser, std::exchange(body, {})));
        if (!parser->keep_alive()) return false;
        parser = std::make_unique<Parser>(method, limits);
        started = false;
        return true;
    };
    try {
        for (auto piece : pieces) {
            // As Http11Connection reads: with nothing buffered, bytes of an identity body go to
            // feed_body() in a chunk of their own (the whole stream, one piece, never does).
            if (const auto left = parser->identity_body_left();
                buffer.empty() && left > 0 && !piece.empty()) {
                const auto n =
                    static_cast<std::size_t>(std::min<std::uint64_t>(left, piece.size()));
                FUZZ_CHECK(parser->feed_body(httpx::Bytes(piece.substr(0, n))) == n);  // all body
                piece.remove_prefix(n);
                out.consumed += n;
                body += parser->take_body();
                if (parser->message_done() && !next_message()) return out;
            }
            buffer.append(piece);
            while (!buffer.empty()) {
                started = true;
                const auto n = parser->feed(buffer);
                FUZZ_CHECK(n <= buffer.size());
                buffer.erase(0, n);
                out.consumed += n;
                body += parser->take_body();
                if (!parser->message_done()) {
                    FUZZ_CHECK(buffer.size() <= limits.max_header_bytes + 2);  // bounded
                    break;
                }
                if (!next_message()) return out;
            }
        }
        if (started && !parser->message_done()) {
            if (eof) {
                parser->feed_eof();
                body += parser->take_body();
                FUZZ_CHECK(parser->message_done());
                out.messages.push_back(snapshot(*parser, std::move(body)));
            } else {
                out.waiting = true;
            }
        }
    } catch (const httpx::RemoteProtocolError& e) {
        out.failed = true;
        out.error = e.what();
        out.consumed = 0;  // how much of the failing feed() was taken is not observable
        // A failed parser refuses more input (LocalProtocolError), it does not crash.
        try {
            parser->feed("x");
            FUZZ_CHECK(false);
        } catch (const httpx::LocalProtocolError&) {
        }
    }
    return out;
}

}  // namespace httpx::fuzz
