// How a cancelled operation ends: as Asio's own operations do, with
// boost::system::system_error(operation_aborted), never as an httpx exception (API.md, "Async
// environments"). HTTPX likewise lets the runtime's cancellation through.
#pragma once

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <exception>

namespace httpx::detail {

/// Rethrows the exception being handled, or, when `state` (the awaiting coroutine's
/// cancellation state, taken with `co_await this_coro::cancellation_state`) says the operation
/// was cancelled, `system_error(operation_aborted)` in its place. Inside, a cancellation
/// surfaces in many forms: a socket read aborted and reported as ReadError, a connect whose
/// timer lost the race to it (ConnectTimeout), a pool wait given up. Only the caller's own
/// cancellation sets `state`: the library's timeouts cancel inner operations (within()) or
/// close the socket (StreamDeadline), so a timeout stays an httpx exception. Call only inside
/// a catch block.
[[noreturn]] inline void rethrow_as_cancellation_if(const boost::asio::cancellation_state& state) {
    if (state.cancelled() != boost::asio::cancellation_type::none)
        throw boost::system::system_error(boost::asio::error::operation_aborted);
    throw;
}

}  // namespace httpx::detail
