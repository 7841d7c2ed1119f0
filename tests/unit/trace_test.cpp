#include "httpx/trace.hpp"

#include <gtest/gtest.h>

#include "httpx/exceptions.hpp"
#include "httpx/headers.hpp"
#include "httpx/network_stream.hpp"
#include "httpx/request.hpp"
#include "support/tracer.hpp"

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

using httpx::detail::trace_event_name;
using httpx::detail::trace_log_message;
using httpx::detail::TraceOutcome;
using httpx::detail::TraceStep;

TEST(TraceEvents, AreNamedAsHttpcoreNamesThem) {
    EXPECT_EQ(trace_event_name(TraceStep::connect_tcp, TraceOutcome::started),
              "connection.connect_tcp.started");
    EXPECT_EQ(trace_event_name(TraceStep::start_tls, TraceOutcome::failed),
              "connection.start_tls.failed");
    EXPECT_EQ(trace_event_name(TraceStep::http11_receive_response_body, TraceOutcome::complete),
              "http11.receive_response_body.complete");
    EXPECT_EQ(trace_event_name(TraceStep::http2_send_connection_init, TraceOutcome::started),
              "http2.send_connection_init.started");
    EXPECT_EQ(trace_event_name(TraceStep::http2_response_closed, TraceOutcome::complete),
              "http2.response_closed.complete");
}

// httpcore's _trace.py: "NAME" when the step returned None, else "NAME key=repr(value) ...".
TEST(TraceLogMessage, ConnectStepsShowTheirArguments) {
    httpx::TraceInfo info;
    info.host = "example.org";
    info.port = 443;
    info.timeout = 5.0;
    EXPECT_EQ(trace_log_message(TraceStep::connect_tcp, TraceOutcome::started, info),
              "connect_tcp.started host='example.org' port=443 local_address=None timeout=5.0");
    info = {};
    info.server_hostname = "example.org";
    EXPECT_EQ(trace_log_message(TraceStep::start_tls, TraceOutcome::started, info),
              "start_tls.started server_hostname='example.org' timeout=None");
    info = {};
    info.server_address = "93.184.215.14";
    info.server_port = 443;
    EXPECT_EQ(trace_log_message(TraceStep::connect_tcp, TraceOutcome::complete, info),
              "connect_tcp.complete return_value=<NetworkStream server_addr=('93.184.215.14', "
              "443)>");
}

TEST(TraceLogMessage, RequestStepsShowTheRequestAsHttpcoreReprsIt) {
    httpx::Request request("post", httpx::URL("http://example.org/"));
    httpx::TraceInfo info;
    info.request = &request;
    EXPECT_EQ(
        trace_log_message(TraceStep::http11_send_request_headers, TraceOutcome::started, info),
        "send_request_headers.started request=<Request [b'POST']>");
    EXPECT_EQ(trace_log_message(TraceStep::http11_send_request_headers, TraceOutcome::complete,
                                httpx::TraceInfo{}),
              "send_request_headers.complete");
    info.stream_id = 3;
    EXPECT_EQ(trace_log_message(TraceStep::http2_send_request_body, TraceOutcome::started, info),
              "send_request_body.started request=<Request [b'POST']> stream_id=3");
    httpx::TraceInfo closed;
    closed.stream_id = 3;
    EXPECT_EQ(trace_log_message(TraceStep::http2_response_closed, TraceOutcome::started, closed),
              "response_closed.started stream_id=3");
    EXPECT_EQ(trace_log_message(TraceStep::http11_response_closed, TraceOutcome::started,
                                httpx::TraceInfo{}),
              "response_closed.started");
}

TEST(TraceLogMessage, ResponseHeadsAreBytesReprs) {
    const httpx::Headers headers{{"Content-Type", "text/plain"}, {"X-Q", "it's \xe9"}};
    httpx::TraceInfo info;
    info.http_version = "HTTP/1.1";
    info.status_code = 200;
    info.reason_phrase = "OK";
    info.headers = &headers;
    EXPECT_EQ(
        trace_log_message(TraceStep::http11_receive_response_headers, TraceOutcome::complete, info),
        "receive_response_headers.complete return_value=(b'HTTP/1.1', 200, b'OK', "
        "[(b'Content-Type', b'text/plain'), (b'X-Q', b\"it's \\xe9\")])");
    EXPECT_EQ(
        trace_log_message(TraceStep::http2_receive_response_headers, TraceOutcome::complete, info),
        "receive_response_headers.complete return_value=(200, [(b'Content-Type', "
        "b'text/plain'), (b'X-Q', b\"it's \\xe9\")])");
}

TEST(TraceLogMessage, FailuresShowTheExceptionAsPythonReprsIt) {
    httpx::TraceInfo info;
    info.exception = std::make_exception_ptr(httpx::ConnectTimeout("Timed out while connecting."));
    EXPECT_EQ(trace_log_message(TraceStep::connect_tcp, TraceOutcome::failed, info),
              "connect_tcp.failed exception=ConnectTimeout('Timed out while connecting.')");
}

}  // namespace
