// What the transports may build beyond AsyncByteStream's public constructors.
#pragma once

#include "httpx/byte_stream.hpp"

#include <cstdint>
#include <memory>

namespace httpx::detail {

struct ByteStreamAccess {
    /// A one-shot stream over `chunks`, which never yields an empty chunk: iterating it needs no
    /// filter (an iterator and a coroutine frame less per chunk).
    static AsyncByteStream from_non_empty_chunks(AsyncIterator<Bytes> chunks,
                                                 std::optional<std::uint64_t> length);
    /// The same with a close hook (as set_close_handler) that needs no allocation: on close,
    /// `on_close(owner, word)` runs if `owner` is still alive. The stream does not keep
    /// `owner` alive (a response kept after its connection's io_context is gone must not hold
    /// the connection's socket).
    static AsyncByteStream from_non_empty_chunks(AsyncIterator<Bytes> chunks,
                                                 std::optional<std::uint64_t> length,
                                                 std::weak_ptr<void> owner,
                                                 void (*on_close)(void* owner, std::uint64_t word),
                                                 std::uint64_t word);
    /// What the default constructor shares: an empty in-memory stream's state.
    static const std::shared_ptr<AsyncByteStream::State>& empty_state();
};

}  // namespace httpx::detail
