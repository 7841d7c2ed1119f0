// Client CPU per request over one HTTP/2 connection: N GETs through the public AsyncClient with
// M streams in flight (M coroutines, each sending its share one after the other), measured with
// getrusage around the loop. tests/interop/h2_bench.sh runs it next to h2load against nginx.
//   usage: httpxx_h2_cpu_bench URL [requests=10000] [in_flight=100]
// With an https:// URL the certificate is not verified (a local test server).
#include "httpx/http_transport.hpp"
#include "httpx/httpx.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace asio = boost::asio;

namespace {

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Tally {
    int ok = 0, failed = 0;
    std::size_t bytes = 0;
};

asio::awaitable<void> worker(httpx::AsyncClient& client, std::string url, int count, Tally& tally) {
    for (int i = 0; i < count; ++i) {
        try {
            httpx::Response r = co_await client.get(url);
            tally.bytes += r.content().size();
            ++(r.status_code() == 200 ? tally.ok : tally.failed);
        } catch (const std::exception& e) {
            if (tally.failed++ == 0) std::fprintf(stderr, "error: %s\n", e.what());
        }
    }
}

// Everything the run needs, alive until the last worker is done.
struct Run {
    std::shared_ptr<httpx::AsyncHTTPTransport> transport;
    std::unique_ptr<httpx::AsyncClient> client;
    Tally tally;
    int requests = 0, in_flight = 0, remaining = 0;
    double cpu_before = 0;
    std::chrono::steady_clock::time_point start;

    void report() const {
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double cpu = cpu_seconds() - cpu_before;
        std::printf(
            "httpxx: %d requests (%d ok, %d failed, %zu body bytes), %d in flight, %zu "
            "connection(s)\n"
            "httpxx: wall %.3f s (%.0f req/s), client CPU %.3f s = %.1f us/request\n",
            requests, tally.ok, tally.failed, tally.bytes, in_flight,
            transport->pool_stats().connections, wall, requests / wall, cpu, cpu * 1e6 / requests);
    }
};

asio::awaitable<void> bench(std::shared_ptr<Run> run, std::string url) {
    httpx::HTTPTransportOptions options;
    options.http2 = true;
    options.http1 = url.starts_with("https://");  // h2c needs prior knowledge
    options.verify = false;
    options.limits.max_connections = 1;
    run->transport = std::make_shared<httpx::AsyncHTTPTransport>(options);
    httpx::ClientOptions client_options;
    client_options.transport = run->transport;
    client_options.timeout = httpx::Timeout(std::chrono::seconds(30));
    run->client = std::make_unique<httpx::AsyncClient>(std::move(client_options));

    httpx::Response warm = co_await run->client->get(url);  // connection set-up: not measured
    if (warm.http_version() != "HTTP/2") {
        std::fprintf(stderr, "not HTTP/2: %s\n", warm.http_version().c_str());
        std::exit(1);
    }
    auto executor = co_await asio::this_coro::executor;
    run->remaining = run->in_flight;
    run->cpu_before = cpu_seconds();
    run->start = std::chrono::steady_clock::now();
    for (int w = 0; w < run->in_flight; ++w) {
        const int share =
            run->requests / run->in_flight + (w < run->requests % run->in_flight ? 1 : 0);
        asio::co_spawn(executor, worker(*run->client, url, share, run->tally),
                       [run](std::exception_ptr) {
                           if (--run->remaining == 0) run->report();
                       });
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s URL [requests] [in_flight]\n", argv[0]);
        return 2;
    }
    const int requests = argc > 2 ? std::atoi(argv[2]) : 10000;
    const int in_flight = argc > 3 ? std::atoi(argv[3]) : 100;
    asio::io_context io;
    auto run = std::make_shared<Run>();
    run->requests = requests;
    run->in_flight = in_flight;
    asio::co_spawn(io, bench(run, argv[1]), asio::detached);
    io.run();
    run->client.reset();  // sockets before their io_context
}
