// The oracle of the differential fuzz target: the HTTP/1.1 response parser over Boost.Beast as it
// was in src/protocol/http11_parser.cpp before our own parser replaced it (issue 6, round 5).
#include "beast_response_parser.hpp"

#include <httpx/exceptions.hpp>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <cctype>
#include <limits>
#include <utility>
#include <vector>

namespace httpx::fuzz {

namespace {

namespace http = boost::beast::http;
using boost::beast::error_code;
using boost::beast::string_view;

enum class Phase { head, body, done, failed };

// What Beast's callbacks learn about the message being parsed.
struct MessageState {
    const ParserLimits* limits = nullptr;
    const BeastResponseParser::BodySink* sink = nullptr;
    Bytes* body = nullptr;
    Bytes* adoptable = nullptr;  // feed_body()'s chunk: moved into `body` when it is all body
    bool connect_request = false;

    int status = 0;
    int version = 0;  // 10 or 11
    std::string reason;
    Headers headers;
    Headers trailers;
    std::vector<Headers::value_type> fields;  // the head's fields, until it is complete
    bool header_complete = false;
    std::size_t field_count = 0;
    bool saw_content_length = false;
    bool saw_transfer_encoding = false;
    std::optional<std::uint64_t> content_length;
    bool tunnel = false;  // 2xx to CONNECT: Beast is stopped after the head
    std::string error;    // a failure of ours, reported through Beast as bad_field
    std::uint64_t body_received = 0;

    void reset_message() {
        status = 0;
        version = 0;
        reason.clear();
        headers.clear();
        trailers.clear();
        fields.clear();
        fields.reserve(16);  // one allocation per head instead of one per doubling
        header_complete = false;
        field_count = 0;
        saw_content_length = false;
        saw_transfer_encoding = false;
        content_length.reset();
        tunnel = false;
    }

    void deliver(string_view data) {
        body_received += data.size();
        if (sink != nullptr && *sink) {
            (*sink)(std::string_view(data.data(), data.size()));
        } else if (adoptable != nullptr && body->empty() && data.data() == adoptable->data() &&
                   data.size() == adoptable->size()) {
            *body = std::move(*adoptable);
        } else {
            body->append(data.data(), data.size());
        }
    }
};

class BeastParser final : public http::basic_parser<false> {
public:
    explicit BeastParser(MessageState& state) : state_(state) {}

private:
    void on_request_impl(http::verb, string_view, string_view, int, error_code& ec) override {
        ec = http::error::bad_method;  // never called for a response parser
    }

    void on_response_impl(int code, string_view reason, int version, error_code& ec) override {
        // Beast takes any three digits; "020" is no status code (RFC 9110 §15: 100-599; llhttp
        // refuses below 100 too). Found by fuzz_http11_response.
        if (code < 100) {
            ec = http::error::bad_status;
            return;
        }
        state_.status = code;
        state_.version = version;
        state_.reason.assign(reason.data(), reason.size());
    }

    void on_field_impl(http::field name, string_view name_string, string_view value,
                       error_code& ec) override {
        if (++state_.field_count > state_.limits->max_header_count) {
            state_.error = std::string(state_.header_complete ? "trailer" : "header") +
                           " section has more than " +
                           std::to_string(state_.limits->max_header_count) + " fields";
            ec = http::error::bad_field;
            return;
        }
        if (!state_.header_complete) {
            if (name == http::field::content_length) state_.saw_content_length = true;
            if (name == http::field::transfer_encoding) state_.saw_transfer_encoding = true;
            // Beast refuses the pair when chunked is involved; any other coding next to a
            // Content-Length is just as ambiguous between peers.
            if (state_.saw_content_length && state_.saw_transfer_encoding) {
                state_.error = "response has both Content-Length and Transfer-Encoding";
                ec = http::error::bad_transfer_encoding;
                return;
            }
        }
        std::string name_copy(name_string.data(), name_string.size());
        std::string value_copy(value.data(), value.size());
        if (state_.header_complete)
            state_.trailers.add(std::move(name_copy), std::move(value_copy));
        else
            state_.fields.emplace_back(std::move(name_copy), std::move(value_copy));
    }

    void on_header_impl(error_code& ec) override {
        state_.header_complete = true;
        state_.headers = Headers(std::exchange(state_.fields, {}));
        state_.field_count = 0;  // trailers are counted on their own
        if (auto length = content_length()) state_.content_length = *length;
        if (state_.connect_request && state_.status / 100 == 2) {
            // A tunnel, not a body: stop Beast here (it would read to EOF).
            state_.tunnel = true;
            ec = http::error::end_of_stream;
        }
    }

    void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}

    std::size_t on_body_impl(string_view body, error_code&) override {
        state_.deliver(body);
        return body.size();
    }

    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}

    std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
        state_.deliver(body);
        return body.size();
    }

    void on_finish_impl(error_code&) override {}

    MessageState& state_;
};

// A printable, bounded rendering of untrusted bytes for error messages.
std::string escaped(std::string_view s, std::size_t max = 80) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (char c : s.substr(0, max)) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\r') {
            out += "\\r";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u >= 0x7F) {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 0xF];
        } else {
            out += c;
        }
    }
    out += s.size() > max ? "\"..." : "\"";
    return out;
}

std::string describe(const error_code& ec, const MessageState& state, const ParserLimits& limits,
                     std::string_view unconsumed) {
    using E = http::error;
    if (ec == E::bad_version || ec == E::bad_status || ec == E::bad_reason ||
        (state.status == 0 && ec == E::bad_line_ending)) {
        const auto line = unconsumed.substr(0, unconsumed.find('\n'));
        return "invalid HTTP status line: " + escaped(line);
    }
    if (ec == E::header_limit) {
        return "response header section is larger than " + std::to_string(limits.max_header_bytes) +
               " bytes";
    }
    if (ec == E::bad_field || ec == E::bad_value || ec == E::bad_line_ending ||
        ec == E::bad_obs_fold) {
        return std::string("invalid ") + (state.header_complete ? "trailer" : "header") +
               " line: " + escaped(unconsumed.substr(0, unconsumed.find('\n')));
    }
    if (ec == E::bad_content_length) {
        if (state.saw_transfer_encoding) {
            return "response has both Content-Length and Transfer-Encoding";
        }
        return "invalid Content-Length header (not a number, or too large)";
    }
    if (ec == E::multiple_content_length) return "conflicting Content-Length headers";
    if (ec == E::bad_transfer_encoding) {
        if (state.saw_content_length) {
            return "response has both Content-Length and Transfer-Encoding";
        }
        return "invalid Transfer-Encoding header (chunked more than once)";
    }
    if (ec == E::bad_chunk) {
        return "invalid chunk in chunked body near " + escaped(unconsumed, 32);
    }
    if (ec == E::bad_chunk_extension) {
        return "invalid chunk extension in chunked body near " + escaped(unconsumed, 32);
    }
    if (ec == E::body_limit) {
        return "response body is larger than " + std::to_string(limits.max_body_bytes.value_or(0)) +
               " bytes";
    }
    return "malformed HTTP response: " + ec.message();
}

}  // namespace

struct BeastResponseParser::Impl {
    ParserLimits limits;
    bool head_request = false;
    Phase phase = Phase::head;
    bool upgraded = false;
    std::size_t scan_from = 0;  // where the search for the end of the head resumes
    BodySink sink;
    Bytes body;
    MessageState state;
    std::optional<BeastParser> beast;

    void start_message() {
        state.reset_message();
        scan_from = 0;
        beast.emplace(state);
        beast->skip(head_request);
        beast->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
            limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
        if (limits.max_body_bytes) {
            beast->body_limit(*limits.max_body_bytes);
        } else {
            beast->body_limit(boost::none);  // Beast's default is 8 MiB
        }
    }

    [[noreturn]] void fail(std::string message) {
        phase = Phase::failed;
        throw RemoteProtocolError(message);
    }

    // Empty lines before a status line (a stray CRLF after the previous message or a 100
    // Continue) are skipped, as llhttp does (RFC 9112 §2.2).
    static std::size_t leading_blank_lines(std::string_view data) noexcept {
        std::size_t n = 0;
        while (data.size() - n >= 2 && data[n] == '\r' && data[n + 1] == '\n') n += 2;
        return n;
    }

    // The length of the complete head at the start of `data` (its final CRLF CRLF included), or
    // 0 while it is incomplete. Beast only sees whole heads: what it decides then does not depend
    // on how the bytes were split, and a partial head is scanned once (resuming at scan_from).
    std::size_t head_length(std::string_view data) {
        if (data == "\r") return 0;  // maybe a blank line to skip
        constexpr std::string_view prefix = "HTTP/";
        const auto checked = std::min(data.size(), prefix.size());
        if (data.substr(0, checked) != prefix.substr(0, checked)) {
            // Not HTTP at all (a TLS alert, an SSH banner ...): say so without waiting.
            fail("invalid HTTP status line: " + escaped(data.substr(0, data.find('\n'))));
        }
        const auto end = std::min(data.size(), limits.max_header_bytes);
        for (auto i = scan_from; i < end; ++i) {
            i = data.find('\n', i);
            if (i >= end) break;
            if (i == 0 || data[i - 1] != '\r') {
                fail("invalid line ending in response head (LF without CR) near " +
                     escaped(data.substr(i < 40 ? 0 : i - 40, 40)));
            }
            if (i >= 3 && data[i - 2] == '\n' && data[i - 3] == '\r') return i + 1;
        }
        if (data.size() > limits.max_header_bytes) {
            fail("response header section is larger than " +
                 std::to_string(limits.max_header_bytes) + " bytes");
        }
        scan_from = data.size();
        return 0;
    }

    // Parses a complete head. A final response moves on to its body; after an interim one the
    // parser starts over with the next head.
    void parse_head(std::string_view head) {
        // "HTTP/1.1 301\r\n" (no space, no reason phrase) is accepted by HTTPX (h11) and llhttp
        // but not by Beast: hand Beast the same line with an empty reason phrase.
        std::string with_reason;
        if (head.size() > 14 && head.substr(12, 2) == "\r\n" && head[8] == ' ' &&
            std::isdigit(static_cast<unsigned char>(head[9])) &&
            std::isdigit(static_cast<unsigned char>(head[10])) &&
            std::isdigit(static_cast<unsigned char>(head[11]))) {
            with_reason.reserve(head.size() + 1);
            with_reason.append(head.substr(0, 12)).append(" ").append(head.substr(12));
            head = with_reason;
        }
        error_code ec;
        const auto n = beast->put(boost::asio::const_buffer(head.data(), head.size()), ec);
        if (state.tunnel) {
            phase = Phase::done;
            upgraded = true;
            return;
        }
        if (!state.error.empty()) fail(std::move(state.error));
        if (ec) fail(describe(ec, state, limits, head.substr(n)));
        if (n != head.size() || !state.header_complete) {
            fail("malformed HTTP response head: " + escaped(head.substr(n)));
        }
        if (state.status / 100 == 1 && state.status != 101) {
            start_message();  // interim response: the final one follows
            return;
        }
        upgraded = state.status == 101;
        phase = beast->is_done() ? Phase::done : Phase::body;
        beast->eager(true);  // from here on one put() may span many chunks
    }

    void check_usable() const {
        if (phase == Phase::failed) {
            throw LocalProtocolError("the HTTP/1.1 response parser failed earlier");
        }
    }
};

BeastResponseParser::BeastResponseParser(std::string_view request_method, ParserLimits limits)
    : impl_(std::make_unique<Impl>()) {
    impl_->limits = limits;
    impl_->state.limits = &impl_->limits;
    impl_->state.sink = &impl_->sink;
    impl_->state.body = &impl_->body;
    reset(request_method);
}

void BeastResponseParser::reset(std::string_view request_method) {
    auto& m = *impl_;
    m.head_request = request_method == "HEAD";
    m.state.connect_request = request_method == "CONNECT";
    m.phase = Phase::head;
    m.upgraded = false;
    m.sink = nullptr;
    m.body.clear();
    m.state.error.clear();
    m.state.body_received = 0;
    m.start_message();
}

BeastResponseParser::~BeastResponseParser() = default;
BeastResponseParser::BeastResponseParser(BeastResponseParser&&) noexcept = default;
BeastResponseParser& BeastResponseParser::operator=(BeastResponseParser&&) noexcept = default;

std::size_t BeastResponseParser::feed(std::string_view data) {
    auto& m = *impl_;
    m.check_usable();
    std::size_t total = 0;
    while (total < data.size() && m.phase != Phase::done) {
        if (m.phase == Phase::head) {
            const auto head = data.substr(total);
            const auto blank = m.leading_blank_lines(head);
            total += blank;
            const auto length = m.head_length(head.substr(blank));
            if (length == 0) break;
            m.parse_head(head.substr(blank, length));
            total += length;
            continue;
        }
        const auto rest = data.substr(total);
        error_code ec;
        std::size_t n = 0;
        try {
            n = m.beast->put(boost::asio::const_buffer(rest.data(), rest.size()), ec);
        } catch (...) {
            m.phase = Phase::failed;  // the body sink threw
            throw;
        }
        total += n;
        if (!m.state.error.empty()) m.fail(std::move(m.state.error));
        if (ec == http::error::need_more) {
            // Beast waits for a whole chunk-size line or trailer section: bound it.
            if (rest.size() - n > m.limits.max_header_bytes) {
                m.fail("chunk size line or trailer section is larger than " +
                       std::to_string(m.limits.max_header_bytes) + " bytes");
            }
            break;
        }
        if (ec) m.fail(describe(ec, m.state, m.limits, rest.substr(n)));
        if (m.beast->is_done()) m.phase = Phase::done;
        if (n == 0) break;
    }
    return total;
}

void BeastResponseParser::feed_eof() {
    auto& m = *impl_;
    m.check_usable();
    switch (m.phase) {
        case Phase::done:
        case Phase::failed:
            return;
        case Phase::head:
            m.fail("Server disconnected without sending a response.");
        case Phase::body:
            break;
    }
    if (m.beast->chunked() || m.state.content_length) {
        std::string message = "peer closed connection without sending complete message body: ";
        if (m.beast->chunked()) {
            message.append("incomplete chunked read");
        } else {
            message.append("received ")
                .append(std::to_string(m.state.body_received))
                .append(" bytes, expected ")
                .append(std::to_string(*m.state.content_length));
        }
        m.fail(std::move(message));
    }
    error_code ec;
    m.beast->put_eof(ec);
    if (ec) m.fail(describe(ec, m.state, m.limits, {}));
    m.phase = Phase::done;
}

bool BeastResponseParser::headers_done() const noexcept {
    return impl_->phase != Phase::head && impl_->state.header_complete;
}
bool BeastResponseParser::message_done() const noexcept {
    return impl_->phase == Phase::done;
}
bool BeastResponseParser::upgraded() const noexcept {
    return impl_->upgraded;
}

int BeastResponseParser::status_code() const noexcept {
    return headers_done() ? impl_->state.status : 0;
}
std::string_view BeastResponseParser::reason() const noexcept {
    return impl_->state.reason;
}

std::string BeastResponseParser::http_version() const {
    if (!headers_done()) return {};
    return impl_->state.version == 11 ? "HTTP/1.1" : "HTTP/1.0";
}

const httpx::Headers& BeastResponseParser::headers() const noexcept {
    return impl_->state.headers;
}
httpx::Headers BeastResponseParser::take_headers() noexcept {
    return std::exchange(impl_->state.headers, httpx::Headers{});
}
const httpx::Headers& BeastResponseParser::trailers() const noexcept {
    return impl_->state.trailers;
}

std::optional<std::uint64_t> BeastResponseParser::content_length() const noexcept {
    return impl_->state.content_length;
}

bool BeastResponseParser::chunked() const noexcept {
    return headers_done() && impl_->beast->chunked();
}

void BeastResponseParser::set_body_sink(BodySink sink) {
    impl_->sink = std::move(sink);
}

httpx::Bytes BeastResponseParser::take_body() {
    return std::exchange(impl_->body, Bytes{});
}

std::uint64_t BeastResponseParser::identity_body_left() const noexcept {
    const auto& m = *impl_;
    if (m.phase != Phase::body || m.beast->chunked()) return 0;
    if (!m.state.content_length) return std::numeric_limits<std::uint64_t>::max();
    return *m.state.content_length - m.state.body_received;
}

std::size_t BeastResponseParser::feed_body(httpx::Bytes&& chunk) {
    auto& m = *impl_;
    m.state.adoptable = &chunk;
    struct Reset {
        MessageState& state;
        ~Reset() { state.adoptable = nullptr; }
    } reset{m.state};
    return feed(chunk);
}

std::uint64_t BeastResponseParser::body_bytes_received() const noexcept {
    return impl_->state.body_received;
}

bool BeastResponseParser::keep_alive() const noexcept {
    const auto& m = *impl_;
    return m.phase == Phase::done && !m.upgraded && m.beast->keep_alive();
}

}  // namespace httpx::fuzz
