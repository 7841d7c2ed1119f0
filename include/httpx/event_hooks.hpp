// Event hooks (HTTPX's `event_hooks={"request": [...], "response": [...]}`).
#pragma once

#include <httpx/request.hpp>
#include <httpx/response.hpp>
#include <httpx/types.hpp>

#include <concepts>
#include <functional>
#include <type_traits>
#include <vector>

namespace httpx {

/// A hook called with an argument `T&`: a plain `void(T&)` or a coroutine
/// `awaitable<void>(T&)`.
template <class T>
class EventHook {
public:
    template <class F>
    requires std::invocable<F&, T&> EventHook(F hook) {
        if constexpr (std::same_as<std::invoke_result_t<F&, T&>, awaitable<void>>) {
            fn_ = std::move(hook);
        } else {
            fn_ = [hook = std::move(hook)](T& arg) -> awaitable<void> {
                hook(arg);
                co_return;
            };
        }
    }
    awaitable<void> operator()(T& arg) const { return fn_(arg); }

private:
    std::function<awaitable<void>(T&)> fn_;
};

using RequestHook = EventHook<Request>;
using ResponseHook = EventHook<Response>;

/// Request hooks run on each fully prepared request before it is sent (every redirect hop
/// too) and may modify it; response hooks run on each response before its body is read
/// (call `co_await response.aread()` inside if needed; `raise_for_status()` is typical).
struct EventHooks {
    std::vector<RequestHook> request{};
    std::vector<ResponseHook> response{};
};

}  // namespace httpx
