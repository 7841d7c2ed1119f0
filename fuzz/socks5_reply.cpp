// The SOCKS5 answers a proxy sends (protocol/socks5.hpp): the method reply, the RFC 1929 login
// reply and the CONNECT reply. Any input is parsed or refused with ProxyError; the result does
// not depend on how the bytes arrived (read as the handshake reads them: never more than the
// parser asks for, in pieces cut from the input); a complete answer is never longer than the
// bytes given, an incomplete one always asks for more; a bound IP address reads back as the
// address bytes it came from.
//
// Input: the proxy's bytes. The first byte picks the answer parsed (its low two bits: method,
// login, CONNECT reply); the rest is the answer.
#include "fuzz_support.hpp"

#include "protocol/socks5.hpp"

#include <httpx/exceptions.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

using namespace httpx::fuzz;
namespace socks5 = httpx::protocol::socks5;

namespace {

// Parses with every prefix the handshake would see: each read adds at most what the parser
// asked for, the pieces' lengths taken from `pieces`.
template <class Parse>
auto parse_as_read(std::string_view data, const std::vector<std::string_view>& pieces, Parse parse)
    -> decltype(parse(data)) {
    std::size_t have = 0;
    std::size_t next_piece = 0;
    for (;;) {
        auto parsed = parse(data.substr(0, have));
        if (parsed.message) return parsed;
        FUZZ_CHECK(parsed.size > have);
        if (have == data.size()) return parsed;  // end of stream: incomplete
        std::size_t take = parsed.size - have;
        if (next_piece < pieces.size() && !pieces[next_piece].empty())
            take = std::min(take, pieces[next_piece].size());
        ++next_piece;
        have = std::min(data.size(), have + take);
    }
}

template <class Parse>
void check(std::string_view data, Parse parse) {
    std::optional<decltype(parse(data))> whole;
    try {
        whole = parse(data);
    } catch (const httpx::ProxyError&) {
    }
    if (whole) {
        if (whole->message)
            FUZZ_CHECK(whole->size <= data.size());
        else
            FUZZ_CHECK(whole->size > data.size());
    }
    // The bytes a parser looks at are the same either way, so it refuses both or neither, and
    // finds the same answer.
    try {
        const auto read = parse_as_read(data, split(data, seed_of(data)), parse);
        FUZZ_CHECK(whole.has_value());
        FUZZ_CHECK(read.message.has_value() == whole->message.has_value());
        if (read.message) FUZZ_CHECK(read.size == whole->size);
    } catch (const httpx::ProxyError&) {
        FUZZ_CHECK(!whole.has_value());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    switch (data[0] & 3) {
        case 0:
            check(input, socks5::parse_method_reply);
            break;
        case 1:
            check(input, socks5::parse_login_reply);
            break;
        default: {
            check(input, socks5::parse_reply);
            try {
                const auto parsed = socks5::parse_reply(input);
                if (!parsed.message) break;
                const auto& reply = *parsed.message;
                try {
                    socks5::check_reply(reply);
                    FUZZ_CHECK(reply.code == 0);
                } catch (const httpx::ProxyError&) {
                    FUZZ_CHECK(reply.code != 0);
                }
                if (reply.address_type != socks5::AddressType::domain && parsed.size > 4) {
                    // The address and port as a CONNECT request would send them: the same bytes.
                    const auto request = socks5::connect_request(reply.host, reply.port);
                    FUZZ_CHECK(request.substr(3) == input.substr(3, parsed.size - 3));
                }
            } catch (const httpx::ProxyError&) {
            }
        }
    }
    return 0;
}
