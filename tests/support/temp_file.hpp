// Test helper: a file in the temporary directory, removed when the object goes.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace httpx::test {

class TempFile {
public:
    /// A file named after `name` (and this process) holding `content`.
    TempFile(const std::string& name, const std::string& content)
        : path_(std::filesystem::temp_directory_path() /
                ("httpxx-test-" + std::to_string(::getpid()) + "-" + name)) {
        std::ofstream(path_, std::ios::binary) << content;
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace httpx::test
