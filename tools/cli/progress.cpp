#include "progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "terminal.hpp"

namespace httpxx_cli {

namespace {

constexpr const char* kUnits[] = {"bytes", "kB", "MB", "GB", "TB"};

int unit_of(double bytes) {
    int unit = 0;
    while (bytes >= 1000 && unit < 4) {
        bytes /= 1000;
        ++unit;
    }
    return unit;
}

std::string in_unit(double bytes, int unit) {
    return unit == 0 ? fmt::format("{:.0f}", bytes)
                     : fmt::format("{:.1f}", bytes / std::pow(1000.0, unit));
}

}  // namespace

std::string format_bytes(double bytes) {
    const int unit = unit_of(bytes);
    return in_unit(bytes, unit) + " " + kUnits[unit];
}

std::string format_bytes_of(double done, double total) {
    const int unit = unit_of(total);
    return in_unit(done, unit) + "/" + in_unit(total, unit) + " " + kUnits[unit];
}

std::string format_duration(std::optional<double> seconds) {
    if (!seconds || !std::isfinite(*seconds) || *seconds < 0) return "-:--:--";
    const auto s = static_cast<long long>(std::llround(*seconds));
    return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

ProgressBar::ProgressBar(std::FILE* out, std::string name, std::optional<std::uint64_t> total,
                         std::uint64_t already, bool terminal, const Style& style)
    : out_(out),
      name_(std::move(name)),
      total_(total),
      already_(already),
      terminal_(terminal),
      style_(style) {}

double ProgressBar::rate(std::uint64_t received) const {
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    return seconds > 0 ? static_cast<double>(received) / seconds : 0.0;
}

std::string ProgressBar::render(std::uint64_t received, int width) const {
    const std::uint64_t done = already_ + received;
    const double speed = rate(received);
    std::string left = "Downloading " + name_;
    std::string right;
    std::optional<double> fraction;
    if (total_ && *total_ > 0) {
        const std::uint64_t total = *total_;
        fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
        std::optional<double> left_seconds;
        if (speed > 0) left_seconds = static_cast<double>(total - std::min(done, total)) / speed;
        right = fmt::format("{} {}/s {}",
                            format_bytes_of(static_cast<double>(done), static_cast<double>(total)),
                            format_bytes(speed), format_duration(left_seconds));
        left += fmt::format(" {:>3.0f}%", *fraction * 100);
    } else {
        right =
            fmt::format("{} {}/s", format_bytes(static_cast<double>(done)), format_bytes(speed));
    }
    // The bar takes the width that is left (at least 10 columns, or none on a narrow terminal);
    // one column spare, as writing the last one makes some terminals wrap.
    const int bar_width = width - static_cast<int>(left.size() + right.size()) - 3;
    if (!fraction || bar_width < 10) return left + " " + right;
    const int filled = static_cast<int>(*fraction * bar_width);
    std::string full, empty;
    // Coloured: a bright part and a dim part of one line; plain: a thick and a thin line.
    for (int i = 0; i < filled; ++i) full += "━";
    for (int i = filled; i < bar_width; ++i) empty += style_.colour() ? "━" : "─";
    if (style_.colour()) empty = "\x1b[2m" + empty + "\x1b[0m";
    return left + " " + style_.paint(Role::progress, full) + empty + " " + right;
}

void ProgressBar::update(std::uint64_t received) {
    if (!terminal_) return;
    const Clock::time_point now = Clock::now();
    if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    drawn_ = true;
    // \r and "erase to the end of the line": the line is redrawn in place.
    const std::string text = render(received, terminal_width(out_));
    std::fprintf(out_, "\r%s\x1b[K", text.c_str());
    std::fflush(out_);
}

void ProgressBar::finish(std::uint64_t received) {
    if (terminal_) {
        drawn_ = false;
        update(received);
        std::fputc('\n', out_);
    } else {
        const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
        std::fprintf(out_, "Downloaded %s: %s in %.2f s (%s/s)\n", name_.c_str(),
                     format_bytes(static_cast<double>(already_ + received)).c_str(), seconds,
                     format_bytes(rate(received)).c_str());
    }
    std::fflush(out_);
}

}  // namespace httpxx_cli
