// httpx::Response: status, headers and a body that may still be streaming.
#pragma once

#include <httpx/async_iterator.hpp>
#include <httpx/byte_stream.hpp>
#include <httpx/cookies.hpp>
#include <httpx/headers.hpp>
#include <httpx/iterator.hpp>
#include <httpx/request.hpp>
#include <httpx/text_encoding.hpp>
#include <httpx/types.hpp>
#include <httpx/url.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace httpx {

namespace detail {
struct ResponseAccess;  // the clients' and transports' view of a response's internals
}

/// What `Response(status, options)` is built from (HTTPX's `Response(...)` keywords). At most
/// one of content/text/html/json/stream is meant to be set.
struct ResponseOptions {
    std::optional<Bytes> content{};           // adds Content-Length
    std::optional<std::string> text{};        // text/plain; charset=utf-8
    std::optional<std::string> html{};        // text/html; charset=utf-8
    JsonOption json{};                        // application/json, as a request's `json`
    std::optional<AsyncByteStream> stream{};  // a body still to be read; no headers added
    Headers headers{};
    std::optional<Request> request{};
    Extensions extensions{};  // "http_version", "reason_phrase" (std::string)
    /// The encoding of `text()` when Content-Type names no known charset: a name, or a
    /// detector such as `autodetect_encoding` (see `DefaultEncoding`).
    DefaultEncoding default_encoding = "utf-8";
};

/// An HTTP response (HTTPX's `Response`). Copies refer to the same response (as Python
/// references do): reading the body through one is seen by all. When the last copy goes, an
/// unread body is closed and its connection released, never leaked.
class Response {
public:
    /// A response built by hand, e.g. in a `MockTransport` handler.
    explicit Response(int status_code, ResponseOptions options = {});
    /// An empty 200 response: a placeholder where a default-constructible type is required
    /// (e.g. `asio::co_spawn(ex, client.get(url), asio::use_future)`).
    Response() : Response(200) {}

    int status_code() const noexcept;
    /// From the "reason_phrase" extension, else the standard phrase of the status code.
    std::string reason_phrase() const;
    /// "HTTP/1.1" (the default), "HTTP/1.0" or "HTTP/2".
    std::string http_version() const;
    Headers& headers() noexcept;
    const Headers& headers() const noexcept;
    /// The request's URL. Throws `std::logic_error` when no request is attached.
    const URL& url() const;
    /// Throws `std::logic_error` ("The request instance has not been set on this response.").
    const Request& request() const;
    bool has_request() const noexcept;
    void set_request(Request request);
    /// HTTPX's response extensions, from the transport: "http_version", "reason_phrase"
    /// (std::string); "tls" (httpx::TLSInfo, over TLS); "network_stream" (httpx::NetworkStream,
    /// after 101 Switching Protocols); over HTTP/2 "stream_id" (int) and "trailers"
    /// (std::shared_ptr<const Headers>, filled in once the body is read).
    Extensions& extensions() noexcept;

    /// The decoded body. Throws `ResponseNotRead` while a streamed body is unread.
    const Bytes& content() const;
    /// The body as text, decoded with `encoding()` (invalid bytes become U+FFFD).
    const std::string& text() const;
    /// The body parsed as JSON (throws `nlohmann::json::parse_error` on invalid JSON).
    nlohmann::json json() const;
    /// The text encoding: the one set with `set_encoding`, else the Content-Type charset when
    /// known, else the default encoding ("utf-8"). A default that is a detector is called once
    /// the body has been read (its answer is kept; "" means "utf-8"); before, it gives "utf-8".
    std::string encoding() const;
    /// Overrides the encoding. Throws `std::logic_error` once `text()` was accessed.
    void set_encoding(std::string encoding);
    /// The charset parameter of Content-Type, lower-cased, or nullopt.
    std::optional<std::string> charset_encoding() const;

    bool is_informational() const noexcept;
    bool is_success() const noexcept;
    bool is_redirect() const noexcept;
    bool is_client_error() const noexcept;
    bool is_server_error() const noexcept;
    bool is_error() const noexcept;
    /// A redirect status (301, 302, 303, 307, 308) with a Location header.
    bool has_redirect_location() const;
    /// Throws `HTTPStatusError` unless the status is 2xx; returns `*this` otherwise. Throws
    /// `std::logic_error` when no request is attached.
    const Response& raise_for_status() const;

    /// Time from sending the request to closing the response. Throws `std::logic_error` before
    /// the response is read or closed.
    std::chrono::steady_clock::duration elapsed() const;
    void set_elapsed(std::chrono::steady_clock::duration elapsed);
    /// Responses of the redirects (and auth round-trips) that led here, oldest first.
    const std::vector<Response>& history() const noexcept;
    void set_history(std::vector<Response> history);
    /// The request a redirect response points to (set when redirects were not followed).
    const std::optional<Request>& next_request() const noexcept;
    void set_next_request(std::optional<Request> request);
    /// The cookies this response sets.
    Cookies cookies() const;
    /// The Link header, parsed: key (rel, else url) -> params ("url", "rel", ...).
    std::map<std::string, std::map<std::string, std::string>> links() const;
    /// Raw (still encoded) body bytes received so far.
    std::uint64_t num_bytes_downloaded() const noexcept;
    bool is_closed() const noexcept;
    bool is_stream_consumed() const noexcept;

    /// Reads the rest of the body and returns `content()`.
    awaitable<Bytes> aread();
    /// The decoded body in chunks (of `chunk_size` bytes when given). Throws `StreamConsumed`
    /// when the body was already streamed, `StreamClosed` after `aclose()`.
    AsyncIterator<Bytes> aiter_bytes(std::optional<std::size_t> chunk_size = std::nullopt);
    /// The body decoded to UTF-8 text, in chunks of `chunk_size` characters when given.
    AsyncIterator<std::string> aiter_text(std::optional<std::size_t> chunk_size = std::nullopt);
    /// The text split into lines (`str.splitlines()` rules, no terminators).
    AsyncIterator<std::string> aiter_lines();
    /// The body as received, without content decoding.
    AsyncIterator<Bytes> aiter_raw(std::optional<std::size_t> chunk_size = std::nullopt);
    /// Closes the body now, releasing the connection. Safe to call twice.
    awaitable<void> aclose();
    /// The synchronous form of `aclose()`.
    void close();

    // The sync forms (HTTPX's sync `Response`), for the responses of an `httpx::Client`: each
    // step blocks, running the client's loop on the calling thread until the next chunk is in.
    // `for (const httpx::Bytes& chunk : response.iter_bytes()) ...`. A response whose body is
    // in memory (read, or built by hand with content) allows the sync and the async forms; on
    // the unread streamed body of an `AsyncClient`'s response the sync forms throw
    // `std::logic_error` ("Attempted to call a sync iterator on an async stream."), and on a
    // `Client`'s the async forms do ("... an async iterator on a sync stream."). Inside one of
    // the client's own event hooks the sync forms are not available (the body is not a sync
    // stream yet there): use `co_await response.aread()` in an async hook.

    /// Reads the rest of the body and returns `content()`.
    const Bytes& read();
    /// The decoded body in chunks (of `chunk_size` bytes when given), as `aiter_bytes`.
    Iterator<Bytes> iter_bytes(std::optional<std::size_t> chunk_size = std::nullopt);
    /// The body decoded to UTF-8 text, as `aiter_text`.
    Iterator<std::string> iter_text(std::optional<std::size_t> chunk_size = std::nullopt);
    /// The text split into lines, as `aiter_lines`.
    Iterator<std::string> iter_lines();
    /// The body as received, without content decoding, as `aiter_raw`.
    Iterator<Bytes> iter_raw(std::optional<std::size_t> chunk_size = std::nullopt);

    /// Prints `<Response [200 OK]>`.
    friend std::ostream& operator<<(std::ostream& os, const Response& response);

    // Not API: public only because helper functions of src/models/response.cpp name it.
    struct State;

private:
    friend struct detail::ResponseAccess;
    // The async pipelines behind both forms, without the sync/async check.
    AsyncIterator<Bytes> bytes_chunks(std::optional<std::size_t> chunk_size);
    AsyncIterator<std::string> text_chunks(std::optional<std::size_t> chunk_size);
    AsyncIterator<std::string> line_chunks();
    AsyncIterator<Bytes> raw_chunks(std::optional<std::size_t> chunk_size);

    explicit Response(std::shared_ptr<State> state) noexcept : state_(std::move(state)) {}
    std::shared_ptr<State> state_;
};

}  // namespace httpx
