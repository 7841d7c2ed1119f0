// HTTP/2 on a connection: an nghttp2 server session (sans-I/O) driven by one reader and one writer
// coroutine on the connection, and one coroutine per stream running its route through an
// Exchange. Request bodies are flow-controlled by hand (WINDOW_UPDATE as the route consumes);
// response bodies are pulled by nghttp2 from a small per-stream buffer, within the client's
// windows, the route waiting while that buffer is full.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <memory>

namespace httpx::testing {

class Connection;

namespace detail {

// Serves HTTP/2 on `connection` until either side closes it. Bytes already in connection.input()
// are the start of the client's connection preface.
boost::asio::awaitable<void> serve_http2(std::shared_ptr<Connection> connection);

}  // namespace detail
}  // namespace httpx::testing
