// The HTTP/1.1 response parser on a connection's byte stream (see http11_stream.hpp). Whatever
// the bytes, the parser throws only RemoteProtocolError, never crashes, and gives the same result
// however the stream is cut.
//
// Input: one control byte (bits 0-1: the request method GET/HEAD/CONNECT/POST; bit 2: the
// server closes the connection after the bytes), then the bytes the server sends.
#include "http11_stream.hpp"

using namespace httpx::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static constexpr std::string_view methods[] = {"GET", "HEAD", "CONNECT", "POST"};
    const auto method = methods[data[0] & 3];
    const bool eof = (data[0] & 4) != 0;
    const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);

    const auto whole = run({stream}, method, eof);
    const auto pieces = split(stream, seed_of(stream));
    FUZZ_CHECK(run(pieces, method, eof) == whole);
    return 0;
}
