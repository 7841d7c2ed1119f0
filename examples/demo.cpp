// The `make demo` tour: httpxx's AsyncClient against an in-process demo application.
// (The network transport arrives with the next milestone; then this demo talks to the bundled
// local server instead. Everything shown here is the same public API.)
#include <httpx/httpx.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <zlib.h>

#include <chrono>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

std::string gzip(const std::string& text) {
    z_stream z{};
    deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, text.size()), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

// A body that arrives in 16 chunks of 64 KiB, a little at a time.
httpx::AsyncGenerator<httpx::Bytes> slow_download() {
    for (int i = 0; i < 16; ++i) {
        co_await httpx::sleep(20ms);
        co_yield httpx::Bytes(64 * 1024, static_cast<char>('a' + i));
    }
}

// The demo application: a tiny router, as an app mounted with AppTransport would be.
httpx::awaitable<httpx::Response> demo_app(httpx::Request& request) {
    const std::string path = request.url().path();
    if (path == "/hello") {
        httpx::ResponseOptions options;
        options.json = {{"hello", "world"}, {"agent", request.headers()["User-Agent"]}};
        co_return httpx::Response(200, options);
    }
    if (path == "/slow") {
        co_await httpx::sleep(30ms);
        httpx::ResponseOptions options;
        options.text = "slow " + request.url().query();
        co_return httpx::Response(200, options);
    }
    if (path == "/download") {
        httpx::ResponseOptions options;
        options.headers.set("Content-Length", std::to_string(16 * 64 * 1024));
        options.stream = httpx::AsyncByteStream(slow_download());
        co_return httpx::Response(200, options);
    }
    if (path == "/upload") {
        // The request body is still streaming here: count it as it arrives.
        std::size_t total = 0, chunks = 0;
        auto body = request.stream().aiter();
        while (auto chunk = co_await body.next()) {
            total += chunk->size();
            ++chunks;
        }
        httpx::ResponseOptions options;
        options.json = {{"received_bytes", total}, {"chunks", chunks}};
        co_return httpx::Response(200, options);
    }
    if (path == "/gzip") {
        httpx::ResponseOptions options;
        options.content = gzip("This body travelled gzip-compressed and was decoded on the fly.");
        options.headers.set("Content-Encoding", "gzip");
        options.headers.set("Content-Type", "text/plain; charset=utf-8");
        co_return httpx::Response(200, options);
    }
    if (path == "/old-place") {
        httpx::ResponseOptions options;
        options.headers.set("Location", "/hello");
        co_return httpx::Response(301, options);
    }
    co_return httpx::Response(404);
}

httpx::AsyncGenerator<httpx::Bytes> upload_chunks() {
    for (int i = 0; i < 5; ++i) {
        co_await httpx::sleep(10ms);  // any awaitable: a timer, a file read, another response
        co_yield "chunk " + std::to_string(i) + " of the upload\n";
    }
}

void section(const char* title) {
    std::cout << "\n== " << title << " ==\n";
}

httpx::awaitable<void> tour() {
    httpx::ClientOptions options;
    options.transport = std::make_shared<httpx::AppTransport>(demo_app);
    options.base_url = "http://demo.local";
    options.event_hooks.request.push_back([](httpx::Request& request) {
        std::cout << "  -> " << request.method() << " " << request.url() << "\n";
    });
    httpx::AsyncClient client(options);

    section("A GET, JSON decoded");
    httpx::Response hello = co_await client.get("/hello");
    std::cout << "  " << hello << " " << hello.json().dump() << "\n";

    section("Ten concurrent requests sharing one client");
    {
        auto start = std::chrono::steady_clock::now();
        auto executor = co_await asio::this_coro::executor;
        std::vector<std::future<httpx::Response>> pending;
        for (int i = 0; i < 10; ++i) {
            httpx::URL url = "/slow?n=" + std::to_string(i);
            pending.push_back(asio::co_spawn(executor, client.get(url), asio::use_future));
        }
        int ok = 0;
        for (auto& f : pending) {
            while (f.wait_for(0s) != std::future_status::ready) co_await httpx::sleep(1ms);
            ok += f.get().is_success();
        }
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
        std::cout << "  " << ok << "/10 succeeded in " << ms.count()
                  << " ms (each takes 30 ms: they ran concurrently)\n";
    }

    section("A streamed download with a progress bar");
    {
        httpx::Response response = co_await client.stream("GET", "/download");
        const double total = std::stod(response.headers()["Content-Length"]);
        auto chunks = response.aiter_bytes();
        while (auto chunk = co_await chunks.next()) {
            double done = static_cast<double>(response.num_bytes_downloaded()) / total;
            int bar = static_cast<int>(done * 40);
            std::cout << "\r  [" << std::string(bar, '#') << std::string(40 - bar, ' ') << "] "
                      << std::setw(3) << static_cast<int>(done * 100) << "%" << std::flush;
        }
        std::cout << "\n  " << response.num_bytes_downloaded() << " bytes, never all in memory\n";
    }

    section("A streamed upload from an async generator");
    {
        httpx::RequestOptions upload;
        upload.content = httpx::AsyncByteStream(upload_chunks());
        httpx::Response response = co_await client.post("/upload", upload);
        std::cout << "  sent with Transfer-Encoding: "
                  << response.request().headers().get("Transfer-Encoding").value_or("-") << "; "
                  << "server says " << response.json().dump() << "\n";
    }

    section("Content decoding and redirects");
    {
        httpx::Response gz = co_await client.get("/gzip");
        std::cout << "  " << gz.text() << "\n";
        httpx::RequestOptions follow;
        follow.follow_redirects = true;
        httpx::Response moved = co_await client.get("/old-place", follow);
        std::cout << "  /old-place -> " << moved.url() << " after " << moved.history().size()
                  << " redirect (" << moved.history()[0] << ")\n";
    }

    section("Errors are HTTPX's exceptions");
    try {
        httpx::Response missing = co_await client.get("/missing");
        missing.raise_for_status();
    } catch (const httpx::HTTPStatusError& e) {
        std::cout << "  HTTPStatusError: " << e.what() << "\n";
    }
    try {
        co_await client.get("ftp://demo.local/file");
    } catch (const httpx::UnsupportedProtocol& e) {
        std::cout << "  UnsupportedProtocol: " << e.what() << "\n";
    }
    try {
        co_await client.get("http://example.com:99999/");
    } catch (const httpx::InvalidURL& e) {
        std::cout << "  InvalidURL: " << e.what() << "\n";
    }
    co_await client.aclose();
    std::cout << "\nDone: the client is closed (" << std::boolalpha << client.is_closed() << ").\n";
}

}  // namespace

int main() {
    asio::io_context io;
    auto done = asio::co_spawn(io, tour(), asio::use_future);
    io.run();
    done.get();  // rethrows anything the tour threw
}
