// The download progress of `--download`: a bar redrawn in place on a terminal (name, percent,
// bytes, rate, time left; at most ten redraws a second), one summary line otherwise. HTTPX
// uses rich's Progress; no C++ progress-bar library is packaged in Debian 12.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "style.hpp"

namespace httpxx_cli {

/// 1234567 -> "1.2 MB" (decimal units, as rich's DownloadColumn).
std::string format_bytes(double bytes);
/// 965500 of 2000000 -> "1.0/2.0 MB": both in the total's unit (rich's DownloadColumn).
std::string format_bytes_of(double done, double total);
/// A duration in seconds -> "0:01:05" (rich's TimeRemainingColumn), "-:--:--" when unknown.
std::string format_duration(std::optional<double> seconds);

class ProgressBar {
public:
    using Clock = std::chrono::steady_clock;

    /// `total`: the size of the whole file when known; `already`: bytes already on disk (a
    /// resumed download). `terminal`: redraw in place, else print one line at the end.
    ProgressBar(std::FILE* out, std::string name, std::optional<std::uint64_t> total,
                std::uint64_t already, bool terminal, const Style& style);

    /// `received`: bytes of this transfer so far. Redraws when 100 ms have passed.
    void update(std::uint64_t received);
    /// The last redraw and a newline, or the summary line.
    void finish(std::uint64_t received);

private:
    std::string render(std::uint64_t received, int width) const;
    double rate(std::uint64_t received) const;

    std::FILE* out_;
    std::string name_;
    std::optional<std::uint64_t> total_;
    std::uint64_t already_;
    bool terminal_;
    const Style& style_;
    Clock::time_point start_ = Clock::now();
    Clock::time_point last_draw_{};
    bool drawn_ = false;
};

}  // namespace httpxx_cli
