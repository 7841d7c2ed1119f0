// One HTTP/1.1 request/response cycle on the client side (sans-I/O, as h11's Connection): the
// request's head and body framing as bytes, the response parsed from bytes, and whether the
// connection may carry the next request when the cycle ends.
//
// Two rules, as h11/_state.py states its own:
//   1. Every state change of the cycle happens in this class: the connection that owns it moves
//      bytes and never decides framing or keep-alive itself.
//   2. It does no I/O and knows no sockets, timeouts or pools: it is tested with byte strings.
#pragma once

#include "protocol/http11_parser.hpp"
#include "protocol/request_target.hpp"

#include <httpx/request.hpp>
#include <httpx/types.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace httpx::protocol {

/// How a request body goes on the wire.
enum class BodyFraming {
    as_is,    ///< the bytes as they are: in memory, or streamed with a Content-Length
    chunked,  ///< chunked transfer coding: a streamed body without a Content-Length
};

/// The framing of `request`'s body.
BodyFraming body_framing(const Request& request);

/// One request/response cycle at a time on one connection, reused for the next cycle.
///
///     idle --start()--> sending_body --request_sent()--> awaiting_response
///       --(head parsed)--> receiving_body --(body parsed)--> done
///       --finish()--> idle (keep-alive) or must_close
///
/// Any state goes to must_close through abandon() (a failure, a response given up half-way).
class Http11Exchange {
public:
    enum class State {
        idle,               ///< no cycle in progress: start() may begin one
        sending_body,       ///< the head is serialized; the request (body) is being written
        awaiting_response,  ///< the request is out; the final response head is not complete
        receiving_body,     ///< the final response head is parsed; its body follows
        done,               ///< the response is complete; finish() gives the verdict
        must_close,         ///< the connection carries no further request
    };

    Http11Exchange();

    State state() const noexcept { return state_; }

    /// Begins the cycle of `request`: chooses its body framing and serializes its head (see
    /// head()). With `proxy_headers`, the request is forwarded by an HTTP proxy: its target in
    /// absolute form (forwarded_target()), the proxy headers first (merge_headers()). Throws
    /// `std::logic_error` unless idle, `LocalProtocolError` for an invalid method, target or
    /// header (the state stays idle).
    void start(const Request& request, const Headers* proxy_headers = nullptr);
    /// The serialized request head of the cycle (valid until the next start()).
    std::string_view head() const noexcept { return head_; }
    BodyFraming framing() const noexcept { return framing_; }
    /// `chunk` of the request body as it goes on the wire: itself, or framed into `scratch`.
    std::string_view frame_body(std::string_view chunk, std::string& scratch) const;
    /// What ends the request body on the wire: the last chunk, or nothing.
    std::string_view end_of_body() const noexcept;
    /// The whole request was written: the response comes next.
    void request_sent() noexcept;

    /// Response bytes in, as ResponseParser::feed(): returns how many it consumed (0 once
    /// done: the rest is beyond the response). Throws `RemoteProtocolError` on malformed input.
    std::size_t feed(std::string_view data);
    /// Body bytes the caller read into a buffer of its own (at most identity_body_left()).
    void feed_body(Bytes&& chunk);
    /// The server closed the connection: completes a body that ends with it; throws
    /// `RemoteProtocolError` when the response is incomplete.
    void feed_eof();

    bool headers_done() const noexcept { return parser_.headers_done(); }
    bool message_done() const noexcept { return parser_.message_done(); }
    /// Not a byte of response arrived yet in this cycle: the server did not answer it.
    bool nothing_received() const noexcept { return nothing_received_; }
    /// See ResponseParser::identity_body_left().
    std::uint64_t identity_body_left() const noexcept { return parser_.identity_body_left(); }
    /// Body bytes parsed and not taken yet.
    Bytes take_body() { return parser_.take_body(); }
    /// The response's head (status, headers, version) once headers_done().
    ResponseParser& response() noexcept { return parser_; }

    /// Ends the cycle and says whether the connection may carry another request: only when the
    /// response was `read_to_end`, allows keep-alive (HTTP/1.1 without "Connection: close",
    /// framed body, no upgrade) and no `bytes_beyond` it arrived (a confused server). Goes to
    /// idle when it may, else to must_close.
    bool finish(bool read_to_end, bool bytes_beyond) noexcept;
    /// Gives the cycle up (a failure): the connection carries no further request.
    void abandon() noexcept { state_ = State::must_close; }

private:
    void update_response_state() noexcept;

    State state_ = State::idle;
    BodyFraming framing_ = BodyFraming::as_is;
    bool nothing_received_ = true;
    std::string head_;       // reused between cycles: no allocation per request head
    ResponseParser parser_;  // reused between cycles (reset by start())
};

}  // namespace httpx::protocol
