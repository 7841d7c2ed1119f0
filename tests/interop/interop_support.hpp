// Helpers shared by the interop tests (tests/interop/run.sh starts the servers they talk to).
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace httpx::interop {

/// An environment variable set by run.sh, or "" (the test then skips).
inline std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// nginx's access log as run.sh configures it ("$connection $connection_requests $method $uri
/// $status"): which connection carried which request.
struct NginxAccessLog {
    std::string access_log;  // its path

    /// The lines whose URI contains `marker`, waiting up to 2 s for `expected` of them (nginx
    /// logs a request after its last byte went out).
    std::vector<std::string> log_lines(const std::string& marker, std::size_t expected) const {
        std::vector<std::string> lines;
        for (int attempt = 0; attempt < 200; ++attempt) {
            lines.clear();
            std::istringstream in(read_file(access_log));
            for (std::string line; std::getline(in, line);)
                if (line.find(marker) != std::string::npos) lines.push_back(line);
            if (lines.size() >= expected) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return lines;
    }
    /// A query marker unique to one test run (also with --gtest_repeat).
    static std::string unique_marker(std::string_view name) {
        static int runs = 0;
        return std::string(name) + "-" + std::to_string(::getpid()) + "-" + std::to_string(++runs) +
               "x";
    }
    /// The nginx connection numbers of `lines`.
    static std::set<std::string> connection_ids(const std::vector<std::string>& lines) {
        std::set<std::string> ids;
        for (const auto& line : lines) ids.insert(line.substr(0, line.find(' ')));
        return ids;
    }
};

}  // namespace httpx::interop
