#include "protocol/http11_parser.hpp"

#include "models/headers_access.hpp"
#include "protocol/header_rules.hpp"
#include "protocol/http11_syntax.hpp"

#include <httpx/exceptions.hpp>

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace httpx::protocol {

namespace {

enum class Phase { head, body, done, failed };

// How the final response's body is delimited (RFC 9112 §6.3).
enum class Framing {
    none,        // HEAD, 1xx, 204, 304, Content-Length: 0, a tunnel
    length,      // Content-Length
    chunked,     // Transfer-Encoding ending in chunked
    until_close  // neither: the body ends with the connection
};

// Where a chunked body is.
enum class ChunkStep {
    size_line,  // a chunk-size line is next (after the previous chunk's CRLF, if any)
    data        // inside a chunk's data
};

// The header fields whose meaning the parser needs.
enum class FramingField { other, connection, content_length, transfer_encoding };

FramingField classify(std::string_view name) noexcept {
    using syntax::token_equals;
    switch (name.size()) {
        case 10:
            if (token_equals(name, "connection")) return FramingField::connection;
            break;
        case 14:
            if (token_equals(name, "content-length")) return FramingField::content_length;
            break;
        case 16:
            if (token_equals(name, "proxy-connection")) return FramingField::connection;
            break;
        case 17:
            if (token_equals(name, "transfer-encoding")) return FramingField::transfer_encoding;
            break;
        default:
            break;
    }
    return FramingField::other;
}

// Obs-folded lines are joined into one value of at most this many bytes (as Beast did).
constexpr std::size_t max_folded_value = 4096;

// How much of an offending line an error message shows.
constexpr std::size_t shown_bytes = 80;

std::string_view first_line(std::string_view s) noexcept {
    return s.substr(0, s.find('\n'));
}

// A decimal number of at most 64 bits, digits only (from_chars takes no sign for an unsigned
// type and skips no whitespace).
bool parse_decimal(std::string_view s, std::uint64_t& out) noexcept {
    const char* end = s.data() + s.size();
    const auto [stop, error] = std::from_chars(s.data(), end, out);
    return error == std::errc() && stop == end;
}

}  // namespace

struct ResponseParser::Impl {
    ParserLimits limits;
    bool head_request = false;
    bool connect_request = false;
    Phase phase = Phase::head;
    bool upgraded = false;
    BodySink sink;
    Bytes body;
    Bytes* adoptable = nullptr;  // feed_body()'s chunk: moved into `body` when it is all body
    std::uint64_t body_received = 0;

    // The head being read (an interim one, then the final one).
    std::size_t scan_from = 0;   // where the search for the end of the head resumes
    std::size_t lines_seen = 0;  // line feeds before scan_from: bounds the field count
    int status = 0;
    bool http11 = false;
    std::string reason;
    Headers headers;
    Headers trailers;
    bool header_complete = false;

    // What the head's framing fields say.
    bool saw_content_length = false;
    bool saw_transfer_encoding = false;
    std::optional<std::uint64_t> content_length;
    bool chunked = false;
    bool connection_close = false;
    bool connection_keep_alive = false;

    // The body.
    Framing framing = Framing::none;
    std::uint64_t remaining = 0;               // of the Content-Length, or of the current chunk
    std::optional<std::uint64_t> body_budget;  // what max_body_bytes still allows
    ChunkStep chunk_step = ChunkStep::size_line;
    bool expect_crlf = false;           // the CRLF that ends a chunk's data comes first
    std::size_t line_scan_from = 0;     // where the search for a chunk line's end resumes
    std::size_t trailer_scan_from = 0;  // where the search for the trailer section's end resumes

    void start_message() {
        scan_from = 0;
        lines_seen = 0;
        status = 0;
        http11 = false;
        reason.clear();
        headers.clear();
        trailers.clear();
        header_complete = false;
        saw_content_length = false;
        saw_transfer_encoding = false;
        content_length.reset();
        chunked = false;
        connection_close = false;
        connection_keep_alive = false;
        framing = Framing::none;
        remaining = 0;
        chunk_step = ChunkStep::size_line;
        expect_crlf = false;
        line_scan_from = 0;
        trailer_scan_from = 0;
    }

    [[noreturn]] void fail(std::string message) {
        phase = Phase::failed;
        throw RemoteProtocolError(message);
    }

    void deliver(std::string_view data) {
        body_received += data.size();
        if (sink) {
            sink(data);
        } else if (adoptable != nullptr && body.empty() && data.data() == adoptable->data() &&
                   data.size() == adoptable->size()) {
            body = std::move(*adoptable);
        } else {
            body.append(data.data(), data.size());
        }
    }

    // ---------------------------------------------------------------- the head

    // Empty lines before a status line (a stray CRLF after the previous message or a 100
    // Continue) are skipped, as llhttp does (RFC 9112 §2.2).
    static std::size_t leading_blank_lines(std::string_view data) noexcept {
        std::size_t n = 0;
        while (data.size() - n >= 2 && data[n] == '\r' && data[n + 1] == '\n') n += 2;
        return n;
    }

    // The length of the complete head at the start of `data` (its final CRLF CRLF included), or
    // 0 while it is incomplete. A head is parsed only once complete: what the parser decides
    // then does not depend on how the bytes were split, and a partial head is scanned once
    // (resuming at scan_from). Every LF must follow a CR.
    std::size_t head_length(std::string_view data) {
        if (data == "\r") return 0;  // maybe a blank line to skip
        constexpr std::string_view prefix = "HTTP/";
        const auto checked = std::min(data.size(), prefix.size());
        if (data.substr(0, checked) != prefix.substr(0, checked)) {
            // Not HTTP at all (a TLS alert, an SSH banner ...): say so without waiting.
            fail("invalid HTTP status line: " + escaped(first_line(data), shown_bytes));
        }
        const auto end = std::min(data.size(), limits.max_header_bytes);
        for (auto i = scan_from; i < end; ++i) {
            i = data.find('\n', i);
            if (i >= end) break;
            ++lines_seen;
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
        scan_from = end;
        return 0;
    }

    // status-line = HTTP-version SP status-code [ SP reason-phrase ] (the reason phrase and its
    // space may be missing, as h11 and llhttp accept); only HTTP/1.0 and HTTP/1.1, a status code
    // of 100 to 999.
    void parse_status_line(std::string_view line) {
        auto digit = [&](std::size_t i) { return line[i] >= '0' && line[i] <= '9'; };
        const bool valid = line.size() >= 12 && line.substr(0, 5) == "HTTP/" && line[5] == '1' &&
                           line[6] == '.' && (line[7] == '0' || line[7] == '1') && line[8] == ' ' &&
                           digit(9) && digit(10) && digit(11) && line[9] != '0' &&
                           (line.size() == 12 || line[12] == ' ');
        const auto phrase = line.size() > 13 ? line.substr(13) : std::string_view();
        if (!valid || syntax::find_non_field_byte(phrase.data(), phrase.data() + phrase.size()) !=
                          phrase.data() + phrase.size()) {
            fail("invalid HTTP status line: " + escaped(line, shown_bytes));
        }
        http11 = line[7] == '1';
        status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        reason.assign(phrase.data(), phrase.size());
    }

    [[noreturn]] void fail_field_line(const char* line, const char* block_end) {
        fail(std::string("invalid ") + (header_complete ? "trailer" : "header") + " line: " +
             escaped(first_line(std::string_view(line, block_end - line)), shown_bytes));
    }

    // The field lines of a complete block (a head after its status line, or a trailer section)
    // from `p` to `end`, which is just past the block's final empty line. Each field goes to
    // `out` with its name in its original case and its value without surrounding whitespace,
    // obs-folded lines joined with one space (RFC 9112 §5.2).
    void parse_fields(const char* p, const char* end, std::vector<Headers::value_type>& out) {
        std::size_t count = 0;
        std::string folded;
        for (;;) {
            const char* const line = p;
            if (*p == '\r') {
                if (p[1] != '\n') fail_field_line(line, end);
                return;  // the empty line: the block ends here (at `end`)
            }
            p = syntax::skip_tchars(p);
            if (*p != ':' || p == line) fail_field_line(line, end);
            const std::string_view name(line, p - line);
            ++p;
            // One line of the value: its text without surrounding whitespace; `p` moves past its
            // CRLF. The block ends with CRLF CRLF, so the scans stop inside it.
            auto segment = [&]() -> std::string_view {
                while (syntax::is_ows(*p)) ++p;
                const char* const first = p;
                p = syntax::find_non_field_byte(p, end);
                if (p[0] != '\r' || p[1] != '\n') fail_field_line(line, end);
                const char* last = p;
                while (last != first && syntax::is_ows(last[-1])) --last;
                p += 2;
                return {first, static_cast<std::size_t>(last - first)};
            };
            std::string_view value = segment();
            // A continuation line (obs-fold) starts with whitespace.
            while (value.empty() && syntax::is_ows(*p)) {
                ++p;
                value = segment();
            }
            bool is_folded = false;
            if (syntax::is_ows(*p)) {
                is_folded = true;
                if (value.size() > max_folded_value) {
                    fail("response header section is larger than " +
                         std::to_string(limits.max_header_bytes) + " bytes");
                }
                folded.assign(value.data(), value.size());
                while (syntax::is_ows(*p)) {
                    ++p;
                    const auto more = segment();
                    if (more.empty()) continue;
                    if (folded.size() + 1 + more.size() > max_folded_value) {
                        fail("response header section is larger than " +
                             std::to_string(limits.max_header_bytes) + " bytes");
                    }
                    folded.append(1, ' ').append(more);
                }
                value = folded;
            }
            on_field(name, value, ++count, line, end);
            if (is_folded) {
                out.emplace_back(std::string(name), std::move(folded));
                folded = std::string();
            } else {
                out.emplace_back(std::piecewise_construct,
                                 std::forward_as_tuple(name.data(), name.size()),
                                 std::forward_as_tuple(value.data(), value.size()));
            }
        }
    }

    // What one field means for the framing and the connection (in the head and in trailers
    // alike, as Beast did), and the limits on fields.
    void on_field(std::string_view name, std::string_view value, std::size_t count,
                  const char* line, const char* block_end) {
        const auto kind = classify(name);
        switch (kind) {
            case FramingField::connection: {
                bool close = false, keep_alive = false;
                const bool valid = syntax::for_each_list_token(value, [&](std::string_view t) {
                    close = close || syntax::token_equals(t, "close");
                    keep_alive = keep_alive || syntax::token_equals(t, "keep-alive");
                });
                if (!valid) fail_field_line(line, block_end);
                connection_close = connection_close || close;
                connection_keep_alive = connection_keep_alive || keep_alive;
                break;
            }
            case FramingField::content_length:
                on_content_length(value);
                break;
            case FramingField::transfer_encoding:
                on_transfer_encoding(value);
                break;
            case FramingField::other:
                break;
        }
        if (count > limits.max_header_count) {
            fail(std::string(header_complete ? "trailer" : "header") + " section has more than " +
                 std::to_string(limits.max_header_count) + " fields");
        }
        if (!header_complete) {
            saw_content_length = saw_content_length || kind == FramingField::content_length;
            saw_transfer_encoding =
                saw_transfer_encoding || kind == FramingField::transfer_encoding;
            // Which of the two frames the body is a matter of opinion between peers: a request
            // smuggling vector, whatever the coding.
            if (saw_content_length && saw_transfer_encoding) {
                fail("response has both Content-Length and Transfer-Encoding");
            }
        }
    }

    // Content-Length = 1#DIGIT: a list of equal lengths is one length (RFC 9110 §8.6).
    void on_content_length(std::string_view value) {
        auto invalid = [&]() {
            fail(saw_transfer_encoding
                     ? "response has both Content-Length and Transfer-Encoding"
                     : "invalid Content-Length header (not a number, or too large)");
        };
        if (chunked) invalid();
        std::uint64_t length = 0;
        if (parse_decimal(value, length)) {  // the usual case: one number
            if (content_length && *content_length != length) {
                fail("conflicting Content-Length headers");
            }
            content_length = length;
            return;
        }
        std::size_t elements =
            1 + static_cast<std::size_t>(std::count(value.begin(), value.end(), ','));
        std::size_t tokens = 0;
        bool digits_only = true;
        const bool valid = syntax::for_each_list_token(value, [&](std::string_view t) {
            ++tokens;
            std::uint64_t element = 0;
            if (!digits_only) return;
            if (!parse_decimal(t, element)) {
                digits_only = false;
                return;
            }
            if (content_length && *content_length != element) {
                fail("conflicting Content-Length headers");
            }
            content_length = element;
        });
        if (!valid || tokens == 0 || !digits_only || tokens != elements) invalid();
    }

    // Transfer-Encoding: the body is chunked when chunked is the last coding (RFC 9112 §6.3;
    // any other coding leaves the body to the end of the connection). Chunked twice is refused.
    void on_transfer_encoding(std::string_view value) {
        if (chunked) fail("invalid Transfer-Encoding header (chunked more than once)");
        if (content_length) fail("response has both Content-Length and Transfer-Encoding");
        // The list is read up to its first syntax error (as Beast's token_list did).
        bool last_is_first_chunked = false, seen_chunked = false;
        syntax::for_each_list_token(value, [&](std::string_view coding) {
            if (seen_chunked) {
                last_is_first_chunked = false;
                return;
            }
            seen_chunked = last_is_first_chunked = syntax::token_equals(coding, "chunked");
        });
        chunked = last_is_first_chunked;
    }

    // Parses a complete head. A final response moves on to its body; after an interim one the
    // parser starts over with the next head.
    void parse_head(std::string_view head) {
        const auto status_end = head.find('\n');  // the head has at least two
        parse_status_line(head.substr(0, status_end - 1));
        auto& fields = detail::HeadersAccess::items(headers);
        fields.reserve(lines_seen - 2);  // one line per field, unless some are folded
        parse_fields(head.data() + status_end + 1, head.data() + head.size(), fields);

        if (status / 100 == 1 && status != 101) {
            start_message();  // interim response: the final one follows
            return;
        }
        framing = Framing::none;
        if (head_request || status == 204 || status == 304 || status == 101) {
            // Content-Length may be present: what a GET would have returned.
        } else if (content_length) {
            if (*content_length > 0) {
                if (limits.max_body_bytes && *content_length > *limits.max_body_bytes) {
                    fail("response body is larger than " + std::to_string(*limits.max_body_bytes) +
                         " bytes");
                }
                framing = Framing::length;
                remaining = *content_length;
            }
        } else if (chunked) {
            framing = Framing::chunked;
        } else {
            framing = Framing::until_close;
        }
        header_complete = true;
        body_budget = limits.max_body_bytes;
        if (connect_request && status / 100 == 2) {
            // A tunnel, not a body: the bytes after the head belong to it.
            upgraded = true;
            framing = Framing::none;
            phase = Phase::done;
            return;
        }
        upgraded = status == 101;
        phase = framing == Framing::none ? Phase::done : Phase::body;
    }

    // ---------------------------------------------------------------- the body

    // Takes what it can of `data` (which starts where the body left off); returns the bytes
    // consumed, 0 when it needs more.
    std::size_t parse_body(std::string_view data) {
        switch (framing) {
            case Framing::length: {
                const auto n =
                    static_cast<std::size_t>(std::min<std::uint64_t>(remaining, data.size()));
                deliver(data.substr(0, n));
                remaining -= n;
                if (remaining == 0) phase = Phase::done;
                return n;
            }
            case Framing::until_close:
                spend_budget(data.size());
                deliver(data);
                return data.size();
            case Framing::chunked:
                return parse_chunked(data);
            case Framing::none:
                break;
        }
        return 0;
    }

    void spend_budget(std::uint64_t n) {
        if (!body_budget) return;
        if (n > *body_budget) {
            fail("response body is larger than " +
                 std::to_string(limits.max_body_bytes.value_or(0)) + " bytes");
        }
        *body_budget -= n;
    }

    // chunked-body = *chunk last-chunk trailer-section CRLF (RFC 9112 §7.1). A chunk-size line
    // (with the CRLF of the chunk before it) and the last chunk with its trailer section are
    // parsed only once complete, and are bounded by max_header_bytes.
    std::size_t parse_chunked(std::string_view data) {
        std::size_t used = 0;
        while (used < data.size() && phase == Phase::body) {
            const auto rest = data.substr(used);
            if (chunk_step == ChunkStep::data) {
                const auto n =
                    static_cast<std::size_t>(std::min<std::uint64_t>(remaining, rest.size()));
                deliver(rest.substr(0, n));
                remaining -= n;
                used += n;
                if (remaining == 0) {
                    chunk_step = ChunkStep::size_line;
                    expect_crlf = true;
                }
                continue;
            }
            const auto n = parse_chunk_line(rest);
            if (n == 0) break;
            used += n;
        }
        return used;
    }

    [[noreturn]] void fail_chunk(std::string_view what, std::string_view near) {
        fail(std::string(what) + " in chunked body near " + escaped(near, 32));
    }

    [[noreturn]] void fail_chunk_bound() {
        fail("chunk size line or trailer section is larger than " +
             std::to_string(limits.max_header_bytes) + " bytes");
    }

    // A chunk-size line, or the last chunk and its trailers, at the start of `data`: returns its
    // length once complete, 0 until then.
    std::size_t parse_chunk_line(std::string_view data) {
        const std::size_t start = expect_crlf ? 2 : 0;
        if (data.size() < start + 2) return wait_for_chunk_line(data);
        if (expect_crlf && (data[0] != '\r' || data[1] != '\n')) {
            fail_chunk("invalid chunk", data);
        }
        // The line ends at the first CRLF; a CR alone is not a line ending.
        const auto eol = data.find('\r', std::max(start, line_scan_from));
        if (eol == std::string_view::npos || eol + 1 == data.size()) {
            line_scan_from = eol == std::string_view::npos ? data.size() : eol;
            return wait_for_chunk_line(data);
        }
        if (data[eol + 1] != '\n') fail_chunk("invalid line ending", data);
        // chunk-size = 1*HEXDIG, at most 64 bits.
        std::uint64_t size = 0;
        std::size_t i = start;
        if (syntax::hex_value(data[i]) < 0) fail_chunk("invalid chunk", data);
        for (int digit; (digit = syntax::hex_value(data[i])) >= 0; ++i) {
            if (size > (std::numeric_limits<std::uint64_t>::max() >> 4)) {
                fail_chunk("invalid chunk", data);
            }
            size = size * 16 + static_cast<std::uint64_t>(digit);
        }
        const auto extension = data.substr(i, eol - i);
        if (size != 0) {
            if (eol + 2 > limits.max_header_bytes) fail_chunk_bound();
            spend_budget(size);
            if (!syntax::is_chunk_extension(extension)) {
                fail_chunk("invalid chunk extension", data);
            }
            chunk_step = ChunkStep::data;
            remaining = size;
            expect_crlf = false;
            line_scan_from = 0;
            return eol + 2;
        }
        // The last chunk: wait for the end of the trailer section (an empty line).
        const auto eom = data.find("\r\n\r\n", std::max(eol, trailer_scan_from));
        if (eom == std::string_view::npos) {
            trailer_scan_from = data.size() - 3;  // data.size() >= eol + 2
            return wait_for_chunk_line(data);
        }
        const auto end = eom + 4;
        if (end > limits.max_header_bytes) fail_chunk_bound();
        if (!syntax::is_chunk_extension(extension)) {
            fail_chunk("invalid chunk extension", data);
        }
        auto& fields = detail::HeadersAccess::items(trailers);
        if (end > eol + 4) {
            fields.reserve(static_cast<std::size_t>(
                std::count(data.begin() + eol + 2, data.begin() + end, '\n') - 1));
            parse_fields(data.data() + eol + 2, data.data() + end, fields);
        }
        phase = Phase::done;
        return end;
    }

    std::size_t wait_for_chunk_line(std::string_view data) {
        if (data.size() > limits.max_header_bytes) fail_chunk_bound();
        return 0;
    }

    void check_usable() const {
        if (phase == Phase::failed) {
            throw LocalProtocolError("the HTTP/1.1 response parser failed earlier");
        }
    }
};

ResponseParser::ResponseParser(std::string_view request_method, ParserLimits limits)
    : impl_(std::make_unique<Impl>()) {
    impl_->limits = limits;
    reset(request_method);
}

void ResponseParser::reset(std::string_view request_method) {
    auto& m = *impl_;
    m.head_request = request_method == "HEAD";
    m.connect_request = request_method == "CONNECT";
    m.phase = Phase::head;
    m.upgraded = false;
    m.sink = nullptr;
    m.body.clear();
    m.body_received = 0;
    m.start_message();
}

ResponseParser::~ResponseParser() = default;
ResponseParser::ResponseParser(ResponseParser&&) noexcept = default;
ResponseParser& ResponseParser::operator=(ResponseParser&&) noexcept = default;

std::size_t ResponseParser::feed(std::string_view data) {
    auto& m = *impl_;
    m.check_usable();
    std::size_t total = 0;
    try {
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
            const auto n = m.parse_body(data.substr(total));
            total += n;
            if (n == 0) break;
        }
    } catch (...) {
        m.phase = Phase::failed;  // ours (RemoteProtocolError) or the body sink's
        throw;
    }
    return total;
}

void ResponseParser::feed_eof() {
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
    if (m.framing == Framing::chunked) {
        m.fail(
            "peer closed connection without sending complete message body: "
            "incomplete chunked read");
    }
    if (m.framing == Framing::length) {
        m.fail("peer closed connection without sending complete message body: received " +
               std::to_string(m.body_received) + " bytes, expected " +
               std::to_string(*m.content_length));
    }
    m.phase = Phase::done;  // the end of a close-delimited body
}

bool ResponseParser::headers_done() const noexcept {
    return impl_->phase != Phase::head && impl_->header_complete;
}
bool ResponseParser::message_done() const noexcept {
    return impl_->phase == Phase::done;
}
bool ResponseParser::upgraded() const noexcept {
    return impl_->upgraded;
}

int ResponseParser::status_code() const noexcept {
    return headers_done() ? impl_->status : 0;
}
std::string_view ResponseParser::reason() const noexcept {
    return impl_->reason;
}

std::string ResponseParser::http_version() const {
    if (!headers_done()) return {};
    return impl_->http11 ? "HTTP/1.1" : "HTTP/1.0";
}

const httpx::Headers& ResponseParser::headers() const noexcept {
    return impl_->headers;
}
httpx::Headers ResponseParser::take_headers() noexcept {
    return std::exchange(impl_->headers, httpx::Headers{});
}
const httpx::Headers& ResponseParser::trailers() const noexcept {
    return impl_->trailers;
}

std::optional<std::uint64_t> ResponseParser::content_length() const noexcept {
    return impl_->content_length;
}

bool ResponseParser::chunked() const noexcept {
    return headers_done() && impl_->chunked;
}

void ResponseParser::set_body_sink(BodySink sink) {
    impl_->sink = std::move(sink);
}

httpx::Bytes ResponseParser::take_body() {
    return std::exchange(impl_->body, Bytes{});
}

std::uint64_t ResponseParser::identity_body_left() const noexcept {
    const auto& m = *impl_;
    if (m.phase != Phase::body) return 0;
    if (m.framing == Framing::length) return m.remaining;
    if (m.framing == Framing::until_close) return std::numeric_limits<std::uint64_t>::max();
    return 0;
}

std::size_t ResponseParser::feed_body(httpx::Bytes&& chunk) {
    auto& m = *impl_;
    m.adoptable = &chunk;
    struct Reset {
        Impl& m;
        ~Reset() { m.adoptable = nullptr; }
    } reset{m};
    return feed(chunk);
}

std::uint64_t ResponseParser::body_bytes_received() const noexcept {
    return impl_->body_received;
}

bool ResponseParser::keep_alive() const noexcept {
    const auto& m = *impl_;
    if (m.phase != Phase::done || m.upgraded || m.framing == Framing::until_close) return false;
    return m.http11 ? !m.connection_close : m.connection_keep_alive;
}

}  // namespace httpx::protocol
