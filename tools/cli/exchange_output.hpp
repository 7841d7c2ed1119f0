// What connects the client's exchange to the printer: HTTPX's CLI prints from the `trace`
// extension (the response head always; with -v the connection lines and the request head).
#pragma once

#include <httpx/async_client.hpp>
#include <httpx/request.hpp>

#include "printer.hpp"

namespace httpxx_cli {

/// Sets up `client` and `request` so that each exchange (every redirect hop) is printed on
/// `printer` as HTTPX's CLI prints it: a trace callback in the request's extensions.
void print_exchanges(httpx::ClientOptions& client, httpx::RequestOptions& request, Printer& printer,
                     bool verbose);

}  // namespace httpxx_cli
