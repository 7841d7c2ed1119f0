// One request and its response, whatever the protocol: what a route sees. Http1Exchange
// (http1_exchange.hpp) frames it as HTTP/1.1 bytes, Http2Exchange (http2_server_session.cpp) as the
// frames of one HTTP/2 stream, so that each route is written once for both.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace httpx::testing {

class Connection;

namespace detail {

using Fields = std::vector<std::pair<std::string, std::string>>;

// A request the server cannot make sense of (malformed head, body or query).
struct BadRequest : std::runtime_error {
    using std::runtime_error::runtime_error;
};

bool iequals(std::string_view a, std::string_view b);
std::string lower(std::string_view text);
std::optional<std::uint64_t> to_number(std::string_view text);

struct Request {
    std::string method;
    std::string target;
    std::string path;
    std::string query;
    int version = 11;       // 10, 11, or 20 (HTTP/2)
    Fields headers;         // regular fields, as received
    Fields pseudo_headers;  // HTTP/2: ":method" and friends, in the order received
    Fields trailers;        // HTTP/2: the request's trailers, once its body has ended

    // Splits a request target into path and query.
    void set_target(std::string_view text);
    std::optional<std::string> header(std::string_view name) const;
    std::optional<std::string> param(std::string_view name) const;
    // A query parameter as a number, `fallback` if absent; throws BadRequest if not a number.
    std::uint64_t number_param(std::string_view name, std::uint64_t fallback) const;
};

// The head of a response, as a route describes it.
struct Response {
    int status = 200;
    Fields fields;  // besides Content-Length / Transfer-Encoding / Connection, which follow below
    std::optional<std::uint64_t> content_length;  // none: streamed (HTTP/1.1: chunked)
    bool close = false;   // HTTP/1.1: Connection: close; HTTP/2: GOAWAY once answered
    bool http10 = false;  // HTTP/1.1: an HTTP/1.0 status line and a close-delimited body
    std::vector<std::string> trailer_names;  // HTTP/1.1: announced in a Trailer field
    // Sent exactly as given after `fields`, even where HTTP/2 forbids them (misbehaving routes).
    Fields raw_fields;
    bool omit_status = false;  // HTTP/2: no :status pseudo-header at all (misbehaving routes)

    explicit Response(int code = 200) : status(code) {}
    Response& field(std::string_view name, std::string_view value) {
        fields.emplace_back(std::string(name), std::string(value));
        return *this;
    }
    // 1xx, 204 and 304 have no body, whatever the method.
    bool bodiless_status() const { return status < 200 || status == 204 || status == 304; }
};

// What the connection does once a route returns.
enum class After { keep_alive, close, closed };

class Exchange {
public:
    template <class T>
    using awaitable = boost::asio::awaitable<T>;

    virtual ~Exchange() = default;

    virtual Connection& connection() = 0;
    virtual const Request& request() const = 0;
    // "HTTP/1.1" or "HTTP/2".
    virtual std::string_view protocol() const = 0;
    bool http2() const { return request().version == 20; }
    // The HTTP/2 stream id (0 over HTTP/1.1).
    virtual std::uint32_t stream_id() const { return 0; }
    bool is_head() const { return request().method == "HEAD"; }
    // HTTP/1.1 chunked request framing.
    virtual bool chunked_request() const { return false; }
    virtual std::optional<std::uint64_t> request_content_length() const;

    // The next piece of the request body; false at its end.
    virtual awaitable<bool> read_body(std::string& out) = 0;
    // Reads and drops the rest of the request body; returns how many bytes that was.
    awaitable<std::uint64_t> drain();

    // An interim (1xx) response.
    virtual awaitable<void> interim(int status) = 0;
    // The response head. Nothing may be sent after it but body(), begin_chunk() and finish().
    virtual awaitable<void> start(const Response& head) = 0;
    // Response body bytes (dropped for HEAD and bodiless statuses). Returns once the data is
    // written or queued within a bounded buffer.
    virtual awaitable<void> body(std::string_view data) = 0;
    // HTTP/1.1 chunked body only: the next `size` bytes of body() calls form one chunk (else each
    // body() call is one chunk).
    virtual awaitable<void> begin_chunk(std::uint64_t size) = 0;
    // Ends the response (with trailers, for a streamed body) and says what the connection does.
    virtual awaitable<After> finish() = 0;
    virtual awaitable<After> finish_with_trailers(const Fields& trailers) = 0;

    // A route's wait; ends with an exception if the connection (or stream) is closed meanwhile.
    virtual awaitable<void> sleep_until(std::chrono::steady_clock::time_point when) = 0;
    awaitable<void> sleep(std::chrono::milliseconds duration);

    // Misbehaviour. Raw bytes on the connection, amid whatever framing the protocol has.
    virtual awaitable<void> write_raw(std::string_view bytes) = 0;
    // HTTP/2: RST_STREAM with `code` once what was sent of the response is written. HTTP/1.1:
    // the connection is aborted (TCP RST).
    virtual awaitable<After> reset_stream(std::uint32_t code) = 0;
    // HTTP/2: GOAWAY(code, last_stream_id); close: close the TCP connection once it is written.
    virtual awaitable<void> goaway(std::uint32_t code, std::uint32_t last_stream_id,
                                   bool close) = 0;
};

}  // namespace detail
}  // namespace httpx::testing
