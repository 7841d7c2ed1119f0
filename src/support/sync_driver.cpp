#include "support/sync_driver.hpp"

#include <stdexcept>

namespace httpx::detail {

SyncDriver::SyncDriver() : work_(io_.get_executor()) {}

SyncDriver::~SyncDriver() {
    work_.reset();
}

bool SyncDriver::in_loop() const noexcept {
    return io_.get_executor().running_in_this_thread();
}

void SyncDriver::refuse_reentry() const {
    if (in_loop())
        throw std::logic_error(
            "A blocking call of httpx::Client was made from inside the client's own event loop "
            "(an event hook, an auth flow or a transport handler): it would wait for itself. Use "
            "the async forms there (co_await response.aread(), ...).");
}

void SyncDriver::finish(CallBase& call) {
    if (call.led) {
        // On the leader's own thread: nobody waits on the condition variable for this call.
        call.done.store(true, std::memory_order_release);
        io_.stop();
        return;
    }
    {
        std::lock_guard lock(mutex_);
        call.done.store(true, std::memory_order_release);
    }
    changed_.notify_all();
}

void SyncDriver::wait(CallBase& call) {
    std::unique_lock lock(mutex_);
    while (!call.done.load(std::memory_order_acquire)) {
        if (leading_) {
            changed_.wait(lock);
            continue;
        }
        leading_ = true;
        call.led = true;
        lock.unlock();
        // run(), not run_one() per handler: the call's completion stops the loop (one check
        // per call, not a lock and a reactor poll per handler).
        std::exception_ptr escaped;  // a handler's exception, out of run()
        try {
            while (!call.done.load(std::memory_order_acquire)) {
                if (io_.stopped()) io_.restart();
                io_.run();
            }
        } catch (...) {
            escaped = std::current_exception();
        }
        lock.lock();
        call.led = false;
        leading_ = false;
        changed_.notify_all();  // a follower whose call is not done takes over
        if (escaped) std::rethrow_exception(escaped);
    }
}

}  // namespace httpx::detail
