#include "transport/read_policy.hpp"

namespace httpx::transport {

namespace {

// Deferred head reads started and completed on this thread.
thread_local std::uint64_t deferred_head_reads = 0;

}  // namespace

bool HeadReadDeferral::defer() noexcept {
    if (wait_ > 0) {
        --wait_;
        return false;
    }
    ticket_ = ++deferred_head_reads;
    return true;
}

void HeadReadDeferral::record() noexcept {
    if (++deferred_head_reads == ticket_ + 1) wait_ = kPause;
}

}  // namespace httpx::transport
