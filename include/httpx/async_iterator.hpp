// httpx::AsyncIterator<T>: the C++ form of `async for x in it`.
#pragma once

#include <httpx/types.hpp>

#include <functional>
#include <optional>
#include <utility>

namespace httpx {

/// A single-pass asynchronous sequence: `while (auto x = co_await it.next()) use(*x);`.
/// `next()` returns nullopt once the sequence is exhausted (and on every later call).
/// A default-constructed iterator is empty.
template <class T>
class AsyncIterator {
public:
    using value_type = T;
    using NextFn = std::function<awaitable<std::optional<T>>()>;

    AsyncIterator() = default;
    explicit AsyncIterator(NextFn next) : next_(std::move(next)) {}

    /// The next element, or nullopt at the end. Exceptions of the source propagate.
    awaitable<std::optional<T>> next() { return next_ ? next_() : end(); }

    explicit operator bool() const noexcept { return static_cast<bool>(next_); }

private:
    static awaitable<std::optional<T>> end() { co_return std::nullopt; }
    NextFn next_;
};

}  // namespace httpx
