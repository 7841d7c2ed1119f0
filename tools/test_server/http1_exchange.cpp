#include "http1_exchange.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>

#include <array>
#include <charconv>
#include <string>

#include "connection.hpp"
#include "exchange.hpp"
#include "routes.hpp"

namespace httpx::testing::detail {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::awaitable;
using error_code = boost::system::error_code;

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

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
        request.set_target(std::string_view(target.data(), target.size()));
        request.version = version;
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

// The status line and fields of a response, as text.
class HeadText {
public:
    explicit HeadText(int status, std::string_view version = "HTTP/1.1") {
        text_.append(version).append(" ").append(std::to_string(status)).append(" ");
        auto reason = http::obsolete_reason(static_cast<http::status>(status));
        if (status == 103) reason = "Early Hints";
        if (reason.starts_with("<")) reason = "Unknown";  // Beast's "<unknown-status>"
        text_.append(reason.data(), reason.size());
        text_.append("\r\n");
        field("Server", "httpxx-testserver");
    }
    HeadText& field(std::string_view name, std::string_view value) {
        text_.append(name).append(": ").append(value).append("\r\n");
        return *this;
    }
    std::string finish() const { return text_ + "\r\n"; }

private:
    std::string text_;
};

// How the response body is delimited.
enum class Framing { none, length, chunked, close };

// One HTTP/1.1 request and its response.
class Http1Exchange final : public Exchange {
public:
    explicit Http1Exchange(Connection& connection) : connection_(connection) {}

    Connection& connection() override { return connection_; }
    const Request& request() const override { return parser_.request; }
    std::string_view protocol() const override { return "HTTP/1.1"; }
    bool chunked_request() const override { return parser_.chunked(); }
    std::optional<std::uint64_t> request_content_length() const override {
        auto length = parser_.content_length();
        return length ? std::optional<std::uint64_t>(*length) : std::nullopt;
    }
    bool keep_alive() const { return parser_.keep_alive(); }

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
            std::size_t n = co_await connection_.read_some(input.prepare(kReadChunk), ec);
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

    awaitable<bool> read_body(std::string& out) override {
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
            std::size_t n = co_await connection_.read_some(input.prepare(kReadChunk), ec);
            if (ec) throw boost::system::system_error(ec);  // EOF inside the body
            input.commit(n);
        }
    }

    awaitable<void> interim(int status) override {
        const std::string text = HeadText(status).finish();
        co_await connection_.write(text);
    }

    awaitable<void> start(const Response& head) override {
        HeadText text(head.status, head.http10 ? "HTTP/1.0" : "HTTP/1.1");
        for (const auto& [name, value] : head.fields) text.field(name, value);
        for (const auto& [name, value] : head.raw_fields) text.field(name, value);
        if (head.status == 101 || head.bodiless_status()) {
            framing_ = Framing::none;
        } else if (head.content_length) {
            framing_ = Framing::length;
            text.field("Content-Length", std::to_string(*head.content_length));
        } else if (head.http10) {
            framing_ = Framing::close;
        } else {
            framing_ = Framing::chunked;
            text.field("Transfer-Encoding", "chunked");
            std::string names;
            for (const auto& name : head.trailer_names) {
                names += (names.empty() ? "" : ", ") + name;
            }
            if (!names.empty()) text.field("Trailer", names);
        }
        if (head.http10) {
            after_ = After::close;
        } else if (head.close || !keep_alive()) {
            text.field("Connection", "close");
            after_ = After::close;
        } else {
            if (parser_.request.version < 11) text.field("Connection", "keep-alive");
            after_ = After::keep_alive;
        }
        if (is_head()) framing_ = Framing::none;
        const std::string bytes = text.finish();
        co_await connection_.write(bytes);
    }

    awaitable<void> body(std::string_view data) override {
        if (framing_ == Framing::none || data.empty()) co_return;
        if (framing_ != Framing::chunked || chunk_left_ > 0) {
            co_await connection_.write(data);
            if (chunk_left_ > 0) {
                chunk_left_ -= std::min<std::uint64_t>(chunk_left_, data.size());
                if (chunk_left_ == 0) co_await connection_.write("\r\n");
            }
            co_return;
        }
        char size[32];
        const std::size_t size_length = chunk_size_line(size, data.size());
        const std::array<asio::const_buffer, 3> buffers{
            asio::const_buffer(size, size_length), asio::const_buffer(data.data(), data.size()),
            asio::const_buffer("\r\n", 2)};
        co_await connection_.write_buffers(buffers);
    }

    awaitable<void> begin_chunk(std::uint64_t size) override {
        if (framing_ != Framing::chunked || size == 0) co_return;
        char line[32];
        const std::size_t length = chunk_size_line(line, size);
        co_await connection_.write(std::string_view(line, length));
        chunk_left_ = size;
    }

    awaitable<After> finish() override {
        const Fields none;
        co_return co_await finish_with_trailers(none);
    }

    awaitable<After> finish_with_trailers(const Fields& trailers) override {
        if (framing_ == Framing::chunked) {
            std::string last = "0\r\n";
            for (const auto& [name, value] : trailers) last += name + ": " + value + "\r\n";
            last += "\r\n";
            co_await connection_.write(last);
        }
        co_return after_;
    }

    awaitable<void> sleep_until(std::chrono::steady_clock::time_point when) override {
        co_await connection_.sleep_until(when);
    }

    awaitable<void> write_raw(std::string_view bytes) override {
        co_await connection_.write(bytes);
    }

    awaitable<After> reset_stream(std::uint32_t) override {
        connection_.abort();
        co_return After::closed;
    }

    awaitable<void> goaway(std::uint32_t, std::uint32_t, bool) override { co_return; }

private:
    // "<hex size>\r\n" into `out`; returns its length.
    static std::size_t chunk_size_line(char (&out)[32], std::uint64_t size) {
        auto [end, ec] = std::to_chars(out, out + sizeof out - 2, size, 16);
        (void)ec;
        *end++ = '\r';
        *end++ = '\n';
        return static_cast<std::size_t>(end - out);
    }

    Connection& connection_;
    RequestParser parser_;
    bool expect_continue_ = false;
    Framing framing_ = Framing::none;
    std::uint64_t chunk_left_ = 0;  // of the chunk begin_chunk() opened
    After after_ = After::close;    // decided by start()
};

}  // namespace

awaitable<void> serve_http1(Connection& connection) {
    ServerState& server = connection.server();
    for (;;) {
        Http1Exchange ex(connection);
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
        if (connection.drop_next_request) {
            connection.close();
            co_return;
        }
        server.count_request(connection.id());
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

}  // namespace httpx::testing::detail
