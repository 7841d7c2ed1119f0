#include "exchange_output.hpp"

#include <httpx/network_stream.hpp>

#include <any>
#include <memory>
#include <string>

namespace httpxx_cli {

// Until the trace extension is in: a response hook sees each response of the exchange (every
// redirect hop), its request, and its connection's TLS facts.
void print_exchanges(httpx::ClientOptions& client, httpx::RequestOptions&, Printer& printer,
                     bool verbose) {
    auto last_origin = std::make_shared<std::string>();
    client.event_hooks.response.emplace_back(
        [&printer, verbose, last_origin](httpx::Response& response) {
            const bool http2 = response.http_version() == "HTTP/2";
            if (verbose) {
                const httpx::URL& url = response.request().url();
                const std::string origin =
                    url.scheme() + "://" + url.raw_host() + ":" +
                    std::to_string(url.port().value_or(url.scheme() == "https" ? 443 : 80));
                if (origin != *last_origin) {
                    *last_origin = origin;
                    printer.connecting(url.raw_host());
                    auto tls = response.extensions().find("tls");
                    if (tls != response.extensions().end()) {
                        if (const auto* info = std::any_cast<httpx::TLSInfo>(&tls->second)) {
                            printer.tls_established(info->version, info->cipher, info->alpn,
                                                    info->peer_certificate_pem, info->verified);
                        }
                    }
                }
                printer.request_head(response.request(), http2);
            }
            printer.response_head(response.http_version(), response.status_code(),
                                  response.reason_phrase(), response.headers());
            printer.flush();
        });
}

}  // namespace httpxx_cli
