// Content-Encoding decoders (HTTPX's httpx/_decoders.py): identity, gzip, deflate, br, zstd and
// stacks of them. Incremental: a response body is fed chunk by chunk as it comes off the socket.
#pragma once

#include <httpx/types.hpp>

#include <concepts>
#include <cstddef>
#include <memory>
#include <string_view>
#include <type_traits>

namespace httpx::content {

/// A non-owning reference to a callable `void(std::string_view)` that receives decoded output.
/// Cheap to pass by value; it must not outlive the callable it refers to. A sink may throw to
/// stop decoding (e.g. when a size limit is exceeded): the exception propagates to the caller.
class ByteSink {
public:
    template <class F>
    requires std::invocable<F&, std::string_view> &&
        (!std::same_as<std::remove_cvref_t<F>, ByteSink>)
            ByteSink(F&& f)  // NOLINT(google-explicit-constructor): a lambda converts implicitly
        : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
          call_([](void* object, std::string_view piece) {
              (*static_cast<std::remove_reference_t<F>*>(object))(piece);
          }) {}

    void operator()(std::string_view piece) const { call_(object_, piece); }

private:
    void* object_;
    void (*call_)(void*, std::string_view);
};

/// Decoders never hand a sink more than this many bytes at once, so that a caller can enforce an
/// output limit (decompression-bomb protection) without the decoder inflating everything first.
inline constexpr std::size_t kMaxDecodedPiece = 64 * 1024;

/// An incremental decoder for one or more content codings, driven by its reader: `push()` hands
/// it encoded input, `pull()` takes decoded output one bounded piece at a time. Nothing is decoded
/// ahead of `pull()`, so a reader that stops pulling holds at most one piece per coding, however
/// much the input expands (a decompression bomb streams in constant memory).
/// Every method throws `httpx::DecodingError` when the input is corrupt.
class ContentDecoder {
public:
    virtual ~ContentDecoder();

    /// Appends encoded input (copied) behind what the decoder has not decoded yet.
    virtual void push(std::string_view input) = 0;
    /// The next piece of decoded output, at most `kMaxDecodedPiece` bytes (the identity decoder
    /// passes input through in such pieces), valid until the next call. Empty when everything
    /// pushed so far is decoded: push more, or `finish()`.
    virtual std::string_view pull() = 0;
    /// Signals the end of the input, once `pull()` came back empty; throws where an early end is
    /// an error for the coding. Gives no further output: every decoder hands out all it can
    /// from `pull()`.
    virtual void finish() = 0;
    /// The identity decoder: output is the input, so a reader may skip the decoder entirely.
    virtual bool passes_through() const noexcept { return false; }

    /// Convenience: pushes a chunk and passes all its output to `sink` (which may throw to stop
    /// decoding, e.g. at a size limit: the exception propagates).
    void decode_into(std::string_view chunk, ByteSink sink);
    /// Convenience: `finish()`, for symmetry with `decode_into`.
    void flush_into(ByteSink sink);

    /// Convenience: decodes a chunk and returns all its output at once.
    Bytes decode(std::string_view chunk);
    /// Convenience: ends the input and returns the remaining output.
    Bytes flush();
};

/// A decoder for a `Content-Encoding` header value such as "gzip" or "deflate, br" (codings are
/// undone in reverse order). Names are case-insensitive; unknown codings are ignored, as HTTPX
/// does, and an empty value or "identity" gives a pass-through decoder.
std::unique_ptr<ContentDecoder> make_content_decoder(std::string_view content_encoding);

/// The codings this build decodes, for the `Accept-Encoding` request header.
std::string_view supported_content_encodings();

/// Decodes a whole body at once (e.g. `Response(content=...)` built by hand).
Bytes decode_content(std::string_view content_encoding, std::string_view body);

}  // namespace httpx::content
