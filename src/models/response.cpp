#include "httpx/response.hpp"

#include "content/decoders.hpp"
#include "content/line_decoder.hpp"
#include "content/text_decoder.hpp"
#include "httpx/exceptions.hpp"
#include "httpx/status_codes.hpp"
#include "models/response_access.hpp"

#include <deque>
#include <ostream>
#include <sstream>

namespace httpx {

struct Response::State {
    int status = 200;
    Headers headers;
    std::shared_ptr<Request> request;
    Extensions extensions;
    // A transport's "http_version" and "reason_phrase", kept out of `extensions` until someone
    // asks for the map: two map nodes and two heap std::any per response otherwise.
    std::optional<std::pair<std::string, std::string>> status_line;
    std::string default_encoding = "utf-8";
    std::optional<std::string> explicit_encoding;

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
    [[noreturn]] void rethrow_with_request(RequestError& error) const {
        if (!error.has_request() && request) error.set_request(request);
        throw;
    }
};

namespace {

// An iterator that feeds each element of `source` to `feed`, which appends outputs to a queue,
// and calls `finish` once at the end for the last outputs. The building block of
// aiter_bytes/text/lines.
template <class Out, class In>
struct Pipeline {
    AsyncIterator<In> source;
    std::function<void(In&, std::deque<Out>&)> feed;
    std::function<void(std::deque<Out>&)> finish;
    std::deque<Out> pending;
    bool done = false;

    static awaitable<std::optional<Out>> next(std::shared_ptr<Pipeline> self) {
        for (;;) {
            if (!self->pending.empty()) {
                std::optional<Out> out(std::move(self->pending.front()));
                self->pending.pop_front();
                co_return out;
            }
            if (self->done) co_return std::nullopt;
            std::optional<In> item = co_await self->source.next();
            if (item) {
                self->feed(*item, self->pending);
            } else {
                self->done = true;
                if (self->finish) self->finish(self->pending);
            }
        }
    }
};

template <class Out, class In>
AsyncIterator<Out> pipeline(AsyncIterator<In> source,
                            std::function<void(In&, std::deque<Out>&)> feed,
                            std::function<void(std::deque<Out>&)> finish) {
    auto self = std::make_shared<Pipeline<Out, In>>();
    self->source = std::move(source);
    self->feed = std::move(feed);
    self->finish = std::move(finish);
    return AsyncIterator<Out>([self] { return Pipeline<Out, In>::next(self); });
}

awaitable<std::optional<Bytes>> pop_front(std::shared_ptr<std::deque<Bytes>> pieces) {
    if (pieces->empty()) co_return std::nullopt;
    std::optional<Bytes> piece(std::move(pieces->front()));
    pieces->pop_front();
    co_return piece;
}

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

// HTTPX's _parse_header_links.
std::vector<std::map<std::string, std::string>> parse_header_links(std::string_view value) {
    constexpr std::string_view strip_chars = " '\"";
    auto strip = [](std::string_view s, std::string_view chars) {
        auto begin = s.find_first_not_of(chars);
        if (begin == std::string_view::npos) return std::string_view();
        auto end = s.find_last_not_of(chars);
        return s.substr(begin, end - begin + 1);
    };
    std::vector<std::map<std::string, std::string>> links;
    value = strip(value, strip_chars);
    if (value.empty()) return links;
    // Split on ", *<" (the '<' stays with the next link; it is stripped below anyway).
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] != ',') continue;
        std::size_t j = i + 1;
        while (j < value.size() && value[j] == ' ') ++j;
        if (j < value.size() && value[j] == '<') {
            parts.push_back(value.substr(start, i - start));
            start = j + 1;
            i = j;
        }
    }
    parts.push_back(value.substr(start));
    for (std::string_view part : parts) {
        std::map<std::string, std::string> link;
        auto semicolon = part.find(';');
        std::string_view url = part.substr(0, semicolon);
        std::string_view params =
            semicolon == std::string_view::npos ? std::string_view() : part.substr(semicolon + 1);
        link["url"] = std::string(strip(url, "<> '\""));
        while (!params.empty()) {
            auto next = params.find(';');
            std::string_view param = params.substr(0, next);
            params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
            auto eq = param.find('=');
            if (eq == std::string_view::npos || param.find('=', eq + 1) != std::string_view::npos)
                break;
            link[std::string(strip(param.substr(0, eq), strip_chars))] =
                std::string(strip(param.substr(eq + 1), strip_chars));
        }
        links.push_back(std::move(link));
    }
    return links;
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
        body = options.json->dump();
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
    const auto& s = *state_;
    if (s.explicit_encoding) return *s.explicit_encoding;
    if (auto charset = charset_encoding(); charset && content::is_known_encoding(*charset))
        return *charset;
    return s.default_encoding;
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
    std::map<std::string, std::map<std::string, std::string>> out;
    auto header = state_->headers.get("Link");
    if (!header) return out;
    for (auto& link : parse_header_links(*header)) {
        auto rel = link.find("rel");
        std::string key = rel != link.end() && !rel->second.empty() ? rel->second : link["url"];
        out[key] = std::move(link);
    }
    return out;
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
    co_await detail::ResponseAccess::read(*this);
    co_return *state_->content;
}

namespace {

// The body as the caller iterates it: the raw chunks of the stream, counted, optionally decoded
// (aiter_bytes) and re-chunked (chunk_size). An undecoded, unchunked chunk is moved through
// untouched, so that a large download is not copied again here. Decoding is pulled one bounded
// piece at a time and the next raw chunk is read only once the decoder has nothing left, so a
// decompression bomb (1.8 KiB inflating to 1 GiB) streams in constant memory.
struct BodyIterator {
    std::shared_ptr<Response::State> state;
    AsyncIterator<Bytes> source;
    std::unique_ptr<content::ContentDecoder> decoder;  // null: the raw bytes
    std::optional<content::ByteChunker> chunker;       // only with a chunk_size
    std::deque<Bytes> pending;
    bool done = false;

    void emit(Bytes bytes) {
        if (!chunker) {
            if (!bytes.empty()) pending.push_back(std::move(bytes));
            return;
        }
        for (auto& piece : chunker->decode(bytes)) pending.push_back(std::move(piece));
    }

    // One bounded piece of decoded output: false when the decoder needs more input.
    bool decode_some() {
        try {
            const std::string_view piece = decoder->pull();
            if (piece.empty()) return false;
            emit(Bytes(piece));
            return true;
        } catch (RequestError& e) {
            state->rethrow_with_request(e);
        }
    }

    void push(std::string_view raw) {
        try {
            decoder->push(raw);
        } catch (RequestError& e) {
            state->rethrow_with_request(e);
        }
    }

    void finish() {
        done = true;
        if (decoder) {
            try {
                decoder->finish();
            } catch (RequestError& e) {
                state->rethrow_with_request(e);
            }
        }
        if (chunker)
            for (auto& piece : chunker->flush()) pending.push_back(std::move(piece));
        state->close();
    }

    static awaitable<std::optional<Bytes>> next(std::shared_ptr<BodyIterator> self) {
        for (;;) {
            if (!self->pending.empty()) {
                std::optional<Bytes> out(std::move(self->pending.front()));
                self->pending.pop_front();
                co_return out;
            }
            if (self->done) co_return std::nullopt;
            if (self->decoder && self->decode_some()) continue;
            // Reading on after `aclose()` must neither download the rest of the body nor end
            // quietly as if it were complete.
            if (self->state->is_closed) throw StreamClosed();
            std::optional<Bytes> raw = co_await self->source.next();
            if (self->state->is_closed) throw StreamClosed();  // closed while the read waited
            if (!raw) {
                self->finish();
                continue;
            }
            self->state->num_bytes_downloaded += raw->size();
            if (!self->decoder && !self->chunker) co_return raw;
            if (self->decoder)
                self->push(*raw);
            else
                self->emit(std::move(*raw));
        }
    }
};

// The decoder for the response's Content-Encoding, or null for none (identity).
std::unique_ptr<content::ContentDecoder> decoder_for(const Headers& headers) {
    auto coding = headers.get("Content-Encoding");
    if (!coding) return nullptr;
    auto decoder = content::make_content_decoder(*coding);
    if (decoder->passes_through()) return nullptr;
    return decoder;
}

AsyncIterator<Bytes> iterate_body(const std::shared_ptr<Response::State>& state, bool decode,
                                  std::optional<std::size_t> chunk_size) {
    auto& s = *state;
    if (s.is_stream_consumed) throw StreamConsumed();
    if (s.is_closed || !s.stream) throw StreamClosed();
    auto self = std::make_shared<BodyIterator>();
    if (chunk_size) self->chunker.emplace(chunk_size);
    if (decode) self->decoder = decoder_for(s.headers);
    s.is_stream_consumed = true;
    self->state = state;
    self->source = s.stream->aiter();
    return AsyncIterator<Bytes>([self] { return BodyIterator::next(self); });
}

}  // namespace

AsyncIterator<Bytes> Response::aiter_raw(std::optional<std::size_t> chunk_size) {
    return iterate_body(state_, false, chunk_size);
}

AsyncIterator<Bytes> Response::aiter_bytes(std::optional<std::size_t> chunk_size) {
    auto state = state_;
    if (state->content) {
        // Already read: re-chunk the content (HTTPX yields it whole by default).
        auto pieces = std::make_shared<std::deque<Bytes>>();
        const Bytes& body = *state->content;
        std::size_t size = chunk_size ? std::max<std::size_t>(*chunk_size, 1) : body.size();
        for (std::size_t i = 0; i < body.size(); i += size) pieces->push_back(body.substr(i, size));
        return AsyncIterator<Bytes>([pieces] { return pop_front(pieces); });
    }
    return iterate_body(state, true, chunk_size);
}

AsyncIterator<std::string> Response::aiter_text(std::optional<std::size_t> chunk_size) {
    auto decoder = std::make_shared<content::TextDecoder>(encoding());
    auto chunker = std::make_shared<content::TextChunker>(chunk_size);
    return pipeline<std::string, Bytes>(
        aiter_bytes(),
        [decoder, chunker](Bytes& bytes, std::deque<std::string>& out) {
            for (auto& piece : chunker->decode(decoder->decode(bytes)))
                out.push_back(std::move(piece));
        },
        [decoder, chunker](std::deque<std::string>& out) {
            for (auto& piece : chunker->decode(decoder->flush())) out.push_back(std::move(piece));
            for (auto& piece : chunker->flush()) out.push_back(std::move(piece));
        });
}

AsyncIterator<std::string> Response::aiter_lines() {
    auto decoder = std::make_shared<content::LineDecoder>();
    return pipeline<std::string, std::string>(
        aiter_text(),
        [decoder](std::string& text, std::deque<std::string>& out) {
            for (auto& line : decoder->decode(text)) out.push_back(std::move(line));
        },
        [decoder](std::deque<std::string>& out) {
            for (auto& line : decoder->flush()) out.push_back(std::move(line));
        });
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

void ResponseAccess::set_default_encoding(Response& response, std::string encoding) {
    response.state_->default_encoding = std::move(encoding);
}

void ResponseAccess::set_request(Response& response, std::shared_ptr<Request> request) {
    response.state_->request = std::move(request);
}

awaitable<void> ResponseAccess::read(Response& response) {
    auto state = response.state_;
    if (state->content) co_return;
    // Nothing to decode (the common case): the raw chunks, without a body iterator.
    const bool raw = !state->headers.contains("Content-Encoding");
    AsyncIterator<Bytes> chunks;
    if (raw) {
        if (state->is_stream_consumed) throw StreamConsumed();
        if (state->is_closed || !state->stream) throw StreamClosed();
        state->is_stream_consumed = true;
        chunks = state->stream->aiter();
    } else {
        chunks = response.aiter_bytes();
    }
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
