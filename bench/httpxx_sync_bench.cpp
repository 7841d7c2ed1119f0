// httpxx_sync_bench: httpxx's blocking httpx::Client as a client of the peer comparison harness
// (../shared/bench/README.md), for the sequential rows next to libcurl's easy interface and
// Python HTTPX's sync Client (bench/peers/).
//   httpxx_sync_bench <get|stream|upload> <url> <n> 1 <h1|h2|h2c> <body_bytes>
// One Client, requests one after the other on one kept-alive connection, only the public API.
// `get` reads each body, `stream` iterates it with iter_bytes() and discards it, `upload` posts
// <body_bytes> from memory. Prints the harness's RESULT line (the request loop only) and exits
// 0 iff every request succeeded.
#include <httpx/httpx.hpp>

#include <sys/resource.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void usage() {
    std::fprintf(stderr,
                 "usage: httpxx_sync_bench <get|stream|upload> <url> <n> 1 <h1|h2|h2c> "
                 "<body_bytes>\n");
    std::exit(2);
}

std::uint64_t number(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) usage();
    return value;
}

double seconds(const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 7 || number(argv[4]) != 1) usage();
    const std::string_view mode = argv[1], proto = argv[5];
    if ((mode != "get" && mode != "stream" && mode != "upload") ||
        (proto != "h1" && proto != "h2" && proto != "h2c"))
        usage();
    const std::uint64_t n = number(argv[3]);
    // Copies of a stream made from bytes share them: no copy of the body per request.
    const httpx::AsyncByteStream upload_body(httpx::Bytes(number(argv[6]), 'x'));

    httpx::ClientOptions options;
    options.verify = false;
    options.http1 = proto != "h2c";
    options.http2 = proto != "h1";
    options.trust_env = false;
    httpx::Client client(std::move(options));
    const httpx::URL url(argv[2]);

    std::uint64_t ok = 0, err = 0, bytes = 0;
    rusage usage_before{}, usage_after{};
    getrusage(RUSAGE_SELF, &usage_before);
    const auto start = std::chrono::steady_clock::now();
    for (std::uint64_t i = 0; i < n; ++i) {
        try {
            httpx::Response response;
            if (mode == "stream") {
                response = client.stream("GET", url);
                for (const httpx::Bytes& chunk : response.iter_bytes()) bytes += chunk.size();
            } else if (mode == "upload") {
                httpx::RequestOptions request_options;
                request_options.content = upload_body;
                response = client.post(url, std::move(request_options));
                bytes += response.content().size();
            } else {
                response = client.get(url);
                bytes += response.content().size();
            }
            if (response.status_code() == 200) {
                ++ok;
            } else if (err++ == 0) {
                std::fprintf(stderr, "request failed: status %d\n", response.status_code());
            }
        } catch (const std::exception& e) {
            if (err++ == 0) std::fprintf(stderr, "request failed: %s\n", e.what());
        }
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    getrusage(RUSAGE_SELF, &usage_after);
    std::printf("RESULT ok=%llu err=%llu bytes=%llu elapsed=%.6f cpu_user=%.6f cpu_sys=%.6f\n",
                static_cast<unsigned long long>(ok), static_cast<unsigned long long>(err),
                static_cast<unsigned long long>(bytes), elapsed.count(),
                seconds(usage_after.ru_utime) - seconds(usage_before.ru_utime),
                seconds(usage_after.ru_stime) - seconds(usage_before.ru_stime));
    return err != 0;
}
