// The test server: an accept loop, one coroutine per connection, an HTTP/1.1 exchange loop over
// Beast's request parser (fed with put()), and the routes. Responses are written as raw bytes so
// that the misbehaving routes can send exactly what they want.
//
// Layout, so that HTTP/2 can be added without a redesign:
//   Connection      the byte stream (plain TCP or TLS), timers, closing
//   serve()         TLS handshake, ALPN dispatch: "http/1.1" -> serve_http1(); "h2" -> (next issue)
//   Exchange        one HTTP/1.1 request/response on a connection (parsing, body, framing)
//   route()         path -> handler
#include "test_server.hpp"

#include <openssl/ssl.h>
#include <zlib.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

namespace httpx::testing {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kIoChunk = 64 * 1024;
constexpr std::string_view kAlphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxy";  // 61 characters
static_assert(kAlphabet.size() == 61);
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

// ALPN protocols in the server's order of preference, in wire format. HTTP/2 will add "\x02h2"
// in front (and a serve_http2() in serve()).
constexpr std::string_view kAlpnProtocols = "\x08http/1.1";

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
    unsigned char* selected = nullptr;
    const auto* server = reinterpret_cast<const unsigned char*>(kAlpnProtocols.data());
    if (SSL_select_next_proto(&selected, outlen, server,
                              static_cast<unsigned int>(kAlpnProtocols.size()), in,
                              inlen) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;  // no common protocol: go on without ALPN (HTTP/1.1)
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::optional<std::uint64_t> to_number(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

struct BadRequest : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace

char pattern_byte(std::uint64_t index) {
    return kAlphabet[static_cast<std::size_t>(index % kAlphabet.size())];
}

std::string pattern(std::uint64_t offset, std::size_t length) {
    std::string out(length, '\0');
    for (std::size_t i = 0; i < length; ++i) out[i] = pattern_byte(offset + i);
    return out;
}

class Connection;

namespace detail {

// Everything the server thread shares; the fields marked "io thread" are only touched there.
struct ServerState {
    TestServer::Options options;
    std::optional<asio::io_context> io;
    std::optional<tcp::acceptor> acceptor;
    std::optional<ssl::context> tls;
    std::thread thread;
    std::uint16_t port = 0;
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> served{0};
    std::atomic<std::uint64_t> open{0};
    std::unordered_set<Connection*> connections;  // io thread
    bool stopping = false;                        // io thread
    std::mutex mutex;
    std::condition_variable finished_cv;
    bool finished = false;  // guarded by mutex: io_context::run() has returned
};

}  // namespace detail

namespace {

using detail::ServerState;

}  // namespace

// A plain or TLS byte stream with the timers its routes need.
class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(tcp::socket socket, ServerState& server) : server_(server) {
        timer_.emplace(socket.get_executor());
        watchdog_.emplace(socket.get_executor());
        if (server.tls) {
            tls_.emplace(std::move(socket), *server.tls);
        } else {
            plain_.emplace(std::move(socket));
        }
        server_.connections.insert(this);
        ++server_.open;
    }
    ~Connection() {
        server_.connections.erase(this);
        --server_.open;
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    ServerState& server() { return server_; }
    bool is_tls() const { return tls_.has_value(); }
    bool closed() const { return closed_; }
    tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }

    awaitable<void> handshake() {
        co_await tls_->async_handshake(ssl::stream_base::server, use_awaitable);
    }

    std::string_view alpn() {
        const unsigned char* data = nullptr;
        unsigned int length = 0;
        SSL_get0_alpn_selected(tls_->native_handle(), &data, &length);
        return {reinterpret_cast<const char*>(data), length};
    }

    awaitable<std::size_t> read_some(asio::mutable_buffer buffer, error_code& ec) {
        auto token = asio::redirect_error(use_awaitable, ec);
        if (tls_) co_return co_await tls_->async_read_some(buffer, token);
        co_return co_await plain_->async_read_some(buffer, token);
    }

    template <class Buffers>
    awaitable<void> write_buffers(const Buffers& buffers) {
        if (closed_) throw std::runtime_error("connection closed");
        if (tls_) {
            co_await asio::async_write(*tls_, buffers, use_awaitable);
        } else {
            co_await asio::async_write(*plain_, buffers, use_awaitable);
        }
    }

    awaitable<void> write(std::string_view data) {
        const asio::const_buffer buffer(data.data(), data.size());
        co_await write_buffers(buffer);
    }

    // Waits on the connection's timer; close() cancels it (and so ends the route with an error).
    awaitable<void> sleep_until(std::chrono::steady_clock::time_point when) {
        if (closed_) throw std::runtime_error("connection closed");
        timer_->expires_at(when);
        co_await timer_->async_wait(use_awaitable);
    }
    awaitable<void> sleep(std::chrono::milliseconds duration) {
        co_await sleep_until(std::chrono::steady_clock::now() + duration);
    }

    // Closes the connection when `duration` elapses, unless disarm_watchdog() is called first.
    void arm_watchdog(std::chrono::milliseconds duration) {
        watchdog_->expires_after(duration);
        watchdog_->async_wait([self = shared_from_this()](error_code ec) {
            if (!ec) self->close();
        });
    }
    void disarm_watchdog() { watchdog_->cancel(); }

    void close() {
        if (closed_) return;
        closed_ = true;
        error_code ignored;
        timer_->cancel();
        watchdog_->cancel();
        socket().close(ignored);
    }

    // RST instead of FIN.
    void abort() {
        error_code ignored;
        socket().set_option(tcp::socket::linger(true, 0), ignored);
        close();
    }

    // Graceful close: TLS close_notify or a TCP FIN first, then whatever the client still sends
    // is read and dropped until it closes too (at most 500 ms), so that the client sees our
    // response rather than a reset.
    awaitable<void> lingering_close() {
        if (closed_) co_return;
        arm_watchdog(500ms);
        error_code ec;
        if (tls_) {
            auto token = asio::redirect_error(use_awaitable, ec);
            co_await tls_->async_shutdown(token);
        } else {
            socket().shutdown(tcp::socket::shutdown_send, ec);
            std::array<char, 4096> scratch;
            while (!ec && !closed_) {
                auto token = asio::redirect_error(use_awaitable, ec);
                co_await plain_->async_read_some(asio::buffer(scratch), token);
            }
        }
        close();
    }

    boost::beast::flat_buffer& input() { return input_; }

private:
    ServerState& server_;
    std::optional<tcp::socket> plain_;
    std::optional<ssl::stream<tcp::socket>> tls_;
    std::optional<asio::steady_timer> timer_;
    std::optional<asio::steady_timer> watchdog_;
    boost::beast::flat_buffer input_;  // kept across requests (pipelined bytes)
    bool closed_ = false;
};

namespace {

struct Request {
    std::string method;
    std::string target;
    std::string path;
    std::string query;
    int version = 11;
    std::vector<std::pair<std::string, std::string>> headers;

    std::optional<std::string> header(std::string_view name) const {
        for (const auto& [field, value] : headers) {
            if (iequals(field, name)) return value;
        }
        return std::nullopt;
    }
    std::optional<std::string> param(std::string_view name) const {
        std::string_view rest = query;
        while (!rest.empty()) {
            auto amp = rest.find('&');
            std::string_view item = rest.substr(0, amp);
            rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
            auto eq = item.find('=');
            if (item.substr(0, eq) == name) {
                return std::string(eq == std::string_view::npos ? std::string_view()
                                                                : item.substr(eq + 1));
            }
        }
        return std::nullopt;
    }
    std::uint64_t number_param(std::string_view name, std::uint64_t fallback) const {
        auto text = param(name);
        if (!text) return fallback;
        auto value = to_number(*text);
        if (!value) throw BadRequest("bad query parameter");
        return *value;
    }
};

class RequestParser final : public http::basic_parser<true> {
public:
    RequestParser() {
        header_limit(64 * 1024);
        body_limit(boost::none);
        eager(false);
    }

    Request request;
    std::string pending;  // body bytes parsed but not handed out yet

private:
    void on_request_impl(http::verb, boost::beast::string_view method,
                         boost::beast::string_view target, int version, error_code&) override {
        request.method = std::string(method);
        request.target = std::string(target);
        request.version = version;
        auto question = request.target.find('?');
        request.path = request.target.substr(0, question);
        if (question != std::string::npos) request.query = request.target.substr(question + 1);
    }
    void on_response_impl(int, boost::beast::string_view, int, error_code& ec) override {
        ec = http::error::bad_method;
    }
    void on_field_impl(http::field, boost::beast::string_view name, boost::beast::string_view value,
                       error_code&) override {
        request.headers.emplace_back(std::string(name), std::string(value));
    }
    void on_header_impl(error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
    std::size_t on_body_impl(boost::beast::string_view body, error_code&) override {
        pending.append(body.data(), body.size());
        return body.size();
    }
    void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body,
                                   error_code&) override {
        pending.append(body.data(), body.size());
        return body.size();
    }
    void on_finish_impl(error_code&) override {}
};

// The status line and fields of a response.
class ResponseHead {
public:
    explicit ResponseHead(int status, std::string_view version = "HTTP/1.1") {
        text_.append(version).append(" ").append(std::to_string(status)).append(" ");
        auto reason = http::obsolete_reason(static_cast<http::status>(status));
        if (status == 103) reason = "Early Hints";
        if (reason.starts_with("<")) reason = "Unknown";  // Beast's "<unknown-status>"
        text_.append(reason.data(), reason.size());
        text_.append("\r\n");
        field("Server", "httpxx-testserver");
    }
    ResponseHead& field(std::string_view name, std::string_view value) {
        text_.append(name).append(": ").append(value).append("\r\n");
        return *this;
    }
    ResponseHead& content_length(std::uint64_t length) {
        return field("Content-Length", std::to_string(length));
    }
    std::string finish() const { return text_ + "\r\n"; }

private:
    std::string text_;
};

// What the connection does once a route returns.
enum class After { keep_alive, close, closed };

// One HTTP/1.1 request and its response.
class Exchange {
public:
    explicit Exchange(Connection& connection) : connection_(connection) {}

    Connection& connection() { return connection_; }
    const Request& request() const { return parser_.request; }
    bool keep_alive() const { return parser_.keep_alive(); }
    bool chunked_request() const { return parser_.chunked(); }
    bool is_head() const { return parser_.request.method == "HEAD"; }
    std::optional<std::uint64_t> request_content_length() const {
        auto length = parser_.content_length();
        return length ? std::optional<std::uint64_t>(*length) : std::nullopt;
    }

    // Reads the request head; false when the client closed cleanly before sending anything.
    awaitable<bool> read_head() {
        auto& input = connection_.input();
        for (;;) {
            if (input.size() > 0) {
                error_code ec;
                std::size_t used = parser_.put(input.data(), ec);
                input.consume(used);
                if (parser_.is_header_done()) break;
                if (ec && ec != http::error::need_more) throw BadRequest(ec.message());
            }
            error_code ec;
            std::size_t n = co_await connection_.read_some(input.prepare(kIoChunk), ec);
            if (ec) {
                if (!parser_.got_some() && input.size() == 0) co_return false;
                throw boost::system::system_error(ec);
            }
            input.commit(n);
        }
        parser_.eager(true);
        auto expect = parser_.request.header("Expect");
        expect_continue_ = expect && iequals(*expect, "100-continue") && !parser_.is_done();
        co_return true;
    }

    // The next piece of the request body (at most about 64 KiB); false at its end.
    awaitable<bool> read_body(std::string& out) {
        out.clear();
        auto& input = connection_.input();
        for (;;) {
            if (!parser_.pending.empty()) {
                out.swap(parser_.pending);
                co_return true;
            }
            if (parser_.is_done()) co_return false;
            if (expect_continue_) {
                expect_continue_ = false;
                co_await connection_.write("HTTP/1.1 100 Continue\r\n\r\n");
            }
            if (input.size() > 0) {
                error_code ec;
                std::size_t used = parser_.put(input.data(), ec);
                input.consume(used);
                if (ec && ec != http::error::need_more) throw BadRequest(ec.message());
                if (used > 0 && !ec) continue;
            }
            error_code ec;
            std::size_t n = co_await connection_.read_some(input.prepare(kIoChunk), ec);
            if (ec) throw boost::system::system_error(ec);  // EOF inside the body
            input.commit(n);
        }
    }

    // Reads and drops the rest of the request body; returns how many bytes that was.
    awaitable<std::uint64_t> drain() {
        std::uint64_t total = 0;
        std::string piece;
        while (co_await read_body(piece)) total += piece.size();
        co_return total;
    }

    // Raw bytes, sent as they are.
    awaitable<void> write(std::string_view data) { co_await connection_.write(data); }

    // Response body bytes (nothing for HEAD).
    awaitable<void> body(std::string_view data) {
        if (!is_head() && !data.empty()) co_await connection_.write(data);
    }

    // One chunk of a chunked response body of `size` bytes, `data` being all of it or its first
    // part (then more_chunk_data() the rest, end_chunk() after it).
    awaitable<void> chunk(std::string_view data) {
        if (is_head() || data.empty()) co_return;
        char size[32];
        auto [end, ec] = std::to_chars(size, size + sizeof size - 2, data.size(), 16);
        (void)ec;
        *end++ = '\r';
        *end++ = '\n';
        const std::array<asio::const_buffer, 3> buffers{
            asio::const_buffer(size, static_cast<std::size_t>(end - size)),
            asio::const_buffer(data.data(), data.size()), asio::const_buffer("\r\n", 2)};
        co_await connection_.write_buffers(buffers);
    }
    awaitable<void> last_chunk() {
        if (!is_head()) co_await connection_.write("0\r\n\r\n");
    }

    // Adds Connection: close or keep-alive as the request asks, and tells what to do next.
    After connection_field(ResponseHead& head, bool force_close) const {
        if (force_close || !keep_alive()) {
            head.field("Connection", "close");
            return After::close;
        }
        if (parser_.request.version < 11) head.field("Connection", "keep-alive");
        return After::keep_alive;
    }

private:
    Connection& connection_;
    RequestParser parser_;
    bool expect_continue_ = false;
};

awaitable<After> respond(Exchange& ex, int status, std::string_view content_type,
                         std::string_view body, bool force_close = false) {
    ResponseHead head(status);
    if (!content_type.empty()) head.field("Content-Type", content_type);
    head.content_length(body.size());
    After after = ex.connection_field(head, force_close);
    const std::string text = head.finish();
    co_await ex.write(text);
    co_await ex.body(body);
    co_return after;
}

awaitable<After> respond_text(Exchange& ex, int status, std::string_view body) {
    co_return co_await respond(ex, status, "text/plain; charset=utf-8", body);
}

awaitable<After> respond_json(Exchange& ex, const nlohmann::json& json) {
    const std::string body = json.dump();
    co_return co_await respond(ex, 200, "application/json", body);
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
    ResponseHead head(200);
    auto content_type = ex.request().header("Content-Type");
    if (content_type) head.field("Content-Type", *content_type);
    const bool chunked = !ended && !ex.request_content_length();
    if (chunked) {
        head.field("Transfer-Encoding", "chunked");
    } else {
        head.content_length(ended ? buffered.size() : *ex.request_content_length());
    }
    After after = ex.connection_field(head, false);
    const std::string text = head.finish();
    co_await ex.write(text);
    if (chunked) {
        co_await ex.chunk(buffered);
        while (co_await ex.read_body(piece)) co_await ex.chunk(piece);
        co_await ex.last_chunk();
    } else {
        co_await ex.body(buffered);
        if (!ended) {
            while (co_await ex.read_body(piece)) co_await ex.body(piece);
        }
    }
    co_return after;
}

awaitable<After> handle_echo_headers(Exchange& ex) {
    co_await ex.drain();
    nlohmann::json json;
    if (ex.request().param("raw")) {
        json = nlohmann::json::array();
        for (const auto& [name, value] : ex.request().headers) json.push_back({name, value});
    } else {
        json = nlohmann::json::object();
        for (const auto& [name, value] : ex.request().headers) {
            std::string key = lower(name);
            if (json.contains(key)) {
                json[key] = json[key].get<std::string>() + ", " + value;
            } else {
                json[key] = value;
            }
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
        ResponseHead interim(status);
        const std::string text = interim.finish();
        co_await ex.write(text);
        co_return co_await respond_text(ex, 200, kHello);
    }
    ResponseHead head(status);
    if (status >= 300 && status < 400) head.field("Location", "/");
    const bool no_body = status == 101 || status == 204 || status == 304;
    if (!no_body) head.content_length(0);
    After after = ex.connection_field(head, status == 101);
    const std::string text = head.finish();
    co_await ex.write(text);
    co_return after;
}

awaitable<void> write_pattern(Exchange& ex, std::uint64_t length) {
    for (std::uint64_t offset = 0; offset < length;) {
        std::string_view piece = pattern_view(
            offset, static_cast<std::size_t>(std::min<std::uint64_t>(length - offset, kIoChunk)));
        co_await ex.body(piece);
        offset += piece.size();
    }
}

// One chunk of `size` pattern bytes starting at `offset`, framed once, written in pieces.
awaitable<void> write_pattern_chunk(Exchange& ex, std::uint64_t offset, std::uint64_t size) {
    if (size <= kIoChunk) {
        co_await ex.chunk(pattern_view(offset, static_cast<std::size_t>(size)));
        co_return;
    }
    std::array<char, 32> header{};
    auto [end, ec] = std::to_chars(header.data(), header.data() + 30, size, 16);
    (void)ec;
    *end++ = '\r';
    *end++ = '\n';
    co_await ex.body(
        std::string_view(header.data(), static_cast<std::size_t>(end - header.data())));
    for (std::uint64_t done = 0; done < size;) {
        std::string_view piece =
            pattern_view(offset + done,
                         static_cast<std::size_t>(std::min<std::uint64_t>(size - done, kIoChunk)));
        co_await ex.body(piece);
        done += piece.size();
    }
    co_await ex.body("\r\n");
}

awaitable<After> handle_bytes(Exchange& ex, std::string_view argument) {
    co_await ex.drain();
    auto length = to_number(argument);
    if (!length) co_return co_await respond_text(ex, 400, "bad length");
    ResponseHead head(200);
    head.field("Content-Type", "application/octet-stream").content_length(*length);
    After after = ex.connection_field(head, false);
    const std::string text = head.finish();
    co_await ex.write(text);
    co_await write_pattern(ex, *length);
    co_return after;
}

awaitable<After> handle_stream(Exchange& ex, std::string_view argument) {
    co_await ex.drain();
    auto length = to_number(argument);
    const std::uint64_t chunk = ex.request().number_param("chunk", 1024);
    if (!length || chunk == 0) co_return co_await respond_text(ex, 400, "bad length");
    ResponseHead head(200);
    head.field("Content-Type", "application/octet-stream").field("Transfer-Encoding", "chunked");
    After after = ex.connection_field(head, false);
    const std::string text = head.finish();
    co_await ex.write(text);
    for (std::uint64_t offset = 0; offset < *length; offset += chunk) {
        co_await write_pattern_chunk(ex, offset, std::min(chunk, *length - offset));
    }
    co_await ex.last_chunk();
    co_return after;
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
    ResponseHead head(200);
    head.field("Content-Type", "text/plain; charset=utf-8")
        .field("Content-Encoding", "gzip")
        .content_length(body.size());
    After after = ex.connection_field(head, false);
    const std::string text = head.finish();
    co_await ex.write(text);
    co_await ex.body(body);
    co_return after;
}

awaitable<After> handle_slow(Exchange& ex) {
    co_await ex.drain();
    const std::uint64_t ms = ex.request().number_param("ms", 1000);
    co_await ex.connection().sleep(std::chrono::milliseconds(ms));
    co_return co_await respond_text(ex, 200, kHello);
}

awaitable<After> handle_drip(Exchange& ex) {
    co_await ex.drain();
    const std::uint64_t chunks = ex.request().number_param("chunks", 10);
    const std::uint64_t ms = ex.request().number_param("ms", 100);
    const std::uint64_t size = ex.request().number_param("size", 10);
    if (size == 0) co_return co_await respond_text(ex, 400, "bad size");
    ResponseHead head(200);
    head.field("Content-Type", "application/octet-stream").field("Transfer-Encoding", "chunked");
    After after = ex.connection_field(head, false);
    const std::string text = head.finish();
    co_await ex.write(text);
    for (std::uint64_t i = 0; i < chunks; ++i) {
        if (i > 0) co_await ex.connection().sleep(std::chrono::milliseconds(ms));
        co_await write_pattern_chunk(ex, i * size, size);
    }
    co_await ex.last_chunk();
    co_return after;
}

awaitable<After> handle_redirect(Exchange& ex, std::string_view argument) {
    co_await ex.drain();
    auto n = to_number(argument);
    if (!n) co_return co_await respond_text(ex, 400, "bad count");
    if (*n == 0) co_return co_await respond_text(ex, 200, "redirected");
    const std::uint64_t status = ex.request().number_param("status", 302);
    if (status < 300 || status > 399) co_return co_await respond_text(ex, 400, "bad status");
    std::string location = "/redirect/" + std::to_string(*n - 1);
    if (!ex.request().query.empty()) location += "?" + ex.request().query;
    if (ex.request().param("absolute")) {
        const std::string scheme = ex.connection().is_tls() ? "https://" : "http://";
        location = scheme + ex.request().header("Host").value_or("127.0.0.1") + location;
    }
    ResponseHead head(static_cast<int>(status));
    head.field("Location", location).content_length(0);
    After after = ex.connection_field(head, false);
    const std::string text = head.finish();
    co_await ex.write(text);
    co_return after;
}

awaitable<After> handle_upload(Exchange& ex) {
    const std::uint64_t bytes = co_await ex.drain();
    nlohmann::json json = nlohmann::json::object();
    json["bytes"] = bytes;
    json["chunked"] = ex.chunked_request();
    co_return co_await respond_json(ex, json);
}

awaitable<After> handle_http10(Exchange& ex) {
    co_await ex.drain();
    ResponseHead head(200, "HTTP/1.0");
    head.field("Content-Type", "text/plain; charset=utf-8");
    const std::string text = head.finish();
    co_await ex.write(text);
    if (ex.request().param("n")) {
        co_await write_pattern(ex, ex.request().number_param("n", 0));
    } else {
        co_await ex.body(kHello);
    }
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
        co_await connection.sleep_until(std::chrono::steady_clock::time_point::max());
        co_return After::close;
    }
    if (what == "truncate") {
        ResponseHead head(200);
        head.field("Content-Type", "application/octet-stream").content_length(100);
        const std::string text = head.finish() + pattern(0, 50);
        co_await ex.write(text);
        co_return After::close;
    }
    if (what == "lie_length") {
        ResponseHead head(200);
        head.field("Content-Type", "application/octet-stream").content_length(10);
        const std::string text = head.finish() + pattern(0, 20);
        co_await ex.write(text);
        co_return ex.keep_alive() ? After::keep_alive : After::close;
    }
    if (what == "garbage") {
        co_await ex.write("NOT HTTP\r\n\r\n");
        co_return After::close;
    }
    if (what == "bad_chunk") {
        ResponseHead head(200);
        head.field("Transfer-Encoding", "chunked");
        const std::string text = head.finish() + "5\r\nhello\r\nZZ\r\nnot a chunk\r\n";
        co_await ex.write(text);
        co_return After::close;
    }
    if (what == "close_idle") {
        ResponseHead head(200);
        head.field("Content-Type", "text/plain; charset=utf-8").content_length(kHello.size());
        const std::string text = head.finish() + std::string(kHello);
        co_await ex.write(text);
        co_return After::close;
    }
    if (what == "headers_only_then_close") {
        ResponseHead head(200);
        head.field("Content-Type", "application/octet-stream").content_length(100);
        const std::string text = head.finish();
        co_await ex.write(text);
        co_return After::close;
    }
    co_return co_await respond_text(ex, 404, "Not Found");
}

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
    if (path == "/echo") co_return co_await handle_echo(ex);
    if (path == "/echo_headers") co_return co_await handle_echo_headers(ex);
    if (auto code = argument("/status/")) co_return co_await handle_status(ex, *code);
    if (auto n = argument("/bytes/")) co_return co_await handle_bytes(ex, *n);
    if (auto n = argument("/stream/")) co_return co_await handle_stream(ex, *n);
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
    co_await ex.drain();
    co_return co_await respond_text(ex, 404, "Not Found");
}

// ---- connections --------------------------------------------------------------------------

awaitable<void> serve_http1(Connection& connection) {
    ServerState& server = connection.server();
    for (;;) {
        Exchange ex(connection);
        if (server.options.idle_close.count() > 0) {
            connection.arm_watchdog(server.options.idle_close);
        }
        bool got_request = false;
        bool bad_request = false;
        try {
            got_request = co_await ex.read_head();
        } catch (const BadRequest&) {
            bad_request = true;
        }
        connection.disarm_watchdog();
        if (bad_request) {
            co_await connection.write(
                "HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\nConnection: close\r\n\r\n"
                "Bad Request");
            co_await connection.lingering_close();
            co_return;
        }
        if (!got_request) co_return;
        ++server.served;
        After after = After::close;
        try {
            after = co_await route(ex);
        } catch (const BadRequest&) {
            // A malformed body or query after the head: nothing sensible can follow.
            after = After::close;
        }
        if (after == After::closed) co_return;
        if (after == After::keep_alive) {
            co_await ex.drain();
            if (!connection.closed()) continue;
        }
        co_await connection.lingering_close();
        co_return;
    }
}

awaitable<void> serve(std::shared_ptr<Connection> connection) {
    try {
        if (connection->is_tls()) {
            co_await connection->handshake();
            // HTTP/2 (next issue): if (connection->alpn() == "h2") co_return co_await
            // serve_http2(*connection);
        }
        co_await serve_http1(*connection);
    } catch (const std::exception&) {
        // The client went away, or stop() closed the connection: nothing to report.
    }
    connection->close();
}

awaitable<void> accept_loop(ServerState& server) {
    for (;;) {
        error_code ec;
        auto token = asio::redirect_error(use_awaitable, ec);
        tcp::socket socket = co_await server.acceptor->async_accept(token);
        if (server.stopping || !server.acceptor->is_open()) co_return;
        if (ec) {
            // EMFILE and friends: wait a little instead of spinning.
            asio::steady_timer timer(server.acceptor->get_executor());
            timer.expires_after(10ms);
            error_code ignored;
            auto wait_token = asio::redirect_error(use_awaitable, ignored);
            co_await timer.async_wait(wait_token);
            continue;
        }
        ++server.accepted;
        error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto connection = std::make_shared<Connection>(std::move(socket), server);
        asio::co_spawn(*server.io, serve(std::move(connection)), asio::detached);
    }
}

}  // namespace

// ---- TestServer ---------------------------------------------------------------------------

TestServer::TestServer() : TestServer(Options()) {}

TestServer::TestServer(Options options) : state_(std::make_unique<detail::ServerState>()) {
    state_->options = std::move(options);
}

TestServer::~TestServer() {
    stop();
}

void TestServer::start() {
    ServerState& s = *state_;
    if (s.thread.joinable()) return;
    s.io.emplace(1);
    try {
        if (s.options.tls) {
            s.tls.emplace(ssl::context::tls_server);
            s.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                               ssl::context::no_sslv3);
            s.tls->use_certificate_chain_file(s.options.tls->cert_chain_file);
            s.tls->use_private_key_file(s.options.tls->private_key_file, ssl::context::pem);
            if (!s.options.tls->client_ca_file.empty()) {
                s.tls->load_verify_file(s.options.tls->client_ca_file);
                s.tls->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
            }
            SSL_CTX_set_alpn_select_cb(s.tls->native_handle(), select_alpn, nullptr);
        }
        const tcp::endpoint endpoint(asio::ip::make_address(s.options.host), s.options.port);
        s.acceptor.emplace(*s.io);
        s.acceptor->open(endpoint.protocol());
        s.acceptor->set_option(tcp::acceptor::reuse_address(true));
        s.acceptor->bind(endpoint);
        s.acceptor->listen(asio::socket_base::max_listen_connections);
        s.port = s.acceptor->local_endpoint().port();
    } catch (...) {
        s.acceptor.reset();
        s.tls.reset();
        s.io.reset();
        throw;
    }
    s.accepted = 0;
    s.served = 0;
    s.stopping = false;
    s.finished = false;
    asio::co_spawn(*s.io, accept_loop(s), asio::detached);
    s.thread = std::thread([&s] {
        try {
            s.io->run();
        } catch (...) {
            // A handler threw (it should not): the server just stops serving.
        }
        std::lock_guard lock(s.mutex);
        s.finished = true;
        s.finished_cv.notify_all();
    });
}

void TestServer::stop() {
    ServerState& s = *state_;
    if (!s.thread.joinable()) return;
    asio::post(*s.io, [&s] {
        s.stopping = true;
        error_code ignored;
        s.acceptor->close(ignored);
        // close() may destroy nothing here (each Connection is owned by its coroutine), but copy
        // the set anyway: closing must not invalidate the iteration.
        std::vector<Connection*> connections(s.connections.begin(), s.connections.end());
        for (Connection* connection : connections) connection->close();
    });
    {
        std::unique_lock lock(s.mutex);
        s.finished_cv.wait_for(lock, 1s, [&s] { return s.finished; });
    }
    s.io->stop();  // whatever is still running after a second is abandoned
    s.thread.join();
    s.acceptor.reset();
    s.io.reset();  // destroys any coroutine still suspended, and with it its connection
    s.tls.reset();
}

bool TestServer::running() const {
    return state_->thread.joinable();
}

std::uint16_t TestServer::port() const {
    return state_->port;
}

const std::string& TestServer::host() const {
    return state_->options.host;
}

bool TestServer::tls() const {
    return state_->options.tls.has_value();
}

std::string TestServer::origin() const {
    std::string host = state_->options.host;
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return (tls() ? "https://" : "http://") + host + ":" + std::to_string(port());
}

std::string TestServer::url(std::string_view path) const {
    std::string url = origin();
    if (path.empty() || path.front() != '/') url += '/';
    url += path;
    return url;
}

std::uint64_t TestServer::connections_accepted() const {
    return state_->accepted;
}

std::uint64_t TestServer::requests_served() const {
    return state_->served;
}

std::uint64_t TestServer::open_connections() const {
    return state_->open;
}

}  // namespace httpx::testing
