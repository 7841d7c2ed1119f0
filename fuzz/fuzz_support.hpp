// What the fuzz targets share: a check that aborts (libFuzzer then saves the input), and split
// points derived from the input itself, so that a saved crash replays exactly.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string_view>
#include <vector>

namespace httpx::fuzz {

[[noreturn]] inline void check_failed(const char* condition, const char* file, int line) {
    std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, condition);
    std::abort();
}

// An invariant of the code under test; aborts (a crash for libFuzzer) when it does not hold.
#define FUZZ_CHECK(condition)           \
    ((condition) ? static_cast<void>(0) \
                 : ::httpx::fuzz::check_failed(#condition, __FILE__, __LINE__))

// FNV-1a: a seed that depends on every byte of the input.
inline std::uint64_t seed_of(std::string_view data) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : data) h = (h ^ c) * 0x100000001b3ull;
    return h;
}

// Cuts `data` into pieces at points chosen from `seed`: sometimes byte by byte (the hardest case
// for an incremental parser), usually at a few random points.
inline std::vector<std::string_view> split(std::string_view data, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::vector<std::size_t> cuts;
    if (random() % 4 == 0 && data.size() <= 4096) {
        for (std::size_t i = 1; i < data.size(); ++i) cuts.push_back(i);
    } else if (!data.empty()) {
        const auto count = 1 + random() % 8;
        for (std::size_t i = 0; i < count; ++i) cuts.push_back(random() % data.size());
        std::sort(cuts.begin(), cuts.end());
    }
    std::vector<std::string_view> pieces;
    std::size_t from = 0;
    for (auto cut : cuts) {
        pieces.push_back(data.substr(from, cut - from));
        from = cut;
    }
    pieces.push_back(data.substr(from));
    return pieces;
}

}  // namespace httpx::fuzz
