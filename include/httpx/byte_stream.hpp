// httpx::AsyncByteStream: a request or response body, in memory or streamed.
#pragma once

#include <httpx/async_iterator.hpp>
#include <httpx/types.hpp>

#include <concepts>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
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
    struct State;
    explicit AsyncByteStream(std::shared_ptr<State> state);
    std::shared_ptr<State> state_;
};

}  // namespace httpx
