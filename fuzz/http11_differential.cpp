// Our HTTP/1.1 response parser against the Beast-based one it replaced (beast_response_parser.*,
// the oracle): for every byte stream, the same outcome (failure or not, how many bytes taken,
// every complete response's status, reason, version, headers, body, trailers, keep-alive,
// upgrade), except for the differences below, which are ours on purpose.
//
// Input: as http11_response.cpp (one control byte, then the bytes the server sends); bit 3 of
// the control byte selects small limits, so that they are compared too.
#include "beast_response_parser.hpp"
#include "http11_stream.hpp"

#include <string_view>

using namespace httpx::fuzz;

namespace {

bool starts_with(const std::string& s, std::string_view prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

// Where we fail and Beast did not (or not yet): the responses before the failure are the same.
bool is_known_difference(const Outcome& ours, const Outcome& oracle) {
    if (!ours.failed || ours.messages.size() > oracle.messages.size()) return false;
    for (std::size_t i = 0; i < ours.messages.size(); ++i) {
        if (!(ours.messages[i] == oracle.messages[i])) return false;
    }
    // A chunk extension's quoted string must close on its line and hold no control byte (RFC
    // 9112 §7.1.1): Beast's looked for the closing quote past the line end, into the chunk data,
    // and let CR, LF or NUL through inside it (a line-ending confusion other parsers may not
    // share). llhttp refuses both too.
    if (starts_with(ours.error, "invalid chunk extension")) return true;
    // A chunk-size line or a trailer section over max_header_bytes fails however it arrives;
    // Beast bounded it only while waiting for more bytes, so one large read got through.
    if (starts_with(ours.error, "chunk size line or trailer section is larger")) return true;
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static constexpr std::string_view methods[] = {"GET", "HEAD", "CONNECT", "POST"};
    const auto method = methods[data[0] & 3];
    const bool eof = (data[0] & 4) != 0;
    ParserLimits limits;
    if ((data[0] & 8) != 0) {
        limits.max_header_bytes = 200;
        limits.max_header_count = 4;
        limits.max_body_bytes = 64;
    }
    const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);

    const auto ours = run<httpx::protocol::ResponseParser>({stream}, method, eof, limits);
    const auto oracle = run<BeastResponseParser>({stream}, method, eof, limits);
    if (!(ours == oracle)) FUZZ_CHECK(is_known_difference(ours, oracle));
    return 0;
}
