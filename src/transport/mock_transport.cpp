// MockTransport: answers every request with a handler function, with no network.
#include "httpx/transport.hpp"

namespace httpx {

awaitable<Response> MockTransport::handle_async_request(Request& request) {
    co_await request.aread();
    Response response = co_await handler_(request);
    co_return response;
}

}  // namespace httpx
