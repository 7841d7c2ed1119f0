// What `httpxx` prints to stdout, line for line as HTTPX's CLI (httpx/_main.py): the trace
// lines of -v, the request and response heads, the body, an error.
#pragma once

#include <httpx/headers.hpp>
#include <httpx/request.hpp>
#include <httpx/response.hpp>

#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "style.hpp"

namespace httpxx_cli {

/// A Python str's repr, as HTTPX's f"{host!r}": 'text' (or "text" when it holds a ').
std::string python_repr(std::string_view text);

class Printer {
public:
    Printer(std::FILE* out, bool colour) : out_(out), style_(colour) {}

    const Style& style() const noexcept { return style_; }

    /// `* Connecting to 'host'`
    void connecting(std::string_view host);
    /// `* Connected to '127.0.0.1' on port 8000`
    void connected(std::string_view address, unsigned port);
    /// `* SSL established using 'TLSv1.3' / 'TLS_AES_256_GCM_SHA384'`, the ALPN line, and the
    /// server certificate block as Python's `getpeercert()` (empty when not verified, as there).
    void tls_established(std::string_view version, std::string_view cipher, std::string_view alpn,
                         std::string_view certificate_pem, bool verified);
    /// The request line and headers (names lower-cased for HTTP/2), then an empty line.
    void request_head(const httpx::Request& request, bool http2);
    /// The status line and headers, then an empty line.
    void response_head(std::string_view http_version, int status, std::string_view reason,
                       const httpx::Headers& headers);
    /// The body: JSON indented, text as text, `<N bytes of binary data>` otherwise, nothing
    /// when empty.
    void body(const httpx::Response& response);
    /// `ExceptionName: message` for a failed request (HTTPX's `RequestError` line).
    void request_error(const std::exception& error);
    /// An empty line (before a download's progress, as HTTPX).
    void blank_line();
    void flush();

private:
    void line(const std::string& text);

    std::FILE* out_;
    Style style_;
};

/// How HTTPX's CLI shows a body of this Content-Type (it asks pygments for a lexer).
enum class BodyKind { json, text, binary };
BodyKind body_kind(const httpx::Headers& headers);

/// The exception's HTTPX class name ("ConnectError") from its dynamic type.
std::string exception_name(const std::exception& error);

}  // namespace httpxx_cli
