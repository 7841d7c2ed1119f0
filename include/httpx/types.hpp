// Vocabulary types shared by every public header.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

namespace httpx {

/// Raw octets (HTTPX's `bytes`). A `std::string` so that it interoperates with everything.
using Bytes = std::string;

/// The coroutine type of every asynchronous operation in httpxx.
template <class T>
using awaitable = boost::asio::awaitable<T>;

/// The library version, as in the `User-Agent: httpxx/VERSION` header.
inline constexpr const char* version = "0.1.0";

}  // namespace httpx
