// How an exchange fails, in one vocabulary for every kind of connection, and the HTTPX
// exception each failure becomes. Failures are kept as descriptions (not exception objects)
// because every request throws its own exception, to which the client attaches the request.
#pragma once

#include "httpx/exceptions.hpp"

#include <string>

namespace httpx::transport {

/// A request the server never processed (GOAWAY above its stream, REFUSED_STREAM, or a reused
/// connection that died before answering): it may go again on another connection.
class RefusedStream : public RemoteProtocolError {
public:
    /// `body_untouched`: the request body was not read at all (a one-shot body can go again).
    explicit RefusedStream(const std::string& message, bool body_untouched = false)
        : RemoteProtocolError(message), body_untouched_(body_untouched) {}
    bool body_untouched() const noexcept { return body_untouched_; }

private:
    bool body_untouched_;
};

/// How a stream, an exchange or a whole connection failed.
struct Failure {
    enum class Kind { none, read, read_timeout, write, write_timeout, remote, refused, eof };
    Kind kind = Kind::none;
    std::string message;

    explicit operator bool() const noexcept { return kind != Kind::none; }
    /// Throws the HTTPX exception of this failure (RemoteProtocolError for `remote` and `eof`).
    [[noreturn]] void raise() const {
        switch (kind) {
            case Kind::read:
                throw ReadError(message);
            case Kind::read_timeout:
                throw ReadTimeout(message);
            case Kind::write:
                throw WriteError(message);
            case Kind::write_timeout:
                throw WriteTimeout(message);
            case Kind::refused:
                throw RefusedStream(message);
            default:
                throw RemoteProtocolError(message);
        }
    }
};

}  // namespace httpx::transport
