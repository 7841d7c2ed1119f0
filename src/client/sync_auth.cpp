// SyncAuth: a flow of plain functions, driven by the coroutine every client runs flows with.
#include "httpx/auth.hpp"

namespace httpx {

void SyncAuth::on_request(Request&) {}

std::optional<Request> SyncAuth::on_response(const Request&, Response&) {
    return std::nullopt;
}

awaitable<Response> SyncAuth::auth_flow(Request& request, AuthSend send) {
    on_request(request);
    Response response = co_await send(request);
    std::optional<Request> next = on_response(request, response);
    // Each round's request stays alive until the next round's is built from it.
    while (next) {
        auto sent = std::make_shared<Request>(std::move(*next));
        response = co_await send(*sent);
        next = on_response(*sent, response);
    }
    co_return response;
}

}  // namespace httpx
