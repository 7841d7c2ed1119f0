// A connected TCP or Unix-domain socket as a NetworkStream, and the options a TCP socket gets.
#pragma once

#include "httpx/config.hpp"
#include "net/network_stream.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <memory>
#include <vector>

namespace httpx::net {

std::unique_ptr<NetworkStream> make_tcp_stream(boost::asio::ip::tcp::socket socket);
std::unique_ptr<NetworkStream> make_unix_stream(boost::asio::local::stream_protocol::socket socket);

/// TCP_NODELAY, then each of `options`. Throws ConnectError for an option the OS refuses.
void apply_socket_options(boost::asio::ip::tcp::socket& socket,
                          const std::vector<SocketOption>& options);

}  // namespace httpx::net
