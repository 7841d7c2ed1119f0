// HTTP/1.1 on a connection: the exchange loop (keep-alive, pipelining) over Beast's request parser
// fed with put(). Responses are written as raw bytes so that the misbehaving routes can send
// exactly what they want.
#pragma once

#include <boost/asio/awaitable.hpp>

namespace httpx::testing {

class Connection;

namespace detail {

// Serves requests on `connection` until either side closes it. Bytes already in
// connection.input() are the start of the first request.
boost::asio::awaitable<void> serve_http1(Connection& connection);

}  // namespace detail
}  // namespace httpx::testing
