// The trace of one request (httpcore's `Trace`): its "trace" extension and the DEBUG lines of
// the "httpcore.*" loggers, reported step by step by the connect code and the connections.
// Off (no callback, DEBUG not logged), a Tracer is an empty std::function and a flag, and no
// step builds anything: callers test `on()` before making a TraceInfo.
#pragma once

#include "httpx/request.hpp"
#include "httpx/trace.hpp"

#include <cstdint>
#include <exception>
#include <optional>
#include <string>

namespace httpx::detail {

/// The steps httpcore traces, in its words (see trace.hpp). The proxy connector's steps
/// (httpcore's http_proxy.py: "proxy.*") go here when it lands.
enum class TraceStep : std::uint8_t {
    connect_tcp,
    connect_unix_socket,
    start_tls,
    http11_send_request_headers,
    http11_send_request_body,
    http11_receive_response_headers,
    http11_receive_response_body,
    http11_response_closed,
    http2_send_connection_init,
    http2_send_request_headers,
    http2_send_request_body,
    http2_receive_response_headers,
    http2_receive_response_body,
    http2_response_closed,
};

enum class TraceOutcome : std::uint8_t { started, complete, failed };

/// The event name: "connection.connect_tcp.started", "http11.send_request_headers.complete".
std::string_view trace_event_name(TraceStep step, TraceOutcome outcome) noexcept;

/// httpcore's DEBUG line of an event, without the logger's prefix
/// ("connect_tcp.started host='example.org' port=443 local_address=None timeout=5.0").
/// `method`: the request's, for a step that reports no request (the body's, read later).
std::string trace_log_message(TraceStep step, TraceOutcome outcome, const TraceInfo& info,
                              std::string_view method = {});

class Tracer {
public:
    /// Off.
    Tracer() = default;
    /// The trace of `request`: its "trace" extension (std::invalid_argument when that holds
    /// anything but an httpx::TraceCallback) and whether DEBUG is logged now.
    explicit Tracer(const Request& request);

    /// Whether steps are reported at all: test it before making a TraceInfo.
    bool on() const noexcept { return log_ || callback_; }

    /// Reports a step to the callback and the log; a `.started` step stays open until its
    /// `.complete` or `.failed`. Throws what the callback throws; the tracer stops calling it
    /// then and forgets the open step (httpcore reports no `.failed` for the callback's own
    /// exception, and the request is over).
    void report(TraceStep step, TraceOutcome outcome, const TraceInfo& info);
    /// As report(), for steps that cannot fail (a close, maybe in a destructor): what the
    /// callback throws is dropped.
    void report_noexcept(TraceStep step, TraceOutcome outcome, const TraceInfo& info) noexcept;

    /// The common shapes: `.started` with the request (and stream), `.complete` with nothing,
    /// `.failed` with the exception in flight (call it in a catch block).
    void started(TraceStep step, const Request* request = nullptr,
                 std::optional<std::int32_t> stream_id = std::nullopt) {
        if (!on()) return;
        TraceInfo info;
        info.request = request;
        info.stream_id = stream_id;
        report(step, TraceOutcome::started, info);
    }
    void complete(TraceStep step, std::optional<std::int32_t> stream_id = std::nullopt) {
        if (!on()) return;
        TraceInfo info;
        info.stream_id = stream_id;
        report(step, TraceOutcome::complete, info);
    }
    /// `.failed` (in a catch block: the exception in flight). What the callback throws here
    /// is dropped: the request fails with its own error.
    void failed(TraceStep step, std::optional<std::int32_t> stream_id = std::nullopt) noexcept {
        if (!on()) return;
        TraceInfo info;
        info.stream_id = stream_id;
        info.exception = std::current_exception();
        report_noexcept(step, TraceOutcome::failed, info);
    }
    /// `.failed` for the step still open, if any.
    void fail_open_step(std::optional<std::int32_t> stream_id = std::nullopt) noexcept {
        if (open_) failed(*open_, stream_id);
    }
    /// Whether `step` was started and has not ended yet.
    bool is_open(TraceStep step) const noexcept { return open_ == step; }

private:
    TraceCallback callback_;
    bool log_ = false;
    std::string method_;  // for the log lines of the body's steps (set only when logging)
    std::optional<TraceStep> open_;
};

}  // namespace httpx::detail
