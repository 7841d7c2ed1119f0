#include "exchange_output.hpp"

#include <httpx/network_stream.hpp>
#include <httpx/trace.hpp>

#include <any>
#include <memory>
#include <string>
#include <string_view>

namespace httpxx_cli {
namespace {

// What the two sources below share: whether the trace reported the connection of the exchange
// under way, and the origin of the last one printed.
struct Exchanges {
    bool connection_traced = false;
    std::string last_origin;
};

std::string origin_of(const httpx::URL& url) {
    const int port = url.port().value_or(url.scheme() == "https" ? 443 : 80);
    return url.scheme() + "://" + url.raw_host() + ":" + std::to_string(port);
}

}  // namespace

// HTTPX's CLI prints everything from the trace extension. Here the trace (`extensions["trace"]`,
// which redirects carry to each hop) prints the -v connection lines as the connection is made;
// a response hook prints each response's request and response heads. A library without trace
// events still gets the connection lines, from the hook: the host, and the TLS facts of the
// response (not the peer's address, which only the trace knows).
void print_exchanges(httpx::ClientOptions& client, httpx::RequestOptions& request, Printer& printer,
                     bool verbose) {
    if (!verbose) {
        client.event_hooks.response.emplace_back([&printer](httpx::Response& response) {
            printer.response_head(response.http_version(), response.status_code(),
                                  response.reason_phrase(), response.headers());
            printer.flush();
        });
        return;
    }
    auto state = std::make_shared<Exchanges>();
    request.extensions["trace"] = httpx::TraceCallback(
        [&printer, state](std::string_view event, const httpx::TraceInfo& info) {
            if (event == "connection.connect_tcp.started") {
                state->connection_traced = true;
                printer.connecting(info.host);
            } else if (event == "connection.connect_tcp.complete") {
                printer.connected(info.server_address, info.server_port);
            } else if (event == "connection.start_tls.complete" && info.tls != nullptr) {
                printer.tls_established(info.tls->version, info.tls->cipher, info.tls->alpn,
                                        info.tls->peer_certificate_pem, info.tls->verified);
            } else {
                return;
            }
            printer.flush();
        });
    client.event_hooks.response.emplace_back([&printer, state](httpx::Response& response) {
        const httpx::Request& sent = response.request();
        const std::string origin = origin_of(sent.url());
        if (!state->connection_traced && origin != state->last_origin) {
            printer.connecting(sent.url().raw_host());
            auto tls = response.extensions().find("tls");
            if (tls != response.extensions().end()) {
                if (const auto* info = std::any_cast<httpx::TLSInfo>(&tls->second)) {
                    printer.tls_established(info->version, info->cipher, info->alpn,
                                            info->peer_certificate_pem, info->verified);
                }
            }
        }
        state->connection_traced = false;
        state->last_origin = origin;
        const bool http2 = response.http_version() == "HTTP/2";
        printer.request_head(sent, http2);
        printer.response_head(response.http_version(), response.status_code(),
                              response.reason_phrase(), response.headers());
        printer.flush();
    });
}

}  // namespace httpxx_cli
