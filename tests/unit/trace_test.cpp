#include "httpx/trace.hpp"

#include <gtest/gtest.h>

#include "httpx/headers.hpp"
#include "httpx/network_stream.hpp"
#include "httpx/request.hpp"

#include <string>
#include <tuple>
#include <vector>

namespace {

using Line = std::tuple<httpx::LogLevel, std::string, std::string>;

// Restores "no handler" after each test, so that tests do not log into each other.
struct LogHandlerGuard {
    ~LogHandlerGuard() { httpx::set_log_handler(nullptr); }
};

TEST(LogLevel, NamesArePythons) {
    EXPECT_EQ(httpx::to_string(httpx::LogLevel::trace), "TRACE");
    EXPECT_EQ(httpx::to_string(httpx::LogLevel::debug), "DEBUG");
    EXPECT_EQ(httpx::to_string(httpx::LogLevel::info), "INFO");
    EXPECT_EQ(httpx::to_string(httpx::LogLevel::warning), "WARNING");
    EXPECT_EQ(httpx::to_string(httpx::LogLevel::error), "ERROR");
    EXPECT_EQ(static_cast<int>(httpx::LogLevel::info), 20);  // logging.INFO
}

TEST(TraceInfo, IsEmptyUntilAnEventFillsIt) {
    httpx::TraceInfo info;
    EXPECT_EQ(info.request, nullptr);
    EXPECT_FALSE(info.stream_id);
    EXPECT_EQ(info.tls, nullptr);
    EXPECT_EQ(info.headers, nullptr);
    EXPECT_EQ(info.status_code, 0);
    EXPECT_FALSE(info.exception);
}

TEST(TraceCallback, IsCarriedByTheTraceExtension) {
    std::vector<std::string> events;
    httpx::RequestOptions options;
    options.extensions["trace"] = httpx::TraceCallback(
        [&](std::string_view event, const httpx::TraceInfo&) { events.emplace_back(event); });
    httpx::Request request("GET", httpx::URL("http://example.org/"), std::move(options));
    auto* callback = std::any_cast<httpx::TraceCallback>(&request.extensions().at("trace"));
    ASSERT_NE(callback, nullptr);
    (*callback)("connection.connect_tcp.started", httpx::TraceInfo{});
    EXPECT_EQ(events, std::vector<std::string>{"connection.connect_tcp.started"});
}

}  // namespace
