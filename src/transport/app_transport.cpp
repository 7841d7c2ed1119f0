// AppTransport: calls an in-process application directly, as HTTPX's ASGITransport.
#include "httpx/transport.hpp"

#include <exception>
#include <utility>

namespace httpx {

awaitable<Response> AppTransport::handle_async_request(Request& request) {
    request.extensions()["root_path"] = options_.root_path;
    request.extensions()["client"] = options_.client;
    std::exception_ptr failure;
    try {
        Response response = co_await app_(request);
        if (request.method() == "HEAD") {
            // Like ASGITransport: a HEAD response carries no body, whatever the app sent.
            response.close();
            ResponseOptions options;
            options.headers = response.headers();
            options.extensions = response.extensions();
            co_return Response(response.status_code(), std::move(options));
        }
        co_return response;
    } catch (...) {
        if (options_.raise_app_exceptions) throw;
        failure = std::current_exception();
    }
    (void)failure;
    co_return Response(500);
}

}  // namespace httpx
