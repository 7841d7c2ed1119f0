// The test server's routes (listed in test_server.hpp): path -> handler, written once against
// Exchange so that each answers over HTTP/1.1 and HTTP/2 alike.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "exchange.hpp"

namespace httpx::testing::detail {

// Answers the request of `ex`; says what the connection does next.
boost::asio::awaitable<After> route(Exchange& ex);

}  // namespace httpx::testing::detail
