// What the pool needs of any connection it keeps idle: HTTP/1.1 or HTTP/2.
#pragma once

#include <chrono>
#include <string>

namespace httpx::transport {

class Connection {
public:
    virtual ~Connection() = default;
    /// True when the peer closed or sent something while the connection sat idle: it must not
    /// carry another request.
    virtual bool is_readable() const = 0;
    virtual void close() noexcept = 0;
    /// "scheme://host:port", the pool's key.
    virtual const std::string& origin() const noexcept = 0;
    virtual bool is_http2() const noexcept { return false; }

    /// When the connection last became idle (guarded by the pool's lock).
    std::chrono::steady_clock::time_point idle_since;
};

}  // namespace httpx::transport
