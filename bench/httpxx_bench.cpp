// httpxx_bench: httpxx as a client of the peer comparison harness (../shared/bench/README.md).
//   httpxx_bench <get|stream|upload> <url> <n> <c> <h1|h2|h2c> <body_bytes>
// One io_context on one thread, only the public API of httpx::AsyncClient. `get` reads each body
// into memory, `stream` iterates it with aiter_bytes() and discards it, `upload` posts
// <body_bytes> from memory. h1: c connections with one request in flight each; h2 (TLS,
// certificate not verified) and h2c (prior knowledge): c streams on one connection, after one
// untimed priming request (get mode). Prints one line, with the CPU and wall time of the request
// loop only:
//   RESULT ok=<n> err=<n> bytes=<n> elapsed=<s> cpu_user=<s> cpu_sys=<s>
// and exits 0 iff err == 0.
#include <httpx/httpx.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <sys/resource.h>

#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace {

namespace asio = boost::asio;

enum class Mode { get, stream, upload };

struct Config {
    Mode mode = Mode::get;
    httpx::URL url;
    std::uint64_t n = 0;
    std::size_t c = 1;
    std::string proto;
    httpx::AsyncByteStream upload_body;  // copies share the bytes: no copy per request
};

struct Counters {
    std::uint64_t left = 0, ok = 0, err = 0, bytes = 0;
    bool reported = false;  // the first failure is printed, the others only counted
};

[[noreturn]] void usage() {
    std::fprintf(stderr,
                 "usage: httpxx_bench <get|stream|upload> <url> <n> <c> <h1|h2|h2c> "
                 "<body_bytes>\n");
    std::exit(2);
}

std::uint64_t number(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) usage();
    return value;
}

void fail(Counters& counters, const char* what) {
    ++counters.err;
    if (!std::exchange(counters.reported, true)) std::fprintf(stderr, "request failed: %s\n", what);
}

// One request of each mode; returns the status code and counts the body bytes. A coroutine per
// mode, as a user would write it: one frame holding all three modes' locals (1.7 KiB, allocated
// per request) would be the bench's cost, not the client's.
asio::awaitable<int> get_one(httpx::AsyncClient& client, const Config& config, Counters& counters) {
    httpx::Response response = co_await client.get(config.url);
    counters.bytes += response.content().size();
    co_return response.status_code();
}

asio::awaitable<int> stream_one(httpx::AsyncClient& client, const Config& config,
                                Counters& counters) {
    httpx::Response response = co_await client.stream("GET", config.url);
    auto chunks = response.aiter_bytes();
    while (auto chunk = co_await chunks.next()) counters.bytes += chunk->size();
    co_await response.aclose();
    co_return response.status_code();
}

asio::awaitable<int> upload_one(httpx::AsyncClient& client, const Config& config,
                                Counters& counters) {
    httpx::RequestOptions options;  // named: g++ 12 and temporaries in co_await
    options.content = config.upload_body;
    httpx::Response response = co_await client.post(config.url, std::move(options));
    counters.bytes += response.content().size();
    co_return response.status_code();
}

// Not a coroutine itself: no frame of its own.
asio::awaitable<int> one_request(httpx::AsyncClient& client, const Config& config,
                                 Counters& counters) {
    switch (config.mode) {
        case Mode::stream:
            return stream_one(client, config, counters);
        case Mode::upload:
            return upload_one(client, config, counters);
        case Mode::get:
            break;
    }
    return get_one(client, config, counters);
}

asio::awaitable<void> worker(httpx::AsyncClient& client, const Config& config, Counters& counters) {
    while (counters.left > 0) {
        --counters.left;
        try {
            int status = co_await one_request(client, config, counters);
            if (status == 200) {
                ++counters.ok;
            } else {
                fail(counters, ("status " + std::to_string(status)).c_str());
            }
        } catch (const std::exception& e) {
            fail(counters, e.what());
        }
    }
}

// The untimed request that opens the one HTTP/2 connection every stream then shares.
asio::awaitable<void> prime(httpx::AsyncClient& client, httpx::URL url, bool& primed) {
    try {
        httpx::Response response = co_await client.get(url);
        primed = response.status_code() == 200;
        if (!primed) std::fprintf(stderr, "priming request: status %d\n", response.status_code());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "priming request failed: %s\n", e.what());
    }
}

double seconds(const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 7) usage();
    Config config;
    const std::string_view mode = argv[1];
    if (mode == "get") {
        config.mode = Mode::get;
    } else if (mode == "stream") {
        config.mode = Mode::stream;
    } else if (mode == "upload") {
        config.mode = Mode::upload;
    } else {
        usage();
    }
    config.n = number(argv[3]);
    config.c = number(argv[4]);
    config.proto = argv[5];
    if (config.c == 0 || (config.proto != "h1" && config.proto != "h2" && config.proto != "h2c"))
        usage();
    if (config.mode == Mode::upload)
        config.upload_body = httpx::AsyncByteStream(httpx::Bytes(number(argv[6]), 'x'));

    asio::io_context io_context(1);  // declared first: it must outlive the client's sockets
    Counters counters;
    counters.left = config.n;
    std::optional<httpx::AsyncClient> client;
    try {
        config.url = httpx::URL(argv[2]);
        httpx::ClientOptions options;
        const bool h1 = config.proto == "h1";
        options.verify = false;
        // Through a proxy (bench/proxy_bench.sh), as libcurl reads https_proxy.
        if (const char* proxy = std::getenv("HTTPXX_BENCH_PROXY"))
            options.proxy = httpx::Proxy(proxy);
        options.http1 = config.proto != "h2c";
        options.http2 = !h1;
        // h1: one connection per worker, all kept alive; h2: every stream on one connection.
        options.limits.max_connections = h1 ? config.c : 1;
        options.limits.max_keepalive_connections = options.limits.max_connections;
        client.emplace(std::move(options));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "httpxx_bench: %s\n", e.what());
        return 1;
    }

    if (config.proto != "h1" && config.mode == Mode::get) {
        bool primed = false;
        asio::co_spawn(io_context, prime(*client, config.url, primed), asio::detached);
        io_context.run();
        io_context.restart();
        if (!primed) return 1;
    }

    const std::size_t workers = config.mode == Mode::stream ? 1 : config.c;
    for (std::size_t i = 0; i < workers; ++i)
        asio::co_spawn(io_context, worker(*client, config, counters), asio::detached);

    rusage usage_before{}, usage_after{};
    getrusage(RUSAGE_SELF, &usage_before);
    const auto start = std::chrono::steady_clock::now();
    io_context.run();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    getrusage(RUSAGE_SELF, &usage_after);

    std::printf("RESULT ok=%" PRIu64 " err=%" PRIu64 " bytes=%" PRIu64
                " elapsed=%.6f cpu_user=%.6f cpu_sys=%.6f\n",
                counters.ok, counters.err, counters.bytes, elapsed.count(),
                seconds(usage_after.ru_utime) - seconds(usage_before.ru_utime),
                seconds(usage_after.ru_stime) - seconds(usage_before.ru_stime));
    client.reset();  // sockets go before their io_context
    return counters.err == 0 ? 0 : 1;
}
