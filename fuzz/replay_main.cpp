// A main for the fuzz targets without libFuzzer (g++ builds, the ASan test run): runs the target
// once on every file named on the command line, or in a directory named there, so that the
// committed corpora are replayed by `ctest` and never rot.
#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::string current_input;  // named when a check aborts

extern "C" void name_the_input(int signal) {
    const char prefix[] = "\nfuzz replay: the input that failed: ";
    (void)!write(2, prefix, sizeof prefix - 1);
    (void)!write(2, current_input.data(), current_input.size());
    (void)!write(2, "\n", 1);
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

void run_file(const std::filesystem::path& path) {
    current_input = path.string();
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGABRT, name_the_input);
    std::signal(SIGSEGV, name_the_input);
    std::size_t count = 0;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path arg = argv[i];
        if (std::filesystem::is_directory(arg)) {
            std::vector<std::filesystem::path> files;
            for (const auto& entry : std::filesystem::directory_iterator(arg)) {
                if (entry.is_regular_file()) files.push_back(entry.path());
            }
            std::sort(files.begin(), files.end());
            for (const auto& file : files) run_file(file), ++count;
        } else if (std::filesystem::is_regular_file(arg)) {
            run_file(arg), ++count;
        } else {
            std::cerr << "no such file or directory: " << arg << '\n';
            return 2;
        }
    }
    if (count == 0) {
        std::cerr << "no inputs replayed\n";
        return 2;
    }
    std::cout << "replayed " << count << " inputs\n";
    return 0;
}
