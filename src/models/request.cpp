#include "httpx/request.hpp"

#include "content/encoders.hpp"
#include "content/multipart.hpp"
#include "httpx/exceptions.hpp"
#include "models/headers_access.hpp"

#include <ostream>

namespace httpx {

namespace {

// ASCII only, whatever the C locale: a method is a token.
std::string upper(std::string_view method) {
    std::string out(method);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

// The body and the headers describing it, as HTTPX's encode_request: content > files (+data)
// > data > json > nothing. No stream for no body: the Request's own empty one stays (a
// default AsyncByteStream allocates its state).
struct EncodedBody {
    std::optional<AsyncByteStream> stream;
    Headers headers;
};

EncodedBody encode_request_body(const RequestOptions& options, const Headers& user_headers) {
    EncodedBody out;
    auto set_length = [&](std::optional<std::uint64_t> length) {
        if (length) {
            if (*length > 0) out.headers.set("Content-Length", std::to_string(*length));
        } else {
            out.headers.set("Transfer-Encoding", "chunked");
        }
    };
    if (options.content) {
        out.stream = *options.content;
        set_length(out.stream->length());
    } else if (!options.files.empty()) {
        std::vector<std::pair<std::string, content::MultipartFile>> files;
        files.reserve(options.files.size());
        for (const auto& [name, file] : options.files) {
            content::MultipartFile part;
            part.filename = file.filename;
            part.content = file.content.value();
            part.content_type = file.content_type;
            part.headers = file.headers.multi_items();
            files.emplace_back(name, std::move(part));
        }
        // A boundary given by the caller in Content-Type is used, and that header kept as is
        // (HTTPX #2278): encoder headers only fill in what the caller did not set.
        std::optional<std::string> boundary;
        if (auto type = user_headers.get("Content-Type"))
            boundary = content::multipart_boundary_from_content_type(*type);
        auto body = content::encode_multipart(options.data, files, boundary);
        out.stream = std::move(body.stream);
        out.headers.set("Content-Type", body.content_type);
        if (body.length)
            out.headers.set("Content-Length", std::to_string(*body.length));
        else
            out.headers.set("Transfer-Encoding", "chunked");
    } else if (!options.data.empty()) {
        out.stream = AsyncByteStream(content::encode_urlencoded_form(options.data));
        set_length(out.stream->length());
        out.headers.set("Content-Type", "application/x-www-form-urlencoded");
    } else if (options.json) {
        out.stream = AsyncByteStream(content::encode_json_option(options.json));
        set_length(out.stream->length());
        out.headers.set("Content-Type", "application/json");
    }
    return out;
}

}  // namespace

File File::from_path(std::filesystem::path path, std::optional<std::string> content_type) {
    File file;
    file.filename = path.filename().string();
    file.content = std::move(path);
    file.content_type = std::move(content_type);
    return file;
}

Request::Request(std::string_view method, URL url, RequestOptions options)
    : method_(upper(method)),
      url_(options.params ? url.copy_with({.params = std::move(options.params)}) : std::move(url)),
      headers_(std::move(options.headers)),
      extensions_(std::move(options.extensions)) {
    if (options.content || !options.files.empty() || !options.data.empty() || options.json) {
        auto body = encode_request_body(options, headers_);
        if (body.stream) stream_ = std::move(*body.stream);

        // HTTPX's _prepare: the encoder's headers fill in what the caller did not set, except
        // that an explicit Content-Length suppresses Transfer-Encoding.
        for (const auto& [name, value] : body.headers) {
            if (iequals(name, "Transfer-Encoding") && headers_.contains("Content-Length")) continue;
            if (!headers_.contains(name)) headers_.add(name, value);
        }
    }
    // The cookies that apply to this URL (domain and path), as HTTPX's jar policy does.
    if (!options.cookies.empty() && !headers_.contains("Cookie")) {
        std::string cookie_header = options.cookies.cookie_header_for(url_);
        if (!cookie_header.empty()) headers_.set("Cookie", std::move(cookie_header));
    }
    // HTTPX's auto headers go in front of all others: Host, then Content-Length: 0 for a
    // body-less POST/PUT/PATCH. Inserted in place: the other fields move, never get copied.
    auto& items = detail::HeadersAccess::items(headers_);
    std::ptrdiff_t front = 0;
    if (!headers_.contains("Host") && !url_.raw_host().empty())
        items.emplace(items.begin() + front++, "Host", url_.netloc());
    if ((method_ == "POST" || method_ == "PUT" || method_ == "PATCH") &&
        !headers_.contains("Content-Length") && !headers_.contains("Transfer-Encoding")) {
        items.emplace(items.begin() + front++, "Content-Length", "0");
    }
}

Request Request::from_parts(std::string_view method, URL url, Headers headers,
                            AsyncByteStream stream, Extensions extensions) {
    Request request;
    request.method_ = upper(method);
    request.url_ = std::move(url);
    request.headers_ = std::move(headers);
    request.stream_ = std::move(stream);
    request.extensions_ = std::move(extensions);
    return request;
}

void Request::set_method(std::string_view method) {
    method_ = upper(method);
}

const Bytes& Request::content() const {
    if (const Bytes* buffer = stream_.buffer()) return *buffer;
    throw RequestNotRead();
}

awaitable<Bytes> Request::aread() {
    if (const Bytes* buffer = stream_.buffer()) co_return *buffer;
    Bytes body = co_await stream_.aread();
    stream_ = AsyncByteStream(body);
    co_return body;
}

std::ostream& operator<<(std::ostream& os, const Request& request) {
    return os << "<Request('" << request.method() << "', '" << request.url().str() << "')>";
}

}  // namespace httpx
