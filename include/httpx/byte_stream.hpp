// httpx::AsyncByteStream: a request or response body, in memory or streamed.
#pragma once

#include <httpx/async_iterator.hpp>
#include <httpx/types.hpp>

#include <concepts>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace httpx {

template <class T>
class AsyncGenerator;

namespace detail {
struct ByteStreamAccess;  // the transports' constructors (src/content/byte_stream_access.hpp)
}

/// Anything callable as `() -> awaitable<std::optional<Bytes>>`: each call yields the next chunk,
/// nullopt at the end.
template <class F>
concept ByteChunkSource =
    std::invocable<F&> && std::same_as<std::invoke_result_t<F&>, awaitable<std::optional<Bytes>>>;

/// Anything callable as `() -> std::optional<Bytes>`: a blocking chunk source (HTTPX's sync
/// bytes iterator), e.g. a function reading a file piece by piece.
template <class F>
concept SyncByteChunkSource =
    std::invocable<F&> && std::same_as<std::invoke_result_t<F&>, std::optional<Bytes>>;

/// A range whose elements are chunks of bytes (`Bytes`, `std::string_view`), such as
/// `std::vector<Bytes>`.
template <class R>
concept ByteChunkRange = requires(const R& r) {
    std::end(r);
    { *std::begin(r) } -> std::convertible_to<std::string_view>;
};

/// A body (HTTPX's `AsyncByteStream`/`ByteStream`). Bytes in memory are replayable (redirects,
/// auth retries) and have a known length; a stream from a callable, an iterator or an
/// `AsyncGenerator` is one-shot: iterating it a second time throws `StreamConsumed`.
/// Copies share the same underlying source.
class AsyncByteStream {
public:
    using OpenFn = std::function<AsyncIterator<Bytes>()>;

    /// An empty body.
    AsyncByteStream();
    /// A body held in memory.
    AsyncByteStream(Bytes content);
    AsyncByteStream(const char* content) : AsyncByteStream(Bytes(content)) {}
    AsyncByteStream(std::string_view content) : AsyncByteStream(Bytes(content)) {}
    /// The file at `path` (HTTPX's `content=open(path, "rb")`), read in 64 KiB chunks on a
    /// small shared thread pool, never on the event loop, and never loaded whole. A regular
    /// file's size, taken now, is the length (Content-Length), and the body is replayable
    /// (opened again for a redirect or an auth retry); reading throws `std::runtime_error` if
    /// the file has become shorter since. Anything else that reads (a pipe, /dev/stdin) is
    /// one-shot, of unknown length (sent chunked). Throws `std::filesystem::filesystem_error`
    /// now if `path` does not exist or is a directory.
    AsyncByteStream(const std::filesystem::path& path);
    /// A one-shot body pulled chunk by chunk from `source`; `length` when known in advance.
    template <ByteChunkSource F>
    AsyncByteStream(F source, std::optional<std::uint64_t> length = std::nullopt)
        : AsyncByteStream(AsyncIterator<Bytes>(std::move(source)), length) {}
    /// A one-shot body from an iterator, e.g. another response's `aiter_bytes()`.
    AsyncByteStream(AsyncIterator<Bytes> chunks,
                    std::optional<std::uint64_t> length = std::nullopt);
    /// A one-shot body from a coroutine generator that `co_yield`s chunks.
    AsyncByteStream(AsyncGenerator<Bytes> generator);
    /// A one-shot body pulled from a blocking callable (HTTPX's sync generator, for
    /// `httpx::Client`). Each call runs on the client's loop, blocking it until it returns.
    template <SyncByteChunkSource F>
    AsyncByteStream(F source, std::optional<std::uint64_t> length = std::nullopt)
        : AsyncByteStream(from_sync(std::function<std::optional<Bytes>()>(std::move(source))),
                          length) {}
    /// A replayable body from a range of chunks (kept in the stream), e.g.
    /// `std::vector<Bytes>`: sent chunked (HTTP/1.1) or as DATA frames (HTTP/2), as HTTPX sends
    /// a list of bytes.
    template <ByteChunkRange R>
    requires(!std::convertible_to<const R&, std::string_view>) AsyncByteStream(R chunks)
        : AsyncByteStream(replayable(
              [shared = std::make_shared<const R>(std::move(chunks))] {
                  auto at = std::make_shared<decltype(std::begin(*shared))>(std::begin(*shared));
                  return from_sync([shared, at]() -> std::optional<Bytes> {
                      if (*at == std::end(*shared)) return std::nullopt;
                      Bytes chunk{std::string_view(**at)};
                      ++*at;
                      return chunk;
                  });
              },
              std::nullopt)) {}

    /// A replayable streamed body: `open` is called once per iteration (files, multipart).
    static AsyncByteStream replayable(OpenFn open, std::optional<std::uint64_t> length);

    /// Starts an iteration over the chunks (empty chunks are skipped). Throws `StreamConsumed`
    /// when a one-shot stream was already iterated.
    AsyncIterator<Bytes> aiter() const;
    /// Reads the whole body into memory (starting an iteration).
    awaitable<Bytes> aread() const;

    /// The body's size when known in advance (always for in-memory bodies).
    std::optional<std::uint64_t> length() const;
    bool is_replayable() const;
    /// The content of an in-memory body, nullptr for a streamed one.
    const Bytes* buffer() const;

    /// Sets what closing the stream does (transports release their connection there). It runs
    /// once: on `close()`, or when the last copy of the stream is destroyed.
    void set_close_handler(std::function<void()> on_close);
    /// Closes the stream now (idempotent). Reading on afterwards is the caller's error.
    void close() const;

private:
    friend struct detail::ByteStreamAccess;
    // The chunks of a blocking source, as an async iterator that calls it inline.
    static AsyncIterator<Bytes> from_sync(std::function<std::optional<Bytes>()> next);
    struct State;
    explicit AsyncByteStream(std::shared_ptr<State> state);
    std::shared_ptr<State> state_;
};

}  // namespace httpx
