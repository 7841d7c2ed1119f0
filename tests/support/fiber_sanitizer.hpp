// Whether this build's sanitizer can follow Boost.Context's stack switches (asio::spawn,
// yield_context). ASan and TSan cannot: Debian's Boost.Context makes no fiber annotations, so
// ASan reports false stack-buffer-overflows on the fiber's stack (google/sanitizers#189) and
// TSan loses track of the stacks. Tests of yield_context are skipped in those builds; they run
// in the normal build.
#pragma once

namespace httpx::test {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizerFollowsFibers = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitizerFollowsFibers = false;
#else
inline constexpr bool kSanitizerFollowsFibers = true;
#endif
#else
inline constexpr bool kSanitizerFollowsFibers = true;
#endif

/// Whether this is an ASan build (g++ says so with __SANITIZE_ADDRESS__, clang with
/// __has_feature): its quarantine keeps freed memory resident, so RSS checks mean nothing there.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

}  // namespace httpx::test
