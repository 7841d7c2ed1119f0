// Auth base class, Basic and function auth (HTTPX's httpx/_auth.py). Digest and NetRC auth live
// in digest_auth.cpp and netrc.cpp.
#include "httpx/auth.hpp"

#include <openssl/evp.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace httpx {

namespace {

std::string base64_encode(std::string_view data) {
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');  // +1: EVP_EncodeBlock's NUL
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(data.data()),
                                        static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

}  // namespace

Auth::~Auth() = default;

awaitable<Response> Auth::auth_flow(Request& request, AuthSend send) {
    co_return co_await send(request);
}

// Credentials are raw bytes (UTF-8 for text), joined by ':' as HTTPX does; no charset games.
BasicAuth::BasicAuth(std::string username, std::string password)
    : header_("Basic " + base64_encode(username + ":" + password)) {}

awaitable<Response> BasicAuth::auth_flow(Request& request, AuthSend send) {
    request.headers().set("Authorization", header_);
    co_return co_await send(request);
}

FunctionAuth::FunctionAuth(std::function<void(Request&)> modify) : modify_(std::move(modify)) {}

awaitable<Response> FunctionAuth::auth_flow(Request& request, AuthSend send) {
    if (modify_) modify_(request);
    co_return co_await send(request);
}

namespace {

// A flow given as a function (AuthOption from a lambda).
class FlowFunctionAuth final : public Auth {
public:
    explicit FlowFunctionAuth(std::function<awaitable<Response>(Request&, AuthSend)> flow)
        : flow_(std::move(flow)) {}
    awaitable<Response> auth_flow(Request& request, AuthSend send) override {
        // The lambda's captures live in flow_, which this Auth (held by the call) keeps alive.
        co_return co_await flow_(request, std::move(send));
    }

private:
    std::function<awaitable<Response>(Request&, AuthSend)> flow_;
};

}  // namespace

std::shared_ptr<Auth> AuthOption::flow_auth(
    std::function<awaitable<Response>(Request&, AuthSend)> flow) {
    return std::make_shared<FlowFunctionAuth>(std::move(flow));
}

std::shared_ptr<Auth> AuthOption::function_auth(std::function<void(Request&)> modify) {
    return std::make_shared<FunctionAuth>(std::move(modify));
}

AuthOption::AuthOption(std::pair<std::string, std::string> basic_credentials)
    : auth_(std::make_shared<BasicAuth>(std::move(basic_credentials.first),
                                        std::move(basic_credentials.second))),
      set_(true) {}

}  // namespace httpx
