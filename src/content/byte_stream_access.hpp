// What the transports may build beyond AsyncByteStream's public constructors.
#pragma once

#include "httpx/byte_stream.hpp"

#include <memory>

namespace httpx::detail {

struct ByteStreamAccess {
    /// A one-shot stream over `chunks`, which never yields an empty chunk: iterating it needs no
    /// filter (an iterator and a coroutine frame less per chunk).
    static AsyncByteStream from_non_empty_chunks(AsyncIterator<Bytes> chunks,
                                                 std::optional<std::uint64_t> length);
    /// What the default constructor shares: an empty in-memory stream's state.
    static const std::shared_ptr<AsyncByteStream::State>& empty_state();
};

}  // namespace httpx::detail
