// Test helper: the resident memory of this process, for tests that a stream stays flat.
#pragma once

#include <cstddef>
#include <fstream>
#include <string>

namespace httpx::test {

/// VmRSS from /proc/self/status (Linux), in bytes; 0 when unavailable. Meaningless under ASan,
/// whose quarantine keeps freed memory resident.
inline std::size_t resident_bytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with("VmRSS:")) return std::stoull(line.substr(6)) * 1024;
    }
    return 0;
}

}  // namespace httpx::test
