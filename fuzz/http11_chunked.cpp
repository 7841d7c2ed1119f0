// Chunked transfer decoding: the input is the body of a `Transfer-Encoding: chunked` response
// (chunk sizes, extensions, data, trailers). Only RemoteProtocolError, no crash, the same result
// however it is cut, and the small body limit of the second run holds.
#include "http11_stream.hpp"

using namespace httpx::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string stream = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    stream.append(reinterpret_cast<const char*>(data), size);

    const auto whole = run({stream}, "GET", true);
    FUZZ_CHECK(run(split(stream, seed_of(stream)), "GET", true) == whole);

    // Small limits: a chunk-size line or trailer over 64 bytes, a body over 100 bytes fail.
    ParserLimits small;
    small.max_header_bytes = 64;
    small.max_body_bytes = 100;
    const auto limited = run({stream}, "GET", true, small);
    for (const auto& m : limited.messages) FUZZ_CHECK(m.body.size() <= 100);
    if (!limited.failed && !whole.failed) FUZZ_CHECK(limited == whole);
    return 0;
}
