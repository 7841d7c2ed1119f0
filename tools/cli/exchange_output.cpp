#include "exchange_output.hpp"

#include <httpx/network_stream.hpp>
#include <httpx/status_codes.hpp>
#include <httpx/trace.hpp>

#include <string_view>

namespace httpxx_cli {

// As HTTPX's CLI: a trace callback on the request (redirects carry it to each hop) prints each
// step as it happens, so that -v shows the connection and the request head even when the
// request then fails.
void print_exchanges(httpx::ClientOptions&, httpx::RequestOptions& request, Printer& printer,
                     bool verbose) {
    request.extensions["trace"] = httpx::TraceCallback(
        [&printer, verbose](std::string_view event, const httpx::TraceInfo& info) {
            if (event == "http11.receive_response_headers.complete" && info.headers) {
                printer.response_head(info.http_version, info.status_code, info.reason_phrase,
                                      *info.headers);
            } else if (event == "http2.receive_response_headers.complete" && info.headers) {
                // HTTP/2 has no reason phrase: HTTPX shows the standard one.
                printer.response_head("HTTP/2", info.status_code,
                                      httpx::StatusCode(info.status_code).phrase(), *info.headers);
            } else if (!verbose) {
                return;
            } else if (event == "connection.connect_tcp.started") {
                printer.connecting(info.host);
            } else if (event == "connection.connect_tcp.complete") {
                printer.connected(info.server_address, info.server_port);
            } else if (event == "connection.start_tls.complete" && info.tls) {
                printer.tls_established(info.tls->version, info.tls->cipher, info.tls->alpn,
                                        info.tls->peer_certificate_pem, info.tls->verified);
            } else if (event == "http11.send_request_headers.started" && info.request) {
                printer.request_head(*info.request, false);
            } else if (event == "http2.send_request_headers.started" && info.request) {
                printer.request_head(*info.request, true);
            } else {
                return;
            }
            printer.flush();
        });
}

}  // namespace httpxx_cli
