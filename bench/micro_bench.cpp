// httpxx_microbench: Google Benchmark micro-benchmarks of the hot paths (`make bench`).
// Every benchmark also reports heap allocations per iteration ("allocs"), counted by the global
// operator new replaced below, the way Seastar and fasthttp measure clients.
#include <httpx/httpx.hpp>

#include "content/decoders.hpp"
#include "net/network_stream.hpp"
#include "protocol/http11_parser.hpp"
#include "protocol/http11_serializer.hpp"
#include "scripted_stream.hpp"
#include "support/sync_driver.hpp"
#include "transport/http11_connection.hpp"

#include <benchmark/benchmark.h>
#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <any>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

// ---------------------------------------------------------------- allocation counting
namespace {
std::uint64_t allocations = 0;  // the benchmarks run on one thread
}

void* operator new(std::size_t size) {
    ++allocations;
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

namespace {

namespace asio = boost::asio;
namespace protocol = httpx::protocol;

// Counts the allocations of the benchmark's timed loop and reports them per iteration.
class AllocationCounter {
public:
    explicit AllocationCounter(benchmark::State& state) : state_(state), start_(allocations) {}
    ~AllocationCounter() {
        state_.counters["allocs"] = benchmark::Counter(static_cast<double>(allocations - start_),
                                                       benchmark::Counter::kAvgIterations);
    }

private:
    benchmark::State& state_;
    std::uint64_t start_;
};

// ---------------------------------------------------------------- test data
// What nginx answers to GET /small in the peer benchmark.
constexpr std::string_view kSmallResponse =
    "HTTP/1.1 200 OK\r\n"
    "Server: nginx/1.22.1\r\n"
    "Date: Tue, 25 Nov 2026 02:00:00 GMT\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Length: 100\r\n"
    "Last-Modified: Tue, 25 Nov 2026 01:00:00 GMT\r\n"
    "Connection: keep-alive\r\n"
    "ETag: \"6543a1b2-64\"\r\n"
    "Accept-Ranges: bytes\r\n"
    "\r\n"
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567"
    "890123456789";

// A large head (40 fields, ~3 KiB): cookies, CSP and tracing headers of a big web site.
std::string large_response() {
    std::string r = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n";
    for (int i = 0; i < 38; ++i) {
        r += "X-Header-" + std::to_string(i) + ": ";
        r += std::string(60, static_cast<char>('a' + i % 26));
        r += "\r\n";
    }
    r += "Content-Length: 100\r\n\r\n";
    r += std::string(100, 'x');
    return r;
}

// A compressible body: text-like lines, as JSON or HTML responses are.
std::string text_body(std::size_t size) {
    std::string out;
    out.reserve(size + 64);
    for (std::uint64_t i = 0; out.size() < size; ++i) {
        out += "{\"id\": " + std::to_string(i * 7919 % 100003) + ", \"name\": \"item-" +
               std::to_string(i) + "\", \"tags\": [\"a\", \"b\"]}\n";
    }
    out.resize(size);
    return out;
}

std::string gzip(std::string_view data) {
    z_stream s{};
    deflateInit2(&s, 6, Z_DEFLATED, MAX_WBITS | 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&s, data.size()) + 32, '\0');
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    s.avail_in = static_cast<uInt>(data.size());
    s.next_out = reinterpret_cast<Bytef*>(out.data());
    s.avail_out = static_cast<uInt>(out.size());
    deflate(&s, Z_FINISH);
    out.resize(s.total_out);
    deflateEnd(&s);
    return out;
}

std::string brotli(std::string_view data) {
    std::size_t size = BrotliEncoderMaxCompressedSize(data.size());
    std::string out(size, '\0');
    BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, data.size(),
                          reinterpret_cast<const uint8_t*>(data.data()), &size,
                          reinterpret_cast<uint8_t*>(out.data()));
    out.resize(size);
    return out;
}

std::string zstd(std::string_view data) {
    std::string out(ZSTD_compressBound(data.size()), '\0');
    out.resize(ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3));
    return out;
}

// ---------------------------------------------------------------- models
void BM_UrlParse(benchmark::State& state) {
    AllocationCounter count(state);
    for (auto _ : state) {
        httpx::URL url("http://127.0.0.1:18080/small");
        benchmark::DoNotOptimize(url);
    }
}
BENCHMARK(BM_UrlParse);

void BM_UrlParseComplex(benchmark::State& state) {
    AllocationCounter count(state);
    for (auto _ : state) {
        httpx::URL url("https://user:pw@api.example.com:8443/v1/items/42?q=a%20b&page=2#top");
        benchmark::DoNotOptimize(url);
    }
}
BENCHMARK(BM_UrlParseComplex);

httpx::Headers response_headers() {
    protocol::ResponseParser parser("GET");
    parser.feed(kSmallResponse);
    return parser.headers();
}

void BM_HeaderLookupHit(benchmark::State& state) {
    const httpx::Headers headers = response_headers();
    AllocationCounter count(state);
    for (auto _ : state) benchmark::DoNotOptimize(headers.get("content-length"));
}
BENCHMARK(BM_HeaderLookupHit);

void BM_HeaderLookupMiss(benchmark::State& state) {
    const httpx::Headers headers = response_headers();
    AllocationCounter count(state);
    for (auto _ : state) benchmark::DoNotOptimize(headers.contains("Content-Encoding"));
}
BENCHMARK(BM_HeaderLookupMiss);

// ---------------------------------------------------------------- protocol
void BM_SerializeRequestHead(benchmark::State& state) {
    httpx::AsyncClient client;
    const httpx::Request request = client.build_request("GET", "http://127.0.0.1:18080/small");
    std::string out;
    AllocationCounter count(state);
    for (auto _ : state) {
        out.clear();
        protocol::serialize_request_head(request.method(), request.url().raw_path(),
                                         request.headers(), out);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_SerializeRequestHead);

void parse_response(benchmark::State& state, std::string_view response) {
    AllocationCounter count(state);
    for (auto _ : state) {
        protocol::ResponseParser parser("GET");
        parser.feed(response);
        benchmark::DoNotOptimize(parser.take_body());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * response.size()));
}

void BM_ParseResponseSmall(benchmark::State& state) {
    parse_response(state, kSmallResponse);
}
BENCHMARK(BM_ParseResponseSmall);

void BM_ParseResponseLargeHead(benchmark::State& state) {
    parse_response(state, large_response());
}
BENCHMARK(BM_ParseResponseLargeHead);

// A 1 MiB chunked body in 4 KiB chunks, fed in 64 KiB reads as a connection would.
void BM_ChunkedDecode(benchmark::State& state) {
    std::string message = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string chunk(4096, 'c');
    for (int i = 0; i < 256; ++i) protocol::append_chunk(chunk, message);
    message += protocol::last_chunk();
    AllocationCounter count(state);
    for (auto _ : state) {
        protocol::ResponseParser parser("GET");
        std::uint64_t received = 0;
        parser.set_body_sink([&](std::string_view piece) { received += piece.size(); });
        std::string_view rest = message;
        while (!rest.empty() && !parser.message_done()) {
            std::string_view read = rest.substr(0, 64 * 1024);
            std::size_t used = parser.feed(read);
            rest.remove_prefix(used);
            if (used == 0) break;
        }
        if (received != 256 * chunk.size()) state.SkipWithError("chunked body not decoded");
        benchmark::DoNotOptimize(received);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * message.size()));
}
BENCHMARK(BM_ChunkedDecode);

// ---------------------------------------------------------------- content decoding
// Decodes 1 MiB of text-like data in 64 KiB input chunks; throughput is of decoded bytes.
void decode(benchmark::State& state, std::string_view coding, const std::string& encoded,
            std::size_t decoded_size) {
    AllocationCounter count(state);
    for (auto _ : state) {
        auto decoder = httpx::content::make_content_decoder(coding);
        std::uint64_t out = 0;
        auto sink = [&](std::string_view piece) { out += piece.size(); };
        for (std::size_t i = 0; i < encoded.size(); i += 64 * 1024)
            decoder->decode_into(std::string_view(encoded).substr(i, 64 * 1024), sink);
        decoder->flush_into(sink);
        if (out != decoded_size) state.SkipWithError("decoded size differs");
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * decoded_size));
}

void BM_DecodeGzip(benchmark::State& state) {
    const std::string body = text_body(1 << 20);
    decode(state, "gzip", gzip(body), body.size());
}
BENCHMARK(BM_DecodeGzip);

void BM_DecodeBrotli(benchmark::State& state) {
    const std::string body = text_body(1 << 20);
    decode(state, "br", brotli(body), body.size());
}
BENCHMARK(BM_DecodeBrotli);

void BM_DecodeZstd(benchmark::State& state) {
    const std::string body = text_body(1 << 20);
    decode(state, "zstd", zstd(body), body.size());
}
BENCHMARK(BM_DecodeZstd);

// ---------------------------------------------------------------- a full exchange in memory
// AsyncClient -> this transport -> Http11Connection -> CannedServerStream (the tests' one):
// everything of a request but the pool and the kernel.
class InMemoryTransport final : public httpx::AsyncBaseTransport {
public:
    explicit InMemoryTransport(std::string_view response)
        : connection_(std::make_shared<httpx::transport::Http11Connection>(
              std::make_unique<httpx::test::CannedServerStream>(response),
              "http://127.0.0.1:18080")) {}
    httpx::awaitable<httpx::Response> handle_async_request(httpx::Request& request) override {
        httpx::Timeout timeout;
        if (auto it = request.extensions().find("timeout"); it != request.extensions().end())
            if (auto* t = std::any_cast<httpx::Timeout>(&it->second)) timeout = *t;
        httpx::transport::Lease lease;  // owned by nobody: the connection stays here
        httpx::Response response =
            co_await connection_->handle_request(request, timeout, std::move(lease));
        co_return response;
    }

private:
    std::shared_ptr<httpx::transport::Http11Connection> connection_;
};

httpx::awaitable<void> client_loop(benchmark::State& state, httpx::AsyncClient& client,
                                   const httpx::URL& url) {
    AllocationCounter count(state);
    for (auto _ : state) {
        httpx::Response response = co_await client.get(url);
        if (response.content().size() != 100) state.SkipWithError("wrong body");
    }
}

void run_client(benchmark::State& state, std::shared_ptr<httpx::AsyncBaseTransport> transport) {
    asio::io_context io_context(1);
    httpx::ClientOptions options;
    options.transport = std::move(transport);
    httpx::AsyncClient client(std::move(options));
    const httpx::URL url("http://127.0.0.1:18080/small");
    asio::co_spawn(io_context, client_loop(state, client, url), asio::detached);
    io_context.run();
}

void BM_ClientGetInMemoryHttp11(benchmark::State& state) {
    run_client(state, std::make_shared<InMemoryTransport>(kSmallResponse));
}
BENCHMARK(BM_ClientGetInMemoryHttp11);

// The same with observability on (trace.hpp), to compare with the row above, where it is off
// (no callback, no log handler, HTTPXX_LOG unset: no event is made, no line formatted).
// A trace callback that does nothing: what making the events costs.
httpx::awaitable<void> traced_client_loop(benchmark::State& state, httpx::AsyncClient& client,
                                          const httpx::URL& url) {
    const httpx::TraceCallback callback = [](std::string_view event, const httpx::TraceInfo&) {
        benchmark::DoNotOptimize(event.data());
    };
    AllocationCounter count(state);
    for (auto _ : state) {
        httpx::RequestOptions options;
        options.extensions["trace"] = callback;
        httpx::Response response = co_await client.get(url, std::move(options));
        if (response.content().size() != 100) state.SkipWithError("wrong body");
    }
}

void BM_ClientGetInMemoryHttp11Traced(benchmark::State& state) {
    asio::io_context io_context(1);
    httpx::ClientOptions options;
    options.transport = std::make_shared<InMemoryTransport>(kSmallResponse);
    httpx::AsyncClient client(std::move(options));
    const httpx::URL url("http://127.0.0.1:18080/small");
    asio::co_spawn(io_context, traced_client_loop(state, client, url), asio::detached);
    io_context.run();
}
BENCHMARK(BM_ClientGetInMemoryHttp11Traced);

// A log handler that drops each line: INFO (the "httpx" line) and DEBUG (every step).
void run_logged_client(benchmark::State& state, httpx::LogLevel level) {
    httpx::set_log_handler(
        [](httpx::LogLevel, std::string_view, std::string_view message) {
            benchmark::DoNotOptimize(message.data());
        },
        level);
    run_client(state, std::make_shared<InMemoryTransport>(kSmallResponse));
    httpx::set_log_handler(nullptr);
}

void BM_ClientGetInMemoryHttp11LogInfo(benchmark::State& state) {
    run_logged_client(state, httpx::LogLevel::info);
}
BENCHMARK(BM_ClientGetInMemoryHttp11LogInfo);

void BM_ClientGetInMemoryHttp11LogDebug(benchmark::State& state) {
    run_logged_client(state, httpx::LogLevel::debug);
}
BENCHMARK(BM_ClientGetInMemoryHttp11LogDebug);

// The client's own policy layer alone (no HTTP/1.1 at all): HTTPX's MockTransport.
void BM_ClientGetMockTransport(benchmark::State& state) {
    run_client(state, std::make_shared<httpx::MockTransport>([](httpx::Request&) {
                   httpx::ResponseOptions options;
                   options.content = std::string(100, 'x');
                   return httpx::Response(200, std::move(options));
               }));
}
BENCHMARK(BM_ClientGetMockTransport);

// ---------------------------------------------------------------- the sync client
// The same requests through httpx::Client: each call is co_spawned on the client's private loop
// and driven on this thread until done. The difference to the async rows above is what a
// blocking call costs.
void run_sync_client(benchmark::State& state,
                     std::shared_ptr<httpx::AsyncBaseTransport> transport) {
    httpx::ClientOptions options;
    options.transport = std::move(transport);
    httpx::Client client(std::move(options));
    const httpx::URL url("http://127.0.0.1:18080/small");
    AllocationCounter count(state);
    for (auto _ : state) {
        httpx::Response response = client.get(url);
        if (response.content().size() != 100) state.SkipWithError("wrong body");
    }
}

void BM_SyncClientGetInMemoryHttp11(benchmark::State& state) {
    run_sync_client(state, std::make_shared<InMemoryTransport>(kSmallResponse));
}
BENCHMARK(BM_SyncClientGetInMemoryHttp11);

void BM_SyncClientGetMockTransport(benchmark::State& state) {
    run_sync_client(state, std::make_shared<httpx::MockTransport>([](httpx::Request&) {
                        httpx::ResponseOptions options;
                        options.content = std::string(100, 'x');
                        return httpx::Response(200, std::move(options));
                    }));
}
BENCHMARK(BM_SyncClientGetMockTransport);

httpx::awaitable<int> trivial_operation() {
    co_return 1;
}

// The driver alone: one trivial awaitable per blocking call (co_spawn, the loop, the result).
void BM_SyncDriverTrivialCall(benchmark::State& state) {
    httpx::detail::SyncDriver driver;
    AllocationCounter count(state);
    int sum = 0;
    for (auto _ : state) sum += driver.run(trivial_operation());
    benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_SyncDriverTrivialCall);

// What the trivial awaitable costs awaited inside a coroutine (the async side of the above).
httpx::awaitable<void> trivial_loop(benchmark::State& state) {
    AllocationCounter count(state);
    int sum = 0;
    for (auto _ : state) sum += co_await trivial_operation();
    benchmark::DoNotOptimize(sum);
}

void BM_AsyncTrivialAwait(benchmark::State& state) {
    asio::io_context io_context(1);
    asio::co_spawn(io_context, trivial_loop(state), asio::detached);
    io_context.run();
}
BENCHMARK(BM_AsyncTrivialAwait);

}  // namespace

BENCHMARK_MAIN();
