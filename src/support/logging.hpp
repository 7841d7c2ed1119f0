// The library's side of logging (httpx::set_log_handler, HTTPXX_LOG): whether a level is on,
// checked before any line is formatted, and where a line goes.
#pragma once

#include "httpx/trace.hpp"

#include <atomic>
#include <string_view>

namespace httpx::detail {

/// The lowest level logged now (Python's numbers); above every level when logging is off.
extern std::atomic<int> log_threshold;

/// True when lines of `level` go somewhere: the one check on the request path (a relaxed load).
inline bool log_enabled(LogLevel level) noexcept {
    return static_cast<int>(level) >= log_threshold.load(std::memory_order_relaxed);
}

/// Sends a line to the handler (or stderr under HTTPXX_LOG). Call it after log_enabled().
void log(LogLevel level, std::string_view logger, std::string_view message);

}  // namespace httpx::detail
