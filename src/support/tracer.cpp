#include "support/tracer.hpp"

#include "httpx/headers.hpp"
#include "httpx/network_stream.hpp"
#include "models/py_repr.hpp"
#include "support/logging.hpp"

#include <cxxabi.h>

#include <any>
#include <array>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <typeinfo>

namespace httpx::detail {

namespace {

struct StepNames {
    std::string_view logger;                 // "httpcore.connection"
    std::array<std::string_view, 3> events;  // started, complete, failed: "connection.x.started"
};

#define HTTPX_TRACE_STEP(prefix, name)                                                         \
    StepNames {                                                                                \
        "httpcore." prefix, {                                                                  \
            prefix "." name ".started", prefix "." name ".complete", prefix "." name ".failed" \
        }                                                                                      \
    }

// Indexed by TraceStep.
constexpr std::array<StepNames, 14> kSteps{
    HTTPX_TRACE_STEP("connection", "connect_tcp"),
    HTTPX_TRACE_STEP("connection", "connect_unix_socket"),
    HTTPX_TRACE_STEP("connection", "start_tls"),
    HTTPX_TRACE_STEP("http11", "send_request_headers"),
    HTTPX_TRACE_STEP("http11", "send_request_body"),
    HTTPX_TRACE_STEP("http11", "receive_response_headers"),
    HTTPX_TRACE_STEP("http11", "receive_response_body"),
    HTTPX_TRACE_STEP("http11", "response_closed"),
    HTTPX_TRACE_STEP("http2", "send_connection_init"),
    HTTPX_TRACE_STEP("http2", "send_request_headers"),
    HTTPX_TRACE_STEP("http2", "send_request_body"),
    HTTPX_TRACE_STEP("http2", "receive_response_headers"),
    HTTPX_TRACE_STEP("http2", "receive_response_body"),
    HTTPX_TRACE_STEP("http2", "response_closed"),
};
#undef HTTPX_TRACE_STEP

const StepNames& names_of(TraceStep step) noexcept {
    return kSteps[static_cast<std::size_t>(step)];
}

// Python's repr() of bytes: b'...' (b"..." when only ' occurs), escapes for the rest.
void append_bytes_repr(std::string& out, std::string_view bytes) {
    const bool has_single = bytes.find('\'') != std::string_view::npos;
    const bool has_double = bytes.find('"') != std::string_view::npos;
    const char quote = has_single && !has_double ? '"' : '\'';
    out += 'b';
    out += quote;
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\\' || c == static_cast<unsigned char>(quote)) {
            out += '\\';
            out += ch;
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c >= 0x7F) {
            append_hex_escape(out, c);
        } else {
            out += ch;
        }
    }
    out += quote;
}

void append_headers_repr(std::string& out, const Headers* headers) {
    out += '[';
    if (headers) {
        bool first = true;
        for (const auto& [name, value] : *headers) {
            if (!first) out += ", ";
            first = false;
            out += '(';
            append_bytes_repr(out, name);
            out += ", ";
            append_bytes_repr(out, value);
            out += ')';
        }
    }
    out += ']';
}

// The class name of an exception, without its namespace ("ConnectError").
std::string class_name(const std::type_info& type) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> demangled(
        abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
    std::string name = status == 0 && demangled ? demangled.get() : type.name();
    if (auto colon = name.rfind("::"); colon != std::string::npos) name.erase(0, colon + 2);
    return name;
}

// Python's repr() of an exception: ConnectError('All connection attempts failed').
std::string exception_repr(const std::exception_ptr& error) {
    if (!error) return "None";
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return class_name(typeid(e)) + "(" + py_str_repr(e.what()) + ")";
    } catch (...) {
        return "Exception()";
    }
}

void append_address(std::string& out, std::string_view address, std::uint16_t port) {
    out += '(';
    out += py_str_repr(address);
    out += ", ";
    out += std::to_string(port);
    out += ')';
}

// What httpcore's `return_value` stream shows: where it is connected (and its TLS).
void append_stream_repr(std::string& out, const TraceInfo& info) {
    out += "<NetworkStream";
    if (!info.server_address.empty()) {
        out += " server_addr=";
        append_address(out, info.server_address, info.server_port);
    }
    if (info.tls) {
        out += " version=" + py_str_repr(info.tls->version);
        out += " cipher=" + py_str_repr(info.tls->cipher);
        out += " alpn=" + py_str_repr(info.tls->alpn);
    }
    out += '>';
}

void append_request_repr(std::string& out, std::string_view method) {
    out += "request=<Request [";
    append_bytes_repr(out, method);
    out += "]>";
}

}  // namespace

std::string_view trace_event_name(TraceStep step, TraceOutcome outcome) noexcept {
    return names_of(step).events[static_cast<std::size_t>(outcome)];
}

std::string trace_log_message(TraceStep step, TraceOutcome outcome, const TraceInfo& info,
                              std::string_view method) {
    std::string_view event = trace_event_name(step, outcome);
    std::string out(event.substr(event.find('.') + 1));  // the logger names the prefix
    switch (outcome) {
        case TraceOutcome::failed:
            out += " exception=" + exception_repr(info.exception);
            return out;
        case TraceOutcome::complete:
            // httpcore logs the bare name when the step returned None.
            if (step == TraceStep::connect_tcp || step == TraceStep::start_tls ||
                step == TraceStep::connect_unix_socket) {
                out += " return_value=";
                append_stream_repr(out, info);
            } else if (step == TraceStep::http11_receive_response_headers) {
                out += " return_value=(";
                append_bytes_repr(out, info.http_version);
                out += ", " + std::to_string(info.status_code) + ", ";
                append_bytes_repr(out, info.reason_phrase);
                out += ", ";
                append_headers_repr(out, info.headers);
                out += ')';
            } else if (step == TraceStep::http2_receive_response_headers) {
                out += " return_value=(" + std::to_string(info.status_code) + ", ";
                append_headers_repr(out, info.headers);
                out += ')';
            }
            return out;
        case TraceOutcome::started:
            break;
    }
    switch (step) {
        case TraceStep::connect_tcp:
            out += " host=" + py_str_repr(info.host);
            out += " port=" + std::to_string(info.port);
            out += " local_address=";
            out +=
                info.local_address.empty() ? std::string("None") : py_str_repr(info.local_address);
            out += " timeout=" + py_optional_repr(info.timeout);
            break;
        case TraceStep::connect_unix_socket:
            out += " path=" + py_str_repr(info.path);
            out += " timeout=" + py_optional_repr(info.timeout);
            break;
        case TraceStep::start_tls:
            out += " server_hostname=" + py_str_repr(info.server_hostname);
            out += " timeout=" + py_optional_repr(info.timeout);
            break;
        case TraceStep::http11_response_closed:
            break;
        case TraceStep::http2_response_closed:
            out += " stream_id=" + std::to_string(info.stream_id.value_or(0));
            break;
        default:  // the send and receive steps
            out += ' ';
            append_request_repr(out,
                                info.request ? std::string_view(info.request->method()) : method);
            if (info.stream_id) out += " stream_id=" + std::to_string(*info.stream_id);
            break;
    }
    return out;
}

Tracer::Tracer(const Request& request) : log_(log_enabled(LogLevel::debug)) {
    if (log_) method_ = request.method();
    const Extensions& extensions = request.extensions();
    if (extensions.empty()) return;
    auto it = extensions.find("trace");
    if (it == extensions.end()) return;
    if (auto* callback = std::any_cast<TraceCallback>(&it->second)) {
        callback_ = *callback;
        return;
    }
    throw std::invalid_argument(
        "The \"trace\" extension must hold an httpx::TraceCallback "
        "(std::function<void(std::string_view, const httpx::TraceInfo&)>).");
}

void Tracer::report(TraceStep step, TraceOutcome outcome, const TraceInfo& info) {
    if (outcome == TraceOutcome::started)
        open_ = step;
    else if (open_ == step)
        open_.reset();
    if (log_ && log_enabled(LogLevel::debug))
        log(LogLevel::debug, names_of(step).logger,
            trace_log_message(step, outcome, info, method_));
    if (!callback_) return;
    try {
        callback_(trace_event_name(step, outcome), info);
    } catch (...) {
        callback_ = nullptr;
        open_.reset();
        throw;
    }
}

void Tracer::report_noexcept(TraceStep step, TraceOutcome outcome, const TraceInfo& info) noexcept {
    try {
        report(step, outcome, info);
    } catch (...) {
        // A close cannot fail: the callback's exception has nowhere to go.
    }
}

}  // namespace httpx::detail
