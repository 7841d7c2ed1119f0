#include "routes.hpp"

#include "gzip_bomb.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <zlib.h>

#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>
#include <string>

#include "connection.hpp"
#include "test_server.hpp"

namespace httpx::testing {

namespace {

constexpr std::size_t kIoChunk = 64 * 1024;
constexpr std::string_view kAlphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxy";  // 61 characters
static_assert(kAlphabet.size() == 61);

}  // namespace

char pattern_byte(std::uint64_t index) {
    return kAlphabet[static_cast<std::size_t>(index % kAlphabet.size())];
}

std::string pattern(std::uint64_t offset, std::size_t length) {
    std::string out(length, '\0');
    for (std::size_t i = 0; i < length; ++i) out[i] = pattern_byte(offset + i);
    return out;
}

namespace detail {

using boost::asio::awaitable;

namespace {

constexpr std::string_view kHello = "Hello, world!";

// kIoChunk + 61 bytes of pattern: any piece of up to kIoChunk bytes at any offset is a view.
const std::string& pattern_buffer() {
    static const std::string buffer = pattern(0, kIoChunk + kAlphabet.size());
    return buffer;
}

std::string_view pattern_view(std::uint64_t offset, std::size_t length) {
    return std::string_view(pattern_buffer())
        .substr(static_cast<std::size_t>(offset % kAlphabet.size()), std::min(length, kIoChunk));
}

awaitable<After> respond(Exchange& ex, int status, std::string_view content_type,
                         std::string_view body, bool close = false) {
    Response head(status);
    if (!content_type.empty()) head.field("Content-Type", content_type);
    head.content_length = body.size();
    head.close = close;
    co_await ex.start(head);
    co_await ex.body(body);
    co_return co_await ex.finish();
}

awaitable<After> respond_text(Exchange& ex, int status, std::string_view body) {
    co_return co_await respond(ex, status, "text/plain; charset=utf-8", body);
}

awaitable<After> respond_json(Exchange& ex, const nlohmann::json& json) {
    const std::string body = json.dump();
    co_return co_await respond(ex, 200, "application/json", body);
}

// `length` pattern bytes from `offset`, in pieces of at most kIoChunk.
awaitable<void> write_pattern(Exchange& ex, std::uint64_t offset, std::uint64_t length) {
    for (std::uint64_t done = 0; done < length;) {
        std::string_view piece = pattern_view(
            offset + done,
            static_cast<std::size_t>(std::min<std::uint64_t>(length - done, kIoChunk)));
        co_await ex.body(piece);
        done += piece.size();
    }
}

// One chunk (HTTP/1.1 framing) of `size` pattern bytes starting at `offset`.
awaitable<void> write_pattern_chunk(Exchange& ex, std::uint64_t offset, std::uint64_t size) {
    if (size > kIoChunk) co_await ex.begin_chunk(size);
    co_await write_pattern(ex, offset, size);
}

// ---- routes -------------------------------------------------------------------------------

awaitable<After> handle_echo(Exchange& ex) {
    // Up to 1 MiB is read before answering, so that a client which sends its whole body before
    // reading (most do) is not deadlocked; a larger body is streamed back as it arrives.
    constexpr std::size_t kBufferLimit = 1024 * 1024;
    std::string buffered;
    std::string piece;
    bool ended = false;
    while (buffered.size() < kBufferLimit) {
        if (!co_await ex.read_body(piece)) {
            ended = true;
            break;
        }
        buffered += piece;
    }
    Response head(200);
    auto content_type = ex.request().header("Content-Type");
    if (content_type) head.field("Content-Type", *content_type);
    if (ended) {
        head.content_length = buffered.size();
    } else {
        head.content_length = ex.request_content_length();
    }
    co_await ex.start(head);
    co_await ex.body(buffered);
    if (!ended) {
        while (co_await ex.read_body(piece)) co_await ex.body(piece);
    }
    co_return co_await ex.finish();
}

awaitable<After> handle_echo_headers(Exchange& ex) {
    co_await ex.drain();
    nlohmann::json json;
    const Request& request = ex.request();
    if (request.param("raw")) {
        json = nlohmann::json::array();
        for (const auto& [name, value] : request.pseudo_headers) json.push_back({name, value});
        for (const auto& [name, value] : request.headers) json.push_back({name, value});
    } else {
        json = nlohmann::json::object();
        for (const auto& [name, value] : request.headers) {
            std::string key = lower(name);
            if (json.contains(key)) {
                json[key] = json[key].get<std::string>() + ", " + value;
            } else {
                json[key] = value;
            }
        }
        for (const auto& [name, value] : request.pseudo_headers) {
            if (name == ":authority" && !json.contains("host")) json["host"] = value;
        }
    }
    co_return co_await respond_json(ex, json);
}

awaitable<After> handle_status(Exchange& ex, std::string_view argument) {
    co_await ex.drain();
    auto code = to_number(argument);
    if (!code || *code < 100 || *code > 599) co_return co_await respond_text(ex, 400, "bad code");
    const int status = static_cast<int>(*code);
    if (status < 200 && status != 101) {
        co_await ex.interim(status);
        co_return co_await respond_text(ex, 200, kHello);
    }
    Response head(status);
    if (status >= 300 && status < 400) head.field("Location", "/");
    if (status != 101 && !head.bodiless_status()) head.content_length = 0;
    head.close = status == 101;
    co_await ex.start(head);
    co_return co_await ex.finish();
}

awaitable<After> handle_bytes(Exchange& ex, std::string_view argument) {
    co_await ex.drain();
    auto length = to_number(argument);
    if (!length) co_return co_await respond_text(ex, 400, "bad length");
    Response head(200);
    head.field("Content-Type", "application/octet-stream");
    head.content_length = *length;
    co_await ex.start(head);
    co_await write_pattern(ex, 0, *length);
    co_return co_await ex.finish();
}

awaitable<After> handle_stream(Exchange& ex, std::string_view argument) {
    co_await ex.drain();
    auto length = to_number(argument);
    const std::uint64_t chunk = ex.request().number_param("chunk", 1024);
    if (!length || chunk == 0) co_return co_await respond_text(ex, 400, "bad length");
    Response head(200);
    head.field("Content-Type", "application/octet-stream");
    co_await ex.start(head);
    for (std::uint64_t offset = 0; offset < *length; offset += chunk) {
        co_await write_pattern_chunk(ex, offset, std::min(chunk, *length - offset));
    }
    co_return co_await ex.finish();
}

// /range/{n}: n pattern bytes as a static file would be served, with a validator and byte
// ranges (RFC 9110, 14): Range "bytes=A-" or "bytes=A-B" gets 206 with Content-Range, a range
// past the end 416 with "bytes */n", an If-Range that does not match the ETag the whole body.
// ?etag=E sets the ETag (default "pattern-n"), ?ignore=1 ignores Range (200, as servers
// without range support), ?ms=M&chunk=K sends K-byte pieces (default 64 KiB) M ms apart.
awaitable<After> handle_range(Exchange& ex, std::string_view argument) {
    co_await ex.drain();
    const auto length = to_number(argument);
    if (!length) co_return co_await respond_text(ex, 400, "bad length");
    const Request& request = ex.request();
    const std::string etag =
        "\"" + request.param("etag").value_or("pattern-" + std::to_string(*length)) + "\"";
    const std::uint64_t ms = request.number_param("ms", 0);
    const std::uint64_t chunk = std::max<std::uint64_t>(1, request.number_param("chunk", kIoChunk));
    std::uint64_t first = 0, last = *length == 0 ? 0 : *length - 1;
    bool partial = false;
    const std::optional<std::string> range = request.header("Range");
    const std::optional<std::string> if_range = request.header("If-Range");
    if (range && !request.param("ignore") && (!if_range || *if_range == etag) &&
        range->starts_with("bytes=")) {
        const std::string spec = range->substr(6);
        const std::size_t dash = spec.find('-');
        const auto from = to_number(std::string_view(spec).substr(0, dash));
        if (dash != std::string::npos && from) {
            if (*from >= *length) {
                Response head(416);
                head.field("Content-Range", "bytes */" + std::to_string(*length));
                head.content_length = 0;
                co_await ex.start(head);
                co_return co_await ex.finish();
            }
            first = *from;
            if (const auto to = to_number(std::string_view(spec).substr(dash + 1))) {
                last = std::min(*to, last);
            }
            partial = first <= last;
        }
    }
    Response head(partial ? 206 : 200);
    head.field("Content-Type", "application/octet-stream")
        .field("Accept-Ranges", "bytes")
        .field("ETag", etag)
        .field("Last-Modified", "Sat, 05 Dec 2026 12:00:00 GMT");
    if (partial) {
        head.field("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) +
                                        "/" + std::to_string(*length));
    }
    const std::uint64_t size = *length == 0 ? 0 : last - first + 1;
    head.content_length = size;
    co_await ex.start(head);
    for (std::uint64_t done = 0; done < size;) {
        if (done > 0 && ms > 0) co_await ex.sleep(std::chrono::milliseconds(ms));
        const std::uint64_t piece = std::min(chunk, size - done);
        co_await write_pattern(ex, first + done, piece);
        done += piece;
    }
    co_return co_await ex.finish();
}

std::string gzip(std::string_view data) {
    z_stream stream{};
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        throw std::runtime_error("deflateInit2 failed");
    }
    std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int result = deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    if (result != Z_STREAM_END) throw std::runtime_error("deflate failed");
    return out;
}

awaitable<After> handle_gzip(Exchange& ex) {
    co_await ex.drain();
    constexpr std::uint64_t kMax = 64 * 1024 * 1024;
    const std::uint64_t n = ex.request().number_param("n", 0);
    if (n > kMax) co_return co_await respond_text(ex, 400, "n too large");
    const std::string plain = ex.request().param("n") ? pattern(0, n) : std::string(kHello);
    const std::string body = gzip(plain);
    Response head(200);
    head.field("Content-Type", "text/plain; charset=utf-8").field("Content-Encoding", "gzip");
    head.content_length = body.size();
    co_await ex.start(head);
    co_await ex.body(body);
    co_return co_await ex.finish();
}

awaitable<After> handle_slow(Exchange& ex) {
    co_await ex.drain();
    const std::uint64_t ms = ex.request().number_param("ms", 1000);
    co_await ex.sleep(std::chrono::milliseconds(ms));
    co_return co_await respond_text(ex, 200, kHello);
}

awaitable<After> handle_drip(Exchange& ex) {
    co_await ex.drain();
    const std::uint64_t chunks = ex.request().number_param("chunks", 10);
    const std::uint64_t ms = ex.request().number_param("ms", 100);
    const std::uint64_t size = ex.request().number_param("size", 10);
    if (size == 0) co_return co_await respond_text(ex, 400, "bad size");
    Response head(200);
    head.field("Content-Type", "application/octet-stream");
    co_await ex.start(head);
    for (std::uint64_t i = 0; i < chunks; ++i) {
        if (i > 0) co_await ex.sleep(std::chrono::milliseconds(ms));
        co_await write_pattern_chunk(ex, i * size, size);
    }
    co_return co_await ex.finish();
}

awaitable<After> handle_redirect(Exchange& ex, std::string_view argument) {
    co_await ex.drain();
    auto n = to_number(argument);
    if (!n) co_return co_await respond_text(ex, 400, "bad count");
    if (*n == 0) co_return co_await respond_text(ex, 200, "redirected");
    const std::uint64_t status = ex.request().number_param("status", 302);
    if (status < 300 || status > 399) co_return co_await respond_text(ex, 400, "bad status");
    const Request& request = ex.request();
    std::string location = "/redirect/" + std::to_string(*n - 1);
    if (!request.query.empty()) location += "?" + request.query;
    if (request.param("absolute")) {
        std::string host = request.header("Host").value_or("");
        for (const auto& [name, value] : request.pseudo_headers) {
            if (name == ":authority" && host.empty()) host = value;
        }
        if (host.empty()) host = "127.0.0.1";
        const std::string scheme = ex.connection().is_tls() ? "https://" : "http://";
        location = scheme + host + location;
    }
    Response head(static_cast<int>(status));
    head.field("Location", location);
    head.content_length = 0;
    co_await ex.start(head);
    co_return co_await ex.finish();
}

std::string hex(const unsigned char* data, std::size_t size) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < size; ++i) {
        out += kDigits[data[i] >> 4];
        out += kDigits[data[i] & 15];
    }
    return out;
}

awaitable<After> handle_upload(Exchange& ex) {
    const bool hash = ex.request().param("hash") == "sha256";
    const std::uint64_t read_ms = ex.request().number_param("read_ms", 0);
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> digest(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!digest || EVP_DigestInit_ex(digest.get(), EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("EVP_DigestInit_ex failed");
    }
    std::uint64_t bytes = 0;
    std::string piece;
    while (co_await ex.read_body(piece)) {
        bytes += piece.size();
        if (hash) EVP_DigestUpdate(digest.get(), piece.data(), piece.size());
        if (read_ms > 0) co_await ex.sleep(std::chrono::milliseconds(read_ms));
    }
    nlohmann::json json = nlohmann::json::object();
    json["bytes"] = bytes;
    json["chunked"] = ex.chunked_request();
    if (hash) {
        unsigned char value[EVP_MAX_MD_SIZE];
        unsigned int size = 0;
        EVP_DigestFinal_ex(digest.get(), value, &size);
        json["sha256"] = hex(value, size);
    }
    co_return co_await respond_json(ex, json);
}

awaitable<After> handle_http10(Exchange& ex) {
    co_await ex.drain();
    Response head(200);
    head.field("Content-Type", "text/plain; charset=utf-8");
    head.http10 = true;
    co_await ex.start(head);
    if (ex.request().param("n")) {
        co_await write_pattern(ex, 0, ex.request().number_param("n", 0));
    } else {
        co_await ex.body(kHello);
    }
    co_return co_await ex.finish();  // HTTP/1.1: close (the body ends with the connection)
}

// Writes `piece` again and again until the client goes away (or stop() closes the connection).
awaitable<After> write_raw_forever(Exchange& ex, std::string piece) {
    for (;;) co_await ex.write_raw(piece);
}

// Servers that attack the client's limits (see README, "Limits against hostile servers").
// nullopt: `what` is not one of them. All but the gzip bomb are HTTP/1.1 framing attacks, written
// as raw bytes; over HTTP/2 they do not exist (404).
awaitable<std::optional<After>> handle_hostile(Exchange& ex, std::string_view what) {
    if (what == "gzip_bomb") {  // 1.8 KiB on the wire, 1 GiB decoded
        Response head(200);
        head.field("Content-Type", "application/octet-stream")
            .field("Content-Encoding", "gzip, gzip");
        head.content_length = sizeof kGzipBomb;
        co_await ex.start(head);
        const std::string_view bomb(reinterpret_cast<const char*>(kGzipBomb), sizeof kGzipBomb);
        co_await ex.body(bomb);
        co_return co_await ex.finish();
    }
    if (ex.http2()) co_return std::nullopt;
    std::string text = "HTTP/1.1 200 OK\r\nServer: httpxx-testserver\r\n";
    if (what == "huge_head") {  // a 128 KiB header section, over the client's 100 KiB
        for (int i = 0; i < 16; ++i)
            text += "X-Big-" + std::to_string(i) + ": " + pattern(0, 8192) + "\r\n";
        text += "Content-Length: 0\r\n\r\n";
    } else if (what == "many_headers") {  // 1000 small fields, over the client's 256
        for (int i = 0; i < 1000; ++i) text += "X-" + std::to_string(i) + ": v\r\n";
        text += "Content-Length: 0\r\n\r\n";
    } else if (what == "endless_line") {  // a header line that never ends
        text += "X-Endless: ";
        co_await ex.write_raw(text);
        co_return co_await write_raw_forever(ex, pattern(0, 16 * 1024));
    } else if (what == "chunk_overflow") {  // a chunk size of 2^64
        text += "Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\nhello\r\n0\r\n\r\n";
    } else if (what == "huge_length") {  // a Content-Length of 2^64
        text += "Content-Length: 18446744073709551616\r\n\r\nhello";
    } else if (what == "smuggle") {  // two framings: which one ends the body is an opinion
        text +=
            "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
            "0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    } else if (what == "endless_body") {  // chunked, never ends
        text += "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
        co_await ex.write_raw(text);
        co_return co_await write_raw_forever(ex, "10000\r\n" + pattern(0, 0x10000) + "\r\n");
    } else {
        co_return std::nullopt;
    }
    co_await ex.write_raw(text);
    co_return After::close;
}

awaitable<After> handle_misbehave(Exchange& ex, std::string_view what) {
    co_await ex.drain();
    Connection& connection = ex.connection();
    if (what == "reset") {
        connection.abort();
        co_return After::closed;
    }
    if (what == "stall") {
        co_await ex.sleep_until(std::chrono::steady_clock::time_point::max());
        co_return After::close;
    }
    if (what == "truncate" || what == "headers_only_then_close") {
        Response head(200);
        head.field("Content-Type", "application/octet-stream");
        head.content_length = 100;
        co_await ex.start(head);
        if (what == "truncate") co_await ex.body(pattern_view(0, 50));
        co_return After::close;  // without finish(): the response stays incomplete
    }
    if (what == "lie_length") {
        Response head(200);
        head.field("Content-Type", "application/octet-stream");
        head.content_length = 10;
        co_await ex.start(head);
        co_await ex.body(pattern_view(0, 20));
        co_return co_await ex.finish();
    }
    if (what == "garbage") {
        co_await ex.write_raw("NOT HTTP\r\n\r\n");
        co_return After::close;
    }
    if (what == "bad_chunk") {
        if (ex.http2()) {
            // A DATA frame on stream 0: a connection error (PROTOCOL_ERROR) for the client.
            const std::string_view frame("\x00\x00\x05\x00\x00\x00\x00\x00\x00hello", 14);
            co_await ex.write_raw(frame);
        } else {
            co_await ex.write_raw(
                "HTTP/1.1 200 OK\r\nServer: httpxx-testserver\r\nTransfer-Encoding: chunked\r\n\r\n"
                "5\r\nhello\r\nZZ\r\nnot a chunk\r\n");
        }
        co_return After::close;
    }
    if (what == "close_idle" || what == "close_idle_in_one_segment") {
        if (what == "close_idle_in_one_segment") {
            // Corked: the kernel holds the answer, and the close_notify (or FIN) that follows,
            // until the cork's 200 ms run out, then sends them in one segment.
            int on = 1;
            ::setsockopt(connection.socket().native_handle(), IPPROTO_TCP, TCP_CORK, &on,
                         sizeof on);
        }
        co_await respond_text(ex, 200, kHello);
        co_return After::close;
    }
    if (what == "drop_next") {
        connection.drop_next_request = !ex.http2();
        co_return co_await respond_text(ex, 200, kHello);
    }
    const std::optional<After> hostile = co_await handle_hostile(ex, what);
    if (hostile) co_return *hostile;
    co_return co_await respond_text(ex, 404, "Not Found");
}

awaitable<After> handle_stats(Exchange& ex) {
    co_await ex.drain();
    ServerState& server = ex.connection().server();
    nlohmann::json json = nlohmann::json::object();
    json["connections_accepted"] = server.accepted.load();
    json["requests_served"] = server.served.load();
    json["open_connections"] = server.open.load();
    json["connection"] = ex.connection().id();
    json["protocol"] = ex.protocol();
    nlohmann::json connections = nlohmann::json::array();
    std::uint64_t peak = 0;
    {
        std::lock_guard lock(server.stats_mutex);
        for (const auto& entry : server.stats) {
            nlohmann::json item = nlohmann::json::object();
            item["id"] = entry.id;
            item["protocol"] = entry.protocol;
            item["requests"] = entry.requests;
            item["peak_streams"] = entry.peak_streams;
            item["open_streams"] = entry.open_streams;
            item["resets_received"] = entry.resets_received;
            item["goaways_received"] = entry.goaways_received;
            item["open"] = entry.open;
            connections.push_back(item);
            peak = std::max(peak, entry.peak_streams);
        }
    }
    json["peak_concurrent_streams"] = peak;
    json["connections"] = connections;
    co_return co_await respond_json(ex, json);
}

awaitable<After> handle_trailers(Exchange& ex) {
    co_await ex.drain();
    const bool sized = ex.request().param("n").has_value();
    const std::uint64_t length = sized ? ex.request().number_param("n", 0) : kHello.size();
    Response head(200);
    head.field("Content-Type", sized ? "application/octet-stream" : "text/plain; charset=utf-8");
    head.trailer_names = {"x-trailer", "x-body-length"};
    co_await ex.start(head);
    if (sized) {
        co_await write_pattern(ex, 0, length);
    } else {
        co_await ex.body(kHello);
    }
    Fields trailers;
    trailers.emplace_back("x-trailer", "done");
    trailers.emplace_back("x-body-length", std::to_string(length));
    co_return co_await ex.finish_with_trailers(trailers);
}

awaitable<After> handle_reset(Exchange& ex) {
    co_await ex.drain();
    const Request& request = ex.request();
    const auto code = static_cast<std::uint32_t>(request.number_param("code", 2));
    const std::string stage = request.param("stage").value_or("start");
    const std::uint64_t n = request.number_param("n", 1000);
    const std::uint64_t ms = request.number_param("ms", 0);
    if (stage != "start" && stage != "headers" && stage != "body") {
        co_return co_await respond_text(ex, 400, "bad stage");
    }
    if (stage != "start") {
        Response head(200);
        head.field("Content-Type", "application/octet-stream");
        co_await ex.start(head);
        if (stage == "body") co_await write_pattern(ex, 0, n);
    }
    if (ms > 0) co_await ex.sleep(std::chrono::milliseconds(ms));
    co_return co_await ex.reset_stream(code);
}

awaitable<After> handle_goaway(Exchange& ex) {
    co_await ex.drain();
    const Request& request = ex.request();
    const auto code = static_cast<std::uint32_t>(request.number_param("code", 0));
    const auto last = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(request.number_param("last", ex.stream_id()), 0x7fffffff));
    const std::uint64_t ms = request.number_param("ms", 0);
    const bool close = request.param("close") == "1";
    if (ms > 0) co_await ex.sleep(std::chrono::milliseconds(ms));
    if (!ex.http2())
        co_return co_await respond(ex, 200, "text/plain; charset=utf-8", "goaway sent", true);
    co_await ex.goaway(code, last, close);
    co_return co_await respond_text(ex, 200, "goaway sent");
}

// A response head HTTP/2 forbids (RFC 9113, 8.2 and 8.3); over HTTP/1.1 the same fields as sent.
awaitable<After> handle_bad_header(Exchange& ex) {
    co_await ex.drain();
    const std::string kind = ex.request().param("kind").value_or("uppercase");
    Response head(200);
    head.field("Content-Type", "text/plain; charset=utf-8");
    head.content_length = kHello.size();
    if (kind == "uppercase") {
        head.raw_fields.emplace_back("X-Upper-Case", "1");
    } else if (kind == "connection") {
        head.raw_fields.emplace_back("connection", "keep-alive");
    } else if (kind == "transfer_encoding") {
        head.raw_fields.emplace_back("transfer-encoding", "chunked");
    } else if (kind == "pseudo") {
        head.raw_fields.emplace_back(":path", "/");  // a request pseudo-header in a response
    } else if (kind == "no_status") {
        head.omit_status = true;
    } else {
        co_return co_await respond_text(ex, 400, "bad kind");
    }
    co_await ex.start(head);
    co_await ex.body(kHello);
    co_return co_await ex.finish();
}

// HTTP/1.1: 101 Switching Protocols to "echo", its head and a first line ("welcome\n") in one
// write (the client reads them together), then every byte the client sends comes back until it
// closes. HTTP/2 has no 101: 400.
awaitable<After> handle_upgrade_echo(Exchange& ex) {
    co_await ex.drain();
    if (ex.http2()) co_return co_await respond_text(ex, 400, "HTTP/1.1 only");
    co_await ex.write_raw(
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n"
        "welcome\n");
    Connection& connection = ex.connection();
    auto& early = connection.input();  // sent before the 101 arrived
    if (early.size() > 0) {
        const std::string bytes(static_cast<const char*>(early.data().data()), early.size());
        early.consume(early.size());
        co_await connection.write(bytes);
    }
    std::array<char, 4096> buffer;
    for (;;) {
        boost::system::error_code ec;
        const std::size_t n = co_await connection.read_some(boost::asio::buffer(buffer), ec);
        if (ec || n == 0) break;
        co_await connection.write(std::string_view(buffer.data(), n));
    }
    co_return After::close;
}

}  // namespace

awaitable<After> route(Exchange& ex) {
    const std::string path = ex.request().path;
    auto argument = [&](std::string_view prefix) -> std::optional<std::string_view> {
        if (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0) {
            return std::string_view(path).substr(prefix.size());
        }
        return std::nullopt;
    };
    if (path == "/") {
        co_await ex.drain();
        co_return co_await respond_text(ex, 200, kHello);
    }
    if (path == "/upgrade/echo") co_return co_await handle_upgrade_echo(ex);
    if (path == "/tls/sni") {
        co_await ex.drain();
        co_return co_await respond_text(ex, 200, std::string(ex.connection().sni()));
    }
    if (path == "/echo") co_return co_await handle_echo(ex);
    if (path == "/echo_headers") co_return co_await handle_echo_headers(ex);
    if (auto code = argument("/status/")) co_return co_await handle_status(ex, *code);
    if (auto n = argument("/bytes/")) co_return co_await handle_bytes(ex, *n);
    if (auto n = argument("/stream/")) co_return co_await handle_stream(ex, *n);
    if (auto n = argument("/range/")) co_return co_await handle_range(ex, *n);
    if (path == "/gzip") co_return co_await handle_gzip(ex);
    if (path == "/slow") co_return co_await handle_slow(ex);
    if (path == "/drip") co_return co_await handle_drip(ex);
    if (auto n = argument("/redirect/")) co_return co_await handle_redirect(ex, *n);
    if (path == "/upload") co_return co_await handle_upload(ex);
    if (path == "/headers/close") {
        co_await ex.drain();
        co_return co_await respond(ex, 200, "text/plain; charset=utf-8", kHello, true);
    }
    if (path == "/http10") co_return co_await handle_http10(ex);
    if (auto what = argument("/misbehave/")) co_return co_await handle_misbehave(ex, *what);
    if (path == "/stats") co_return co_await handle_stats(ex);
    if (path == "/trailers") co_return co_await handle_trailers(ex);
    if (path == "/h2/reset") co_return co_await handle_reset(ex);
    if (path == "/h2/goaway") co_return co_await handle_goaway(ex);
    if (path == "/h2/bad_header") co_return co_await handle_bad_header(ex);
    co_await ex.drain();
    // "*" (OPTIONS), or an absolute form with a path no route has: the target as received.
    if (!ex.request().target.starts_with('/'))
        co_return co_await respond_text(ex, 200, "target: " + ex.request().target);
    co_return co_await respond_text(ex, 404, "Not Found");
}

}  // namespace detail
}  // namespace httpx::testing
