// The `make demo` tour against the bundled local test server (tools/test_server, started
// in-process on a loopback port): the blocking API first (httpx::get, then an httpx::Client),
// then the AsyncClient, a request through a local HTTP proxy (the test server's proxy role),
// then an in-process app.
#include <httpx/httpx.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "test_proxy.hpp"
#include "test_server.hpp"

#include <chrono>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

void section(const char* title) {
    std::cout << "\n== " << title << " ==\n";
}

httpx::AsyncGenerator<httpx::Bytes> upload_chunks() {
    for (int i = 0; i < 5; ++i) {
        co_await httpx::sleep(10ms);  // any awaitable: a timer, a file read, another response
        co_yield "chunk " + std::to_string(i) + " of the upload\n";
    }
}

// An in-process application, reached through AppTransport without any socket.
httpx::awaitable<httpx::Response> hello_app(httpx::Request& request) {
    httpx::ResponseOptions options;
    options.json = {{"path", request.url().path()}, {"agent", request.headers()["User-Agent"]}};
    co_return httpx::Response(200, options);
}

// The blocking API, as HTTPX's first page: no event loop in sight.
void sync_tour(httpx::testing::TestServer& server) {
    section("The blocking API: httpx::get");
    httpx::Response r = httpx::get(server.url("/"));
    std::cout << "  " << r << " " << r.http_version() << ": " << r.text() << "\n";

    section("A blocking httpx::Client: pooled, and a streamed body read with range-for");
    httpx::ClientOptions options;
    options.base_url = server.origin();
    httpx::Client client(options);
    const auto connections_before = server.connections_accepted();
    for (int i = 0; i < 3; ++i) client.get("/");
    std::cout << "  3 requests over " << server.connections_accepted() - connections_before
              << " connection (kept alive)\n";
    httpx::Response streamed = client.stream("GET", "/drip?chunks=5&ms=40&size=1000");
    int chunks = 0;
    for (const httpx::Bytes& chunk : streamed.iter_bytes()) {
        ++chunks;
        std::cout << "  chunk of " << chunk.size() << " bytes\n";
    }
    std::cout << "  " << chunks << " chunks, " << streamed.num_bytes_downloaded() << " bytes\n";
}

httpx::awaitable<void> tour(httpx::testing::TestServer& server) {
    httpx::ClientOptions options;
    options.base_url = server.origin();
    options.limits.max_connections = 10;
    httpx::AsyncClient client(options);

    section("A GET over HTTP/1.1");
    httpx::Response hello = co_await client.get("/");
    std::cout << "  " << hello << " " << hello.http_version() << ": " << hello.text() << "\n";

    section("Twenty concurrent requests sharing one pooled client (max 10 connections)");
    {
        const auto connections_before = server.connections_accepted();
        auto start = std::chrono::steady_clock::now();
        auto executor = co_await asio::this_coro::executor;
        std::vector<std::future<httpx::Response>> pending;
        for (int i = 0; i < 20; ++i)
            pending.push_back(
                asio::co_spawn(executor, client.get("/slow?ms=200"), asio::use_future));
        int ok = 0;
        for (auto& f : pending) {
            while (f.wait_for(0s) != std::future_status::ready) co_await httpx::sleep(1ms);
            ok += f.get().is_success();
        }
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
        std::cout << "  " << ok << "/20 succeeded in " << ms.count()
                  << " ms (each takes 200 ms) over "
                  << server.connections_accepted() - connections_before << " connections\n";
    }

    section("A streamed download with a progress bar");
    {
        const int chunks = 25, size = 40000;
        httpx::Response response =
            co_await client.stream("GET", "/drip?chunks=" + std::to_string(chunks) +
                                              "&ms=40&size=" + std::to_string(size));
        const double total = chunks * size;
        auto body = response.aiter_bytes();
        while (auto chunk = co_await body.next()) {
            double done = static_cast<double>(response.num_bytes_downloaded()) / total;
            int bar = static_cast<int>(done * 40);
            std::cout << "\r  [" << std::string(bar, '#') << std::string(40 - bar, ' ') << "] "
                      << std::setw(3) << static_cast<int>(done * 100) << "%" << std::flush;
        }
        std::cout << "\n  " << response.num_bytes_downloaded()
                  << " bytes, read chunk by chunk from the socket\n";
    }

    section("A streamed upload from an async generator");
    {
        httpx::RequestOptions upload;
        upload.content = httpx::AsyncByteStream(upload_chunks());
        httpx::Response response = co_await client.post("/upload", upload);
        std::cout << "  server says " << response.json().dump() << "\n";
    }

    section("Content decoding and redirects");
    {
        httpx::Response gz = co_await client.get("/gzip");
        std::cout << "  Content-Encoding: " << gz.headers()["Content-Encoding"] << " -> "
                  << gz.text() << "\n";
        httpx::RequestOptions follow;
        follow.follow_redirects = true;
        httpx::Response moved = co_await client.get("/redirect/3", follow);
        std::cout << "  /redirect/3 -> " << moved.url().path() << " after "
                  << moved.history().size() << " redirects\n";
    }

    section("Timeouts and errors are HTTPX's exceptions");
    try {
        httpx::RequestOptions quick;
        quick.timeout = httpx::Timeout(5s, {.read = 300ms});
        co_await client.get("/slow?ms=3000", quick);
    } catch (const httpx::ReadTimeout& e) {
        std::cout << "  ReadTimeout: " << e.what() << " (" << e.request() << ")\n";
    }
    try {
        httpx::Response missing = co_await client.get("/status/404");
        missing.raise_for_status();
    } catch (const httpx::HTTPStatusError& e) {
        std::cout << "  HTTPStatusError: " << e.what() << "\n";
    }
    try {
        co_await client.get("/misbehave/truncate");
    } catch (const httpx::RemoteProtocolError& e) {
        std::cout << "  RemoteProtocolError: " << e.what() << "\n";
    }
    try {
        co_await client.get("http://127.0.0.1:1/");
    } catch (const httpx::ConnectError& e) {
        std::cout << "  ConnectError: " << e.what() << "\n";
    }
    httpx::Response after = co_await client.get("/");
    std::cout << "  ...and the client is still fine: " << after << "\n";
    co_await client.aclose();

    section("Through a proxy (a local HTTP proxy on a loopback port)");
    {
        httpx::testing::TestProxy proxy;
        proxy.start();
        httpx::ClientOptions proxied;
        proxied.proxy = httpx::Proxy(proxy.url());
        httpx::AsyncClient proxied_client(proxied);
        httpx::Response r = co_await proxied_client.get(server.url("/"));
        const std::string head = proxy.heads().at(0);
        std::cout << "  " << r << " " << r.text() << " via " << proxy.url()
                  << ", which received: " << head.substr(0, head.find('\r')) << "\n";
    }

    section("An in-process application through AppTransport (no sockets)");
    {
        httpx::ClientOptions app_options;
        app_options.transport = std::make_shared<httpx::AppTransport>(hello_app);
        httpx::AsyncClient app_client(app_options);
        httpx::Response r = co_await app_client.get("http://app.local/hi");
        std::cout << "  " << r << " " << r.json().dump() << "\n";
    }
}

}  // namespace

int main() {
    httpx::testing::TestServer server;
    server.start();
    std::cout << "httpxx " << httpx::version << " demo; local test server on " << server.origin()
              << "\n";
    sync_tour(server);
    asio::io_context io;
    auto done = asio::co_spawn(io, tour(server), asio::use_future);
    io.run();
    done.get();  // rethrows anything the tour threw
    std::cout << "\nDone.\n";
}
