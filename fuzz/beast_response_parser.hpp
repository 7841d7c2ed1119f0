// The HTTP/1.1 response parser as it was over Boost.Beast's basic_parser (before round 5 of issue
// 6), kept as the oracle of the differential fuzz target (http11_differential.cpp): the same
// interface and documented behaviour as httpx::protocol::ResponseParser. Not part of the library.
#pragma once

#include "protocol/http11_parser.hpp"

#include <httpx/headers.hpp>
#include <httpx/types.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace httpx::fuzz {

using protocol::ParserLimits;

/// Parses one HTTP/1.x response from a byte stream with Beast (see protocol::ResponseParser).
///
/// Interim 1xx responses (100 Continue, 103 Early Hints ...) are skipped: the parser goes on with
/// the final response in the same stream. 101 Switching Protocols, and a 2xx answer to CONNECT,
/// end the message after the head (`upgraded()`): the bytes after it belong to another protocol.
/// Responses to HEAD, and 1xx, 204 and 304 responses, have no body.
///
/// Body bytes are delivered either to a sink set with `set_body_sink()` (no copy: the view
/// points into the caller's buffer and is valid during the call only) or, without a sink,
/// appended to an internal buffer that `take_body()` moves out; take them after each `feed()`
/// to keep memory bounded.
///
/// After an exception the parser is failed: `feed()` and `feed_eof()` throw
/// `httpx::LocalProtocolError` from then on.
class BeastResponseParser {
public:
    using BodySink = std::function<void(std::string_view)>;

    /// `request_method` is the method of the request this response answers (HEAD: no body,
    /// CONNECT: a 2xx opens a tunnel).
    explicit BeastResponseParser(std::string_view request_method, ParserLimits limits = {});
    ~BeastResponseParser();
    /// Starts over with the response to another request on the same connection, keeping the
    /// limits and the allocated state (a connection reuses one parser).
    void reset(std::string_view request_method);
    BeastResponseParser(BeastResponseParser&&) noexcept;
    BeastResponseParser& operator=(BeastResponseParser&&) noexcept;

    /// Consumes a prefix of `data` and returns its length; the caller keeps the rest and passes
    /// it again, followed by more bytes, on the next call. A head is consumed only once it is
    /// complete (so the result never depends on how the stream was split); body bytes as they
    /// come. Returns 0 once `message_done()`: the remaining bytes (if any) do not belong to this
    /// response. Empty lines before a status line are skipped.
    ///
    /// Throws `httpx::RemoteProtocolError` on malformed input: a garbage status line, a bad
    /// header line, a header block or chunk line over `max_header_bytes`, more than
    /// `max_header_count` fields, an invalid or conflicting Content-Length, both Content-Length
    /// and Transfer-Encoding (a request smuggling vector), a bad chunk, a body over
    /// `max_body_bytes`. Exceptions thrown by the body sink propagate and fail the parser.
    std::size_t feed(std::string_view data);

    /// The peer closed the connection. Completes a close-delimited body (no Content-Length and
    /// not chunked). Throws `httpx::RemoteProtocolError` when the response is incomplete:
    /// "Server disconnected without sending a response." before the end of the final head (as
    /// httpcore), "peer closed connection without sending complete message body: ..." in a
    /// framed body (as h11). Does nothing once `message_done()`.
    void feed_eof();

    /// The final response's status line and headers are parsed.
    bool headers_done() const noexcept;
    /// The whole response is parsed (head, body and trailers).
    bool message_done() const noexcept;
    /// 101 Switching Protocols or a 2xx to CONNECT: the message is done and the connection now
    /// carries another protocol, starting with the bytes `feed()` did not consume.
    bool upgraded() const noexcept;

    /// The status code, or 0 before `headers_done()`.
    int status_code() const noexcept;
    /// The reason phrase as received (may be empty or hold obs-text).
    std::string_view reason() const noexcept;
    /// "HTTP/1.1" or "HTTP/1.0"; empty before `headers_done()`.
    std::string http_version() const;
    /// The final response's header fields in order, names in their original case.
    const httpx::Headers& headers() const noexcept;
    /// Moves the header fields out (`headers()` is empty afterwards).
    httpx::Headers take_headers() noexcept;
    /// The fields of a chunked body's trailer section, once `message_done()`.
    const httpx::Headers& trailers() const noexcept;
    /// The Content-Length of the final response, when it has one.
    std::optional<std::uint64_t> content_length() const noexcept;
    /// The response uses chunked transfer coding.
    bool chunked() const noexcept;

    /// Routes body bytes to `sink` instead of the internal buffer (pass nullptr to stop).
    void set_body_sink(BodySink sink);
    /// Body bytes parsed so far and not taken yet (moved out).
    httpx::Bytes take_body();
    /// How many more bytes belong to the body when it is neither chunked nor done: what its
    /// Content-Length leaves, or the largest value for a body that ends with the connection.
    /// 0 otherwise (a chunked body, no body, or the body is done). Up to that many bytes can go
    /// to `feed_body()`.
    std::uint64_t identity_body_left() const noexcept;
    /// Feeds bytes the caller read straight into a buffer of its own, all of them body bytes
    /// (at most `identity_body_left()`): when nothing else is waiting to be taken, `chunk`
    /// itself becomes what `take_body()` returns, without a copy. Returns as `feed()`.
    std::size_t feed_body(httpx::Bytes&& chunk);
    /// Body bytes received so far, taken or not.
    std::uint64_t body_bytes_received() const noexcept;

    /// After `message_done()`: whether the connection may carry another request: HTTP/1.1
    /// without "Connection: close", HTTP/1.0 with "Connection: keep-alive", the body framed by
    /// Content-Length or chunked (or absent), and no upgrade. False before `message_done()`.
    bool keep_alive() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace httpx::fuzz
