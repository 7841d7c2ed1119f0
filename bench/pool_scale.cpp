// Scale of the connection pool: N requests queued at once on one AsyncClient with
// Limits{max_connections = 100}, against the local test server (in-process, its own thread).
// Prints, for each N, the time to the first response and the total time (median of --repeat
// runs), and how each grows against the previous N: linear growth gives a ratio close to 1.
// httpcore's pool scans every queued request on each event (O(n^2)); ours must not.
//
//   httpxx_pool_scale [--repeat R] [--pool-timeout SECONDS] [N ...]   (default: 5000 10000 20000)
#include <httpx/httpx.hpp>

#include "test_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

struct Run {
    double first_ms = 0;  // from queueing the first request to the first response read
    double total_ms = 0;  // from queueing the first request to the last response read
};

struct Progress {
    Clock::time_point start;
    std::optional<Clock::time_point> first;
    Clock::time_point last;
    std::size_t ok = 0;
};

httpx::awaitable<void> one_request(httpx::AsyncClient& client, std::string url,
                                   Progress& progress) {
    httpx::Response r = co_await client.get(url);
    if (r.status_code() == 200 && r.text() == "Hello, world!") ++progress.ok;
    const auto now = Clock::now();
    if (!progress.first) progress.first = now;
    progress.last = now;
}

Run run_once(const httpx::testing::TestServer& server, std::size_t n,
             std::optional<double> pool_timeout) {
    asio::io_context io;  // outlives the client
    httpx::HTTPTransportOptions transport_options;
    transport_options.limits.max_connections = 100;
    httpx::ClientOptions options;
    options.transport = std::make_shared<httpx::AsyncHTTPTransport>(transport_options);
    // Requests wait in the pool for as long as the queue takes, unless told otherwise.
    options.timeout = httpx::Timeout(std::chrono::seconds(60));
    options.timeout.pool = std::nullopt;
    if (pool_timeout) options.timeout.pool = std::chrono::duration<double>(*pool_timeout);
    httpx::AsyncClient client(options);

    Progress progress;
    const std::string url = server.url("/");
    progress.start = Clock::now();
    for (std::size_t i = 0; i < n; ++i)
        asio::co_spawn(io, one_request(client, url, progress), [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    io.run();
    if (progress.ok != n) {
        std::fprintf(stderr, "only %zu of %zu requests succeeded\n", progress.ok, n);
        std::exit(1);
    }
    auto ms = [&](Clock::time_point t) {
        return std::chrono::duration<double, std::milli>(t - progress.start).count();
    };
    return {ms(*progress.first), ms(progress.last)};
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    int repeat = 3;
    std::optional<double> pool_timeout;
    std::vector<std::size_t> sizes;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--repeat" && i + 1 < argc)
            repeat = std::max(1, std::atoi(argv[++i]));
        else if (arg == "--pool-timeout" && i + 1 < argc)
            pool_timeout = std::atof(argv[++i]);
        else
            sizes.push_back(std::strtoul(arg.c_str(), nullptr, 10));
    }
    if (sizes.empty()) sizes = {5000, 10000, 20000};

    httpx::testing::TestServer server;
    server.start();
    run_once(server, 1000, pool_timeout);  // warm-up: connections, allocator, caches

    std::printf(
        "| queued requests | first response (ms) | total (ms) | per request (us) | "
        "total growth / N growth |\n|---:|---:|---:|---:|---:|\n");
    std::optional<std::pair<std::size_t, double>> previous;
    for (std::size_t n : sizes) {
        std::vector<double> first, total;
        for (int r = 0; r < repeat; ++r) {
            Run run = run_once(server, n, pool_timeout);
            first.push_back(run.first_ms);
            total.push_back(run.total_ms);
        }
        const double t = median(total);
        std::string growth = "-";
        if (previous) {
            char buffer[32];
            std::snprintf(buffer, sizeof buffer, "%.2f",
                          (t / previous->second) / (double(n) / double(previous->first)));
            growth = buffer;
        }
        std::printf("| %zu | %.1f | %.1f | %.1f | %s |\n", n, median(first), t, t * 1000.0 / n,
                    growth.c_str());
        std::fflush(stdout);
        previous = {n, t};
    }
}
