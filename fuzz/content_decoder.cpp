// One Content-Encoding decoder (HTTPXX_FUZZ_CODING: "gzip", "deflate", "br" or "zstd"; one
// target each). Corrupt input ends in DecodingError; output comes in pieces of at most
// kMaxDecodedPiece bytes, so that a caller's limit stops a bomb early: the sink below stops
// decoding after 8 MiB by throwing, and the decoder must let that through at once. The result
// does not depend on how the input is cut.
#include "content/decoders.hpp"
#include "fuzz_support.hpp"

#include <httpx/exceptions.hpp>

#include <string>

using namespace httpx::fuzz;

namespace {

constexpr std::size_t kOutputBudget = 8 << 20;

struct OverBudget {};

struct Outcome {
    std::string output;
    bool failed = false;
    bool over_budget = false;
    bool operator==(const Outcome&) const = default;
};

Outcome decode(const std::vector<std::string_view>& pieces) {
    Outcome out;
    auto decoder = httpx::content::make_content_decoder(HTTPXX_FUZZ_CODING);
    auto sink = [&](std::string_view piece) {
        FUZZ_CHECK(piece.size() <= httpx::content::kMaxDecodedPiece);
        FUZZ_CHECK(!out.over_budget);  // no more output once the sink refused
        if (out.output.size() + piece.size() > kOutputBudget) {
            out.over_budget = true;
            throw OverBudget{};
        }
        out.output.append(piece);
    };
    try {
        for (auto piece : pieces) decoder->decode_into(piece, sink);
        decoder->flush_into(sink);
    } catch (const httpx::DecodingError&) {
        out.failed = true;
    } catch (const OverBudget&) {
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto whole = decode({input});
    const auto cut = decode(split(input, seed_of(input)));
    if (whole.over_budget || cut.over_budget) {
        // Where the budget ran out depends on the cut; the output before it does not.
        const auto n = std::min(whole.output.size(), cut.output.size());
        FUZZ_CHECK(whole.output.compare(0, n, cut.output, 0, n) == 0);
    } else if (whole.failed || cut.failed) {
        // An error may be found before or after some output, depending on the cut.
        FUZZ_CHECK(whole.failed && cut.failed);
    } else {
        FUZZ_CHECK(cut == whole);
    }
    return 0;
}
