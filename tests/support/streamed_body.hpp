// Reads a streamed `/bytes/N` body from the test server and checks it as it goes, so that a
// multi-MiB download is verified without being held whole.
#pragma once

#include <httpx/response.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <cstddef>

#include "test_server.hpp"

namespace httpx::test {

struct StreamedBody {
    std::size_t total = 0;          // bytes received
    std::size_t largest_chunk = 0;  // the largest chunk aiter_bytes() handed out
    bool pattern_ok = true;         // every byte was the test server's pattern at its offset
};

inline boost::asio::awaitable<StreamedBody> read_pattern_body(httpx::Response& response) {
    StreamedBody body;
    auto chunks = response.aiter_bytes();
    while (auto chunk = co_await chunks.next()) {
        body.pattern_ok = body.pattern_ok && *chunk == testing::pattern(body.total, chunk->size());
        body.total += chunk->size();
        body.largest_chunk = std::max(body.largest_chunk, chunk->size());
    }
    co_return body;
}

}  // namespace httpx::test
