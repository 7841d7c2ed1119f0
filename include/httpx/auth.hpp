// Authentication (HTTPX's `Auth` classes): Basic, Digest, NetRC, and custom flows.
#pragma once

#include <httpx/request.hpp>
#include <httpx/response.hpp>
#include <httpx/types.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace httpx {

// AuthSend, the `send` of a flow, is declared in request.hpp (AuthOption takes flow functions).

/// Base of every authentication scheme, and the way to write a custom one (HTTPX's
/// `auth_flow` generator): override `auth_flow`, modify the request, send it with `send`,
/// look at the response, send further requests if needed, and return the final response.
/// Every response but the last ends up in the final response's `history()`, read. A flow that
/// needs no state of its own can also be a lambda given as the auth (see `AuthOption`).
class Auth {
public:
    virtual ~Auth();
    /// Whether the flow needs the request body in memory (it is read before the flow starts,
    /// so that `request.content()` works, e.g. to sign it).
    virtual bool requires_request_body() const { return false; }
    /// Whether the flow needs each response's body: `send` then returns it read (else the
    /// body is still unread when the flow sees the response, as in HTTPX).
    virtual bool requires_response_body() const { return false; }
    /// The flow. The default sends the request unchanged.
    virtual awaitable<Response> auth_flow(Request& request, AuthSend send);
};

/// A custom flow written without coroutines, for `httpx::Client` and `AsyncClient` alike
/// (HTTPX's `sync_auth_flow`, as two plain functions instead of a generator): `on_request`
/// prepares the first request; `on_response` sees each response and returns the next request
/// to send (another round), or nullopt to end the flow with that response. The rounds, their
/// redirects and `history()` are the client's, as for every flow. Both run on the client's
/// loop: they must not make blocking calls of the same client (they throw `std::logic_error`),
/// and a response's body is not read when `on_response` sees it.
class SyncAuth : public Auth {
public:
    /// Modifies the request before it is first sent. The default does nothing.
    virtual void on_request(Request& request);
    /// Given the request just sent and its response: the next request, or nullopt to stop. The
    /// default stops.
    virtual std::optional<Request> on_response(const Request& request, Response& response);
    awaitable<Response> auth_flow(Request& request, AuthSend send) final;
};

/// HTTP Basic authentication: `Authorization: Basic base64(user:pass)`.
class BasicAuth : public Auth {
public:
    BasicAuth(std::string username, std::string password);
    awaitable<Response> auth_flow(Request& request, AuthSend send) override;
    /// The header value this auth sends.
    const std::string& authorization() const noexcept { return header_; }

private:
    std::string header_;
};

/// Modifies each request with a function (HTTPX's `FunctionAuth`, auth=callable).
class FunctionAuth : public Auth {
public:
    explicit FunctionAuth(std::function<void(Request&)> modify);
    awaitable<Response> auth_flow(Request& request, AuthSend send) override;

private:
    std::function<void(Request&)> modify_;
};

/// HTTP Digest authentication (RFC 7616: MD5, SHA-256, SHA-512-256, `-sess`, qop auth,
/// userhash). Sends the request; on a 401 with a Digest challenge, answers it once. The
/// challenge is remembered so that later requests authenticate directly, as HTTPX does.
/// Throws `ProtocolError` for a malformed challenge or an unknown algorithm or qop, and, as
/// HTTPX, `NotImplementedError` for one that only offers qop="auth-int".
class DigestAuth : public Auth {
public:
    DigestAuth(std::string username, std::string password);
    ~DigestAuth() override;
    awaitable<Response> auth_flow(Request& request, AuthSend send) override;

    struct State;

private:
    std::shared_ptr<State> state_;
};

/// Basic authentication with credentials looked up by host in a .netrc file: `file`, else
/// $NETRC, else ~/.netrc. A host without an entry (nor a `default` entry), or whose entry has no
/// password, is sent without credentials. The file is read once, by the constructor, which
/// throws `std::filesystem::filesystem_error` when it cannot be read and `std::runtime_error`
/// on a syntax error (Python's NetrcParseError), or when ~/.netrc is readable by others.
class NetRCAuth : public Auth {
public:
    explicit NetRCAuth(std::optional<std::filesystem::path> file = std::nullopt);
    awaitable<Response> auth_flow(Request& request, AuthSend send) override;

    struct Netrc;

private:
    std::optional<std::filesystem::path> file_;
    std::shared_ptr<const Netrc> netrc_;
};

}  // namespace httpx
