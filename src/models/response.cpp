#include "httpx/response.hpp"

#include "content/body_iterator.hpp"
#include "content/decoders.hpp"
#include "content/encoders.hpp"
#include "content/line_decoder.hpp"
#include "content/text_decoder.hpp"
#include "httpx/exceptions.hpp"
#include "httpx/network_stream.hpp"
#include "httpx/status_codes.hpp"
#include "models/link_header.hpp"
#include "models/response_access.hpp"
#include "support/sync_driver.hpp"

#include <deque>
#include <ostream>
#include <sstream>
#include <variant>

namespace httpx {

struct Response::State final : content::BodyOwner {
    int status = 200;
    Headers headers;
    std::shared_ptr<Request> request;
    Extensions extensions;
    // A transport's "http_version" and "reason_phrase", kept out of `extensions` until someone
    // asks for the map: two map nodes and two heap std::any per response otherwise.
    std::optional<std::pair<std::string, std::string>> status_line;
    // The connection's TLS facts, copied into `extensions` as "tls" when someone asks for it.
    std::shared_ptr<const TLSInfo> tls;
    // A detector is replaced by its answer once it has seen the body.
    DefaultEncoding default_encoding = "utf-8";
    std::optional<std::string> explicit_encoding;

    // Set on the responses an httpx::Client returns: its loop, which the sync iterators drive.
    // Before `stream`: destroyed after it (and it may own the whole temporary client of
    // httpx::stream()).
    std::shared_ptr<detail::SyncDriver> driver;
    std::optional<Bytes> content;           // the decoded body, once read
    std::optional<std::string> text;        // cache of text()
    std::optional<AsyncByteStream> stream;  // the raw body while not read
    bool is_stream_consumed = false;
    bool is_closed = false;
    std::uint64_t num_bytes_downloaded = 0;

    std::optional<std::chrono::steady_clock::time_point> started;
    std::optional<std::chrono::steady_clock::duration> elapsed;
    std::vector<Response> history;
    // Only a redirect not followed has one: out of line, so that every other response's state
    // is a Request smaller (it is allocated, and written, for every response).
    std::unique_ptr<std::optional<Request>> next_request;

    void close() {
        if (is_closed) return;
        is_closed = true;
        if (started && !elapsed) elapsed = std::chrono::steady_clock::now() - *started;
        if (stream) stream->close();
    }
    ~State() { close(); }

    // Raises `error` with this response's request attached, as HTTPX's request_context does.
    void attach_request(RequestError& error) const override {
        if (!error.has_request() && request) error.set_request(request);
    }
    // Raises `error` with this response's request attached.
    [[noreturn]] void rethrow_with_request(RequestError& error) const {
        attach_request(error);
        throw;
    }

    bool body_closed() const noexcept override { return is_closed; }
    void body_received(std::size_t n) noexcept override { num_bytes_downloaded += n; }
    void body_finished() override { close(); }

    // The loop a sync form runs on: the client's, or a private one for a body in memory.
    // Throws as HTTPX's sync iterators do on an async stream.
    std::shared_ptr<detail::SyncDriver> sync_driver() const {
        if (driver) return driver;
        if (!content) {
            if (is_stream_consumed) throw StreamConsumed();
            if (is_closed) throw StreamClosed();
            throw std::logic_error("Attempted to call a sync iterator on an async stream.");
        }
        return std::make_shared<detail::SyncDriver>();
    }
    // The check of the async forms: not on the unread body of an httpx::Client's response.
    void require_async() const {
        if (driver && !content && !is_stream_consumed && !is_closed)
            throw std::logic_error("Attempted to call an async iterator on a sync stream.");
    }

    // The raw body's chunks, for reading them once (aiter_raw, aiter_bytes, read).
    AsyncIterator<Bytes> take_stream() {
        if (is_stream_consumed) throw StreamConsumed();
        if (is_closed || !stream) throw StreamClosed();
        is_stream_consumed = true;
        return stream->aiter();
    }
};

namespace {

// Python's json.detect_encoding, which json.loads(bytes) uses: UTF-8, -16 or -32, told by a BOM
// or by where the zero bytes are in the first characters (JSON text starts with ASCII).
std::string_view detect_json_encoding(std::string_view b) {
    using namespace std::string_view_literals;
    if (b.starts_with("\x00\x00\xFE\xFF"sv) || b.starts_with("\xFF\xFE\x00\x00"sv)) return "utf-32";
    if (b.starts_with("\xFE\xFF"sv) || b.starts_with("\xFF\xFE"sv)) return "utf-16";
    if (b.starts_with("\xEF\xBB\xBF"sv)) return "utf-8";
    if (b.size() >= 4) {
        if (b[0] == '\0') return b[1] != '\0' ? "utf-16-be" : "utf-32-be";
        if (b[1] == '\0') return b[2] != '\0' || b[3] != '\0' ? "utf-16-le" : "utf-32-le";
    } else if (b.size() == 2) {
        if (b[0] == '\0') return "utf-16-be";
        if (b[1] == '\0') return "utf-16-le";
    }
    return "utf-8";
}

}  // namespace

Response::Response(int status_code, ResponseOptions options) : state_(std::make_shared<State>()) {
    auto& s = *state_;
    s.status = status_code;
    s.headers = std::move(options.headers);
    s.extensions = std::move(options.extensions);
    s.default_encoding = std::move(options.default_encoding);
    if (options.request) s.request = std::make_shared<Request>(std::move(*options.request));

    if (options.stream) {
        s.stream = std::move(options.stream);
        return;
    }
    // HTTPX's encode_response, then read at once: an in-memory body is decoded immediately.
    Bytes body;
    Headers defaults;
    if (options.content) {
        body = std::move(*options.content);
    } else if (options.text) {
        body = std::move(*options.text);
        defaults.set("Content-Type", "text/plain; charset=utf-8");
    } else if (options.html) {
        body = std::move(*options.html);
        defaults.set("Content-Type", "text/html; charset=utf-8");
    } else if (options.json) {
        body = content::encode_json_option(options.json);  // as HTTPX: the request's encoder
        defaults.set("Content-Type", "application/json");
    }
    if (!body.empty()) defaults.set("Content-Length", std::to_string(body.size()));
    for (const auto& [name, value] : defaults)
        if (!s.headers.contains(name)) s.headers.add(name, value);

    s.num_bytes_downloaded = body.size();
    try {
        s.content = content::decode_content(s.headers.get("Content-Encoding").value_or(""), body);
    } catch (RequestError& e) {
        s.rethrow_with_request(e);
    }
    s.is_stream_consumed = true;
    s.is_closed = true;
}

int Response::status_code() const noexcept {
    return state_->status;
}

std::string Response::reason_phrase() const {
    if (state_->status_line) return state_->status_line->second;
    if (auto it = state_->extensions.find("reason_phrase"); it != state_->extensions.end()) {
        if (auto* phrase = std::any_cast<std::string>(&it->second)) return *phrase;
    }
    return std::string(codes::get_reason_phrase(state_->status));
}

std::string Response::http_version() const {
    if (state_->status_line) return state_->status_line->first;
    if (auto it = state_->extensions.find("http_version"); it != state_->extensions.end()) {
        if (auto* version = std::any_cast<std::string>(&it->second)) return *version;
    }
    return "HTTP/1.1";
}

Headers& Response::headers() noexcept {
    return state_->headers;
}
const Headers& Response::headers() const noexcept {
    return state_->headers;
}

const URL& Response::url() const {
    return request().url();
}

const Request& Response::request() const {
    if (!state_->request)
        throw std::logic_error("The request instance has not been set on this response.");
    return *state_->request;
}

bool Response::has_request() const noexcept {
    return state_->request != nullptr;
}

void Response::set_request(Request request) {
    state_->request = std::make_shared<Request>(std::move(request));
}

Extensions& Response::extensions() noexcept {
    auto& s = *state_;
    if (s.status_line) {
        // From now on the map is the truth (the caller may change it).
        auto [version, reason] = std::move(*s.status_line);
        s.status_line.reset();
        s.extensions.try_emplace("http_version", std::move(version));
        s.extensions.try_emplace("reason_phrase", std::move(reason));
    }
    if (s.tls) s.extensions.try_emplace("tls", TLSInfo(*std::exchange(s.tls, nullptr)));
    return s.extensions;
}

const Bytes& Response::content() const {
    if (!state_->content) throw ResponseNotRead();
    return *state_->content;
}

const std::string& Response::text() const {
    auto& s = *state_;
    if (!s.text) {
        const Bytes& body = content();
        s.text = body.empty() ? std::string() : content::decode_text(body, encoding());
    }
    return *s.text;
}

nlohmann::json Response::json() const {
    // As HTTPX's json.loads(self.content): the Content-Type charset plays no part.
    const Bytes& body = content();
    const std::string_view encoding = detect_json_encoding(body);
    if (encoding == "utf-8") return nlohmann::json::parse(body);  // a UTF-8 BOM is skipped
    return nlohmann::json::parse(content::decode_text(body, encoding));
}

std::string Response::encoding() const {
    auto& s = *state_;
    if (s.explicit_encoding) return *s.explicit_encoding;
    if (auto charset = charset_encoding(); charset && content::is_known_encoding(*charset))
        return *charset;
    if (auto* name = std::get_if<std::string>(&s.default_encoding)) return *name;
    // HTTPX's callable default_encoding: it needs the whole body, so "utf-8" until then.
    if (!s.content) return "utf-8";
    const EncodingDetector& detect = std::get<EncodingDetector>(s.default_encoding);
    std::string detected = detect ? detect(*s.content) : std::string();
    if (detected.empty()) detected = "utf-8";
    s.default_encoding = detected;
    return detected;
}

void Response::set_encoding(std::string encoding) {
    if (state_->text)
        throw std::logic_error("Setting encoding after `text` has been accessed is not allowed.");
    state_->explicit_encoding = std::move(encoding);
}

std::optional<std::string> Response::charset_encoding() const {
    auto content_type = state_->headers.get("Content-Type");
    if (!content_type) return std::nullopt;
    return content::parse_content_type_charset(*content_type);
}

bool Response::is_informational() const noexcept {
    return codes::is_informational(state_->status);
}
bool Response::is_success() const noexcept {
    return codes::is_success(state_->status);
}
bool Response::is_redirect() const noexcept {
    return codes::is_redirect(state_->status);
}
bool Response::is_client_error() const noexcept {
    return codes::is_client_error(state_->status);
}
bool Response::is_server_error() const noexcept {
    return codes::is_server_error(state_->status);
}
bool Response::is_error() const noexcept {
    return codes::is_error(state_->status);
}

bool Response::has_redirect_location() const {
    int s = state_->status;
    bool redirect_status = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
    return redirect_status && state_->headers.contains("Location");
}

const Response& Response::raise_for_status() const {
    if (!state_->request)
        throw std::logic_error(
            "Cannot call `raise_for_status` as the request instance has not been set on this "
            "response.");
    if (is_success()) return *this;
    const char* kind = "Invalid status code";
    switch (state_->status / 100) {
        case 1:
            kind = "Informational response";
            break;
        case 3:
            kind = "Redirect response";
            break;
        case 4:
            kind = "Client error";
            break;
        case 5:
            kind = "Server error";
            break;
    }
    std::ostringstream message;
    message << kind << " '" << state_->status << " " << reason_phrase() << "' for url '"
            << url().str() << "'\n";
    if (has_redirect_location())
        message << "Redirect location: '" << *state_->headers.get("Location") << "'\n";
    message
        << "For more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/"
        << state_->status;
    throw HTTPStatusError(message.str(), state_->request, std::make_shared<const Response>(*this));
}

std::chrono::steady_clock::duration Response::elapsed() const {
    if (!state_->elapsed)
        throw std::logic_error(
            "'.elapsed' may only be accessed after the response has been read or closed.");
    return *state_->elapsed;
}

void Response::set_elapsed(std::chrono::steady_clock::duration elapsed) {
    state_->elapsed = elapsed;
}

const std::vector<Response>& Response::history() const noexcept {
    return state_->history;
}
void Response::set_history(std::vector<Response> history) {
    state_->history = std::move(history);
}

const std::optional<Request>& Response::next_request() const noexcept {
    static const std::optional<Request> none;
    return state_->next_request ? *state_->next_request : none;
}
void Response::set_next_request(std::optional<Request> request) {
    if (state_->next_request)
        *state_->next_request = std::move(request);
    else if (request)
        state_->next_request = std::make_unique<std::optional<Request>>(std::move(request));
}

Cookies Response::cookies() const {
    Cookies cookies;
    cookies.extract_cookies(url(), state_->headers);
    return cookies;
}

std::map<std::string, std::map<std::string, std::string>> Response::links() const {
    auto header = state_->headers.get("Link");
    if (!header) return {};
    return detail::links_by_rel(*header);
}

std::uint64_t Response::num_bytes_downloaded() const noexcept {
    return state_->num_bytes_downloaded;
}
bool Response::is_closed() const noexcept {
    return state_->is_closed;
}
bool Response::is_stream_consumed() const noexcept {
    return state_->is_stream_consumed;
}

awaitable<Bytes> Response::aread() {
    state_->require_async();
    co_await detail::ResponseAccess::read(*this);
    co_return *state_->content;
}

namespace {

AsyncIterator<Bytes> iterate_body(const std::shared_ptr<Response::State>& state, bool decode,
                                  std::optional<std::size_t> chunk_size) {
    AsyncIterator<Bytes> source = state->take_stream();
    auto decoder = decode ? content::decoder_for(state->headers) : nullptr;
    return content::iterate_body(state, std::move(source), std::move(decoder), chunk_size);
}

// A sync iterator: each step runs the async one's next() on `driver`.
template <class T>
Iterator<T> run_each(std::shared_ptr<detail::SyncDriver> driver, AsyncIterator<T> source) {
    auto shared = std::make_shared<AsyncIterator<T>>(std::move(source));
    return Iterator<T>(
        [driver = std::move(driver), shared] { return driver->run(shared->next()); });
}

}  // namespace

AsyncIterator<Bytes> Response::raw_chunks(std::optional<std::size_t> chunk_size) {
    return iterate_body(state_, false, chunk_size);
}

AsyncIterator<Bytes> Response::bytes_chunks(std::optional<std::size_t> chunk_size) {
    auto state = state_;
    if (state->content) {
        // Already read: re-chunk the content (HTTPX yields it whole by default).
        return content::iterate_in_memory(*state->content, chunk_size);
    }
    return iterate_body(state, true, chunk_size);
}

AsyncIterator<std::string> Response::text_chunks(std::optional<std::size_t> chunk_size) {
    auto decoder = std::make_shared<content::TextDecoder>(encoding());
    auto chunker = std::make_shared<content::TextChunker>(chunk_size);
    return content::Pipeline<std::string, Bytes>::make(
        bytes_chunks(std::nullopt),
        [decoder, chunker](Bytes& bytes, std::deque<std::string>& out) {
            for (auto& piece : chunker->decode(decoder->decode(bytes)))
                out.push_back(std::move(piece));
        },
        [decoder, chunker](std::deque<std::string>& out) {
            for (auto& piece : chunker->decode(decoder->flush())) out.push_back(std::move(piece));
            for (auto& piece : chunker->flush()) out.push_back(std::move(piece));
        });
}

AsyncIterator<std::string> Response::line_chunks() {
    auto decoder = std::make_shared<content::LineDecoder>();
    return content::Pipeline<std::string, std::string>::make(
        text_chunks(std::nullopt),
        [decoder](std::string& text, std::deque<std::string>& out) {
            for (auto& line : decoder->decode(text)) out.push_back(std::move(line));
        },
        [decoder](std::deque<std::string>& out) {
            for (auto& line : decoder->flush()) out.push_back(std::move(line));
        });
}

AsyncIterator<Bytes> Response::aiter_raw(std::optional<std::size_t> chunk_size) {
    state_->require_async();
    return raw_chunks(chunk_size);
}

AsyncIterator<Bytes> Response::aiter_bytes(std::optional<std::size_t> chunk_size) {
    state_->require_async();
    return bytes_chunks(chunk_size);
}

AsyncIterator<std::string> Response::aiter_text(std::optional<std::size_t> chunk_size) {
    state_->require_async();
    return text_chunks(chunk_size);
}

AsyncIterator<std::string> Response::aiter_lines() {
    state_->require_async();
    return line_chunks();
}

const Bytes& Response::read() {
    if (state_->content) return *state_->content;
    state_->sync_driver()->run(detail::ResponseAccess::read(*this));
    return *state_->content;
}

Iterator<Bytes> Response::iter_raw(std::optional<std::size_t> chunk_size) {
    auto driver = state_->sync_driver();
    return run_each(std::move(driver), raw_chunks(chunk_size));
}

Iterator<Bytes> Response::iter_bytes(std::optional<std::size_t> chunk_size) {
    auto driver = state_->sync_driver();
    return run_each(std::move(driver), bytes_chunks(chunk_size));
}

Iterator<std::string> Response::iter_text(std::optional<std::size_t> chunk_size) {
    auto driver = state_->sync_driver();
    return run_each(std::move(driver), text_chunks(chunk_size));
}

Iterator<std::string> Response::iter_lines() {
    auto driver = state_->sync_driver();
    return run_each(std::move(driver), line_chunks());
}

awaitable<void> Response::aclose() {
    close();
    co_return;
}

void Response::close() {
    state_->close();
}

std::ostream& operator<<(std::ostream& os, const Response& response) {
    return os << "<Response [" << response.status_code() << " " << response.reason_phrase() << "]>";
}

namespace detail {

void ResponseAccess::start_elapsed_clock(Response& response,
                                         std::chrono::steady_clock::time_point start) {
    response.state_->started = start;
    if (response.state_->is_closed && !response.state_->elapsed)
        response.state_->elapsed = std::chrono::steady_clock::now() - start;
}

Response ResponseAccess::streamed(int status, Headers headers, AsyncByteStream stream,
                                  std::string http_version, std::string reason_phrase) {
    auto state = std::make_shared<Response::State>();
    state->status = status;
    state->headers = std::move(headers);
    state->stream.emplace(std::move(stream));
    state->status_line.emplace(std::move(http_version), std::move(reason_phrase));
    return Response(std::move(state));
}

void ResponseAccess::set_status_line(Response& response, std::string http_version,
                                     std::string reason_phrase) {
    auto& s = *response.state_;
    if (s.extensions.contains("http_version") || s.extensions.contains("reason_phrase")) {
        s.extensions.insert_or_assign("http_version", std::move(http_version));
        s.extensions.insert_or_assign("reason_phrase", std::move(reason_phrase));
        return;
    }
    s.status_line.emplace(std::move(http_version), std::move(reason_phrase));
}

void ResponseAccess::set_tls_info(Response& response, std::shared_ptr<const TLSInfo> info) {
    response.state_->tls = std::move(info);
}

void ResponseAccess::set_default_encoding(Response& response, const DefaultEncoding& encoding) {
    response.state_->default_encoding = encoding;
}

void ResponseAccess::set_sync_driver(Response& response, std::shared_ptr<SyncDriver> driver) {
    response.state_->driver = std::move(driver);
}

void ResponseAccess::set_request(Response& response, std::shared_ptr<Request> request) {
    response.state_->request = std::move(request);
}

awaitable<void> ResponseAccess::read(Response& response) {
    auto state = response.state_;
    if (state->content) co_return;
    // Nothing to decode (the common case): the raw chunks, without a body iterator.
    const bool raw = !state->headers.contains("Content-Encoding");
    AsyncIterator<Bytes> chunks = raw ? state->take_stream() : response.bytes_chunks(std::nullopt);
    Bytes body;
    for (;;) {
        std::optional<Bytes> chunk = co_await chunks.next();
        if (raw && state->is_closed) throw StreamClosed();  // closed while the read waited
        if (!chunk) break;
        if (raw) state->num_bytes_downloaded += chunk->size();
        if (body.empty())
            body = std::move(*chunk);  // most bodies arrive in one chunk: no copy
        else
            body += *chunk;
    }
    if (raw) state->close();
    state->content = std::move(body);
}

}  // namespace detail

}  // namespace httpx
