// httpx::Iterator<T>: the C++ form of a sync `for x in it:` (range-for).
#pragma once

#include <cstddef>
#include <functional>
#include <iterator>
#include <optional>
#include <utility>

namespace httpx {

/// A single-pass sequence read with range-for: `for (const httpx::Bytes& chunk :
/// response.iter_bytes()) use(chunk);`, or by hand: `while (auto x = it.next()) use(*x);`.
/// Each step blocks until the next element is there (for a response body: it drives the
/// client's loop until the next chunk arrives). Exceptions of the source propagate from
/// `begin()`, `++` and `next()`. Move-only; moving it invalidates its iterators. A
/// default-constructed Iterator is empty.
template <class T>
class Iterator {
public:
    using value_type = T;
    using NextFn = std::function<std::optional<T>()>;

    Iterator() = default;
    explicit Iterator(NextFn next) : next_(std::move(next)) {}
    Iterator(Iterator&&) noexcept = default;
    Iterator& operator=(Iterator&&) noexcept = default;
    Iterator(const Iterator&) = delete;
    Iterator& operator=(const Iterator&) = delete;

    /// The next element, or nullopt at the end (and on every later call).
    std::optional<T> next() {
        if (!next_) return std::nullopt;
        std::optional<T> element = next_();
        if (!element) next_ = nullptr;
        return element;
    }

    /// An input iterator over the elements; compares equal to `end()` once they are exhausted.
    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using reference = T&;
        using pointer = T*;

        iterator() = default;
        T& operator*() const { return *owner_->current_; }
        T* operator->() const { return &*owner_->current_; }
        iterator& operator++() {
            owner_->current_ = owner_->next();
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& it, std::default_sentinel_t) { return it.at_end(); }

    private:
        friend class Iterator;
        explicit iterator(Iterator* owner) : owner_(owner) {}
        bool at_end() const { return !owner_ || !owner_->current_; }
        Iterator* owner_ = nullptr;
    };

    /// Reads the first element.
    iterator begin() {
        current_ = next();
        return iterator(this);
    }
    std::default_sentinel_t end() const noexcept { return {}; }

private:
    NextFn next_;
    std::optional<T> current_;
};

}  // namespace httpx
