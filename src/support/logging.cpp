#include "support/logging.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace httpx {

namespace detail {

namespace {

constexpr int log_off = 1000;

// A handler and the threshold that goes with it, swapped together under the mutex.
struct LogSink {
    std::mutex mutex;
    std::shared_ptr<const LogHandler> handler;
};

LogSink& sink() {
    static LogSink instance;
    return instance;
}

// HTTPXX_LOG's level, or log_off when it is unset or names no level we log at.
int environment_level() {
    const char* value = std::getenv("HTTPXX_LOG");
    if (value == nullptr) return log_off;
    const std::string_view v(value);
    if (v == "trace") return static_cast<int>(LogLevel::trace);
    if (v == "debug") return static_cast<int>(LogLevel::debug);
    if (v == "info") return static_cast<int>(LogLevel::info);
    return log_off;
}

// Python's logging.basicConfig() format, one write per line so that threads do not interleave.
void log_to_stderr(LogLevel level, std::string_view logger, std::string_view message) {
    std::string line;
    line.reserve(logger.size() + message.size() + 10);
    line.append(to_string(level)).append(":").append(logger).append(":").append(message);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stderr);
}

// The handler and threshold when no handler is set: HTTPXX_LOG's.
void install_environment_default() {
    const int level = environment_level();
    sink().handler = level == log_off ? nullptr : std::make_shared<const LogHandler>(log_to_stderr);
    log_threshold.store(level, std::memory_order_relaxed);
}

// HTTPXX_LOG is read when the library is loaded, before any request.
const bool environment_read = [] {
    std::lock_guard lock(sink().mutex);
    install_environment_default();
    return true;
}();

}  // namespace

std::atomic<int> log_threshold{log_off};

void log(LogLevel level, std::string_view logger, std::string_view message) {
    std::shared_ptr<const LogHandler> handler;
    {
        std::lock_guard lock(sink().mutex);
        handler = sink().handler;
    }
    if (handler && static_cast<int>(level) >= log_threshold.load(std::memory_order_relaxed))
        (*handler)(level, logger, message);
}

}  // namespace detail

std::string_view to_string(LogLevel level) noexcept {
    switch (level) {
        case LogLevel::trace:
            return "TRACE";
        case LogLevel::debug:
            return "DEBUG";
        case LogLevel::info:
            return "INFO";
        case LogLevel::warning:
            return "WARNING";
        case LogLevel::error:
            return "ERROR";
    }
    return "";
}

void set_log_handler(LogHandler handler, LogLevel min_level) {
    std::lock_guard lock(detail::sink().mutex);
    if (!handler) {
        detail::install_environment_default();
        return;
    }
    detail::sink().handler = std::make_shared<const LogHandler>(std::move(handler));
    detail::log_threshold.store(static_cast<int>(min_level), std::memory_order_relaxed);
}

}  // namespace httpx
