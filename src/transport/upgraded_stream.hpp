// What stands behind an httpx::NetworkStream: the byte stream of an HTTP/1.1 connection after a
// 101 Switching Protocols (or a 2xx to CONNECT), taken from the connection with the bytes read
// past the response head, and the pool's lease of that connection, ended when it closes.
#pragma once

#include "httpx/network_stream.hpp"
#include "net/network_stream.hpp"
#include "transport/connection.hpp"

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

namespace httpx {

struct NetworkStream::Impl {
    Impl(std::unique_ptr<net::NetworkStream> stream, std::string buffered, transport::Lease lease);
    ~Impl();
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    /// Closes the stream and ends the lease (the pool forgets the connection). Idempotent.
    void close() noexcept;

    std::unique_ptr<net::NetworkStream> stream;
    std::string buffered;  // read past the response head, not handed out yet: [taken, size)
    std::size_t taken = 0;
    transport::Lease lease;
    std::shared_ptr<const TLSInfo> tls;
    std::atomic<bool> closed{false};
};

}  // namespace httpx
