// How an HTTP/1.1 connection sizes and times its socket reads: two tuning rules, each a type
// with a record() of what a read brought (hyper's ReadStrategy shape), tested on their own.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace httpx::transport {

/// The size of the next read of a response body straight into a chunk of its own (one framed by
/// Content-Length or by the end of the connection). A read that fills its buffer doubles the
/// next one, up to kMax, while the data comes in faster than it is read: fewer system calls and
/// wake-ups per byte (a quarter of those of 64 KiB reads for a large download). A read that
/// brings less than half of it halves the next one, down to kMin: a chunk the caller keeps
/// should not hold much more memory than bytes on a slow link.
class AdaptiveReadSize {
public:
    static constexpr std::size_t kInitial = 64 * 1024;  // httpcore's read size
    static constexpr std::size_t kMin = 16 * 1024;
    // As libcurl's buffer in the peer benchmark (docs/performance.md: 128 KiB cost more CPU).
    static constexpr std::size_t kMax = 256 * 1024;

    /// Starts over at kInitial (a new response).
    void reset() noexcept { next_ = kInitial; }
    /// The size of the next read when `left` bytes remain of the body.
    std::size_t next(std::uint64_t left) const noexcept {
        return static_cast<std::size_t>(std::min<std::uint64_t>(left, next_));
    }
    /// A read of `asked` bytes (what next() said) brought `got` (more than 0).
    void record(std::size_t asked, std::size_t got) noexcept {
        if (got == asked) {
            next_ = std::min(next_ * 2, kMax);
        } else if (got < asked / 2) {
            next_ = std::max(next_ / 2, kMin);
        }
    }

private:
    std::size_t next_ = kInitial;
};

/// Whether the first read of a response head, for a request the socket took at once, waits for
/// the handlers already queued on its thread (NetworkStream::read_some_later()).
///
/// The response cannot be there microseconds after its request left: a read at once fails
/// (EAGAIN) before it waits. With other exchanges in flight on the thread, a read that goes after
/// their handlers often finds the response, as Beast's does (its write completes through the
/// scheduler): one system call fewer. With one exchange in flight nothing runs meanwhile, and
/// deferring costs an epoll_wait for nothing: after a deferred read that let nothing else run
/// first, the connection's next kPause head reads go at once, then it tries again.
///
/// "Nothing else ran" is told by a count of deferred reads per thread: a read that finds it
/// where it left it when it completes let no other connection's head read go first.
class HeadReadDeferral {
public:
    static constexpr std::uint8_t kPause = 8;

    /// Asked before the head read of a request sent at once: true when the read is deferred,
    /// and then record() follows its completion.
    bool defer() noexcept;
    /// The deferred read completed.
    void record() noexcept;

private:
    std::uint64_t ticket_ = 0;  // the thread's count when the deferred read started
    std::uint8_t wait_ = 0;     // head reads left before the next deferral
};

}  // namespace httpx::transport
