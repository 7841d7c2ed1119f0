#include "content/multipart.hpp"

#include "content/file_body.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <random>
#include <stdexcept>

namespace httpx::content {

namespace {

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

// `name="value"` with HTML5 form escaping: '"' -> %22, '\' -> '\\', C0 controls except ESC
// percent-encoded.
void append_form_param(std::string& out, std::string_view name, std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    out.append(name);
    out.append("=\"");
    for (char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"') {
            out.append("%22");
        } else if (c == '\\') {
            out.append("\\\\");
        } else if (c <= 0x1F && c != 0x1B) {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0x0F]);
        } else {
            out.push_back(ch);
        }
    }
    out.push_back('"');
}

using Segment = std::variant<Bytes, AsyncByteStream>;
using Segments = std::vector<Segment>;

// Appends literal bytes, merging with a preceding literal so that small parts go out together.
void append_literal(Segments& segments, std::string_view bytes) {
    if (bytes.empty()) return;
    if (segments.empty() || !std::holds_alternative<Bytes>(segments.back())) {
        segments.emplace_back(Bytes());
    }
    std::get<Bytes>(segments.back()).append(bytes);
}

// One iteration over the segments; a fresh one per replay.
class Reader {
public:
    explicit Reader(std::shared_ptr<const Segments> segments) : segments_(std::move(segments)) {}

    static awaitable<std::optional<Bytes>> next(std::shared_ptr<Reader> self) {
        auto& r = *self;
        while (r.index_ < r.segments_->size()) {
            const Segment& segment = (*r.segments_)[r.index_];
            if (const auto* bytes = std::get_if<Bytes>(&segment)) {
                ++r.index_;
                co_return *bytes;
            }
            const auto& stream = std::get<AsyncByteStream>(segment);
            if (!r.inner_) r.inner_ = stream.aiter();
            if (auto chunk = co_await r.inner_->next()) co_return chunk;
            r.inner_.reset();
            ++r.index_;
        }
        co_return std::nullopt;
    }

private:
    std::shared_ptr<const Segments> segments_;
    std::size_t index_ = 0;
    std::optional<AsyncIterator<Bytes>> inner_;
};

std::string random_boundary() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::random_device device;
    std::string out;
    for (int i = 0; i < 16; ++i) {
        const auto byte = static_cast<unsigned>(device()) & 0xFF;
        out.push_back(kHex[byte >> 4]);
        out.push_back(kHex[byte & 0x0F]);
    }
    return out;
}

struct MimeEntry {
    std::string_view extension;
    std::string_view type;
};

// Python's mimetypes defaults, plus common types Debian's /etc/mime.types adds.
constexpr std::array kMimeTypes = {
    MimeEntry{".3gp", "audio/3gpp"},
    MimeEntry{".7z", "application/x-7z-compressed"},
    MimeEntry{".aac", "audio/aac"},
    MimeEntry{".avi", "video/x-msvideo"},
    MimeEntry{".avif", "image/avif"},
    MimeEntry{".bin", "application/octet-stream"},
    MimeEntry{".bmp", "image/bmp"},
    MimeEntry{".c", "text/plain"},
    MimeEntry{".css", "text/css"},
    MimeEntry{".csv", "text/csv"},
    MimeEntry{".doc", "application/msword"},
    MimeEntry{".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    MimeEntry{".eml", "message/rfc822"},
    MimeEntry{".eps", "application/postscript"},
    MimeEntry{".epub", "application/epub+zip"},
    MimeEntry{".exe", "application/octet-stream"},
    MimeEntry{".flac", "audio/flac"},
    MimeEntry{".gif", "image/gif"},
    MimeEntry{".h", "text/plain"},
    MimeEntry{".heic", "image/heic"},
    MimeEntry{".htm", "text/html"},
    MimeEntry{".html", "text/html"},
    MimeEntry{".ico", "image/vnd.microsoft.icon"},
    MimeEntry{".ics", "text/calendar"},
    MimeEntry{".jar", "application/java-archive"},
    MimeEntry{".jpe", "image/jpeg"},
    MimeEntry{".jpeg", "image/jpeg"},
    MimeEntry{".jpg", "image/jpeg"},
    MimeEntry{".js", "text/javascript"},
    MimeEntry{".json", "application/json"},
    MimeEntry{".m4a", "audio/mp4"},
    MimeEntry{".md", "text/markdown"},
    MimeEntry{".mjs", "text/javascript"},
    MimeEntry{".mkv", "video/x-matroska"},
    MimeEntry{".mov", "video/quicktime"},
    MimeEntry{".mp3", "audio/mpeg"},
    MimeEntry{".mp4", "video/mp4"},
    MimeEntry{".mpeg", "video/mpeg"},
    MimeEntry{".mpg", "video/mpeg"},
    MimeEntry{".odp", "application/vnd.oasis.opendocument.presentation"},
    MimeEntry{".ods", "application/vnd.oasis.opendocument.spreadsheet"},
    MimeEntry{".odt", "application/vnd.oasis.opendocument.text"},
    MimeEntry{".oga", "audio/ogg"},
    MimeEntry{".ogg", "audio/ogg"},
    MimeEntry{".ogv", "video/ogg"},
    MimeEntry{".opus", "audio/opus"},
    MimeEntry{".otf", "font/otf"},
    MimeEntry{".pdf", "application/pdf"},
    MimeEntry{".png", "image/png"},
    MimeEntry{".ppt", "application/vnd.ms-powerpoint"},
    MimeEntry{".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    MimeEntry{".ps", "application/postscript"},
    MimeEntry{".py", "text/x-python"},
    MimeEntry{".rar", "application/vnd.rar"},
    MimeEntry{".rtf", "application/rtf"},
    MimeEntry{".sh", "application/x-sh"},
    MimeEntry{".svg", "image/svg+xml"},
    MimeEntry{".tar", "application/x-tar"},
    MimeEntry{".tif", "image/tiff"},
    MimeEntry{".tiff", "image/tiff"},
    MimeEntry{".tsv", "text/tab-separated-values"},
    MimeEntry{".ttf", "font/ttf"},
    MimeEntry{".txt", "text/plain"},
    MimeEntry{".vcf", "text/x-vcard"},
    MimeEntry{".wasm", "application/wasm"},
    MimeEntry{".wav", "audio/x-wav"},
    MimeEntry{".webm", "video/webm"},
    MimeEntry{".webp", "image/webp"},
    MimeEntry{".woff", "font/woff"},
    MimeEntry{".woff2", "font/woff2"},
    MimeEntry{".xls", "application/vnd.ms-excel"},
    MimeEntry{".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    MimeEntry{".xml", "text/xml"},
    MimeEntry{".yaml", "application/yaml"},
    MimeEntry{".yml", "application/yaml"},
    MimeEntry{".zip", "application/zip"},
};

// posixpath.splitext on a base name: the extension starts at the last dot that is not leading.
std::string_view extension_of(std::string_view name) {
    const auto slash = name.find_last_of('/');
    const std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
    const auto dot = base.find_last_of('.');
    if (dot == std::string_view::npos) return {};
    if (base.find_first_not_of('.') > dot) return {};  // only leading dots: ".bashrc"
    return base.substr(dot);
}

}  // namespace

std::string guess_content_type(std::string_view filename) {
    std::string name(filename);
    // Python's suffix_map, then its encodings_map (case-sensitive) which it looks through.
    static constexpr std::pair<std::string_view, std::string_view> kSuffixes[] = {
        {".svgz", ".svg.gz"}, {".tgz", ".tar.gz"},   {".taz", ".tar.gz"},
        {".tz", ".tar.gz"},   {".tbz2", ".tar.bz2"}, {".txz", ".tar.xz"}};
    for (const auto& [suffix, replacement] : kSuffixes) {
        const std::string ext = to_lower(extension_of(name));
        if (ext == suffix) {
            name.resize(name.size() - ext.size());
            name.append(replacement);
        }
    }
    std::string_view ext = extension_of(name);
    for (std::string_view encoding : {".gz", ".Z", ".bz2", ".xz", ".br"}) {
        if (ext == encoding) {
            ext = extension_of(std::string_view(name).substr(0, name.size() - ext.size()));
            break;
        }
    }
    const std::string lowered = to_lower(ext);
    for (const auto& entry : kMimeTypes) {
        if (entry.extension == lowered) return std::string(entry.type);
    }
    return "application/octet-stream";
}

std::optional<std::string> multipart_boundary_from_content_type(std::string_view content_type) {
    if (!content_type.starts_with("multipart/form-data")) return std::nullopt;
    const auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    };
    if (content_type.find(';') == std::string_view::npos) return std::nullopt;
    while (!content_type.empty()) {
        const auto semi = content_type.find(';');
        const auto section = trim(content_type.substr(0, semi));
        content_type.remove_prefix(semi == std::string_view::npos ? content_type.size() : semi + 1);
        if (to_lower(section.substr(0, 9)) != "boundary=") continue;
        std::string_view value = section.substr(9);
        // Python's strip(b'"'): any number of quotes on either side.
        while (!value.empty() && value.front() == '"') value.remove_prefix(1);
        while (!value.empty() && value.back() == '"') value.remove_suffix(1);
        return std::string(value);
    }
    return std::nullopt;
}

MultipartBody encode_multipart(const std::vector<std::pair<std::string, PrimitiveValue>>& data,
                               const std::vector<std::pair<std::string, MultipartFile>>& files,
                               std::optional<std::string> boundary) {
    const std::string b = boundary ? std::move(*boundary) : random_boundary();
    auto segments = std::make_shared<Segments>();
    std::optional<std::uint64_t> length = 0;
    auto add_length = [&](std::optional<std::uint64_t> n) {
        length = (length && n) ? std::optional(*length + *n) : std::nullopt;
    };

    std::string head;
    for (const auto& [name, value] : data) {
        head = "--" + b + "\r\nContent-Disposition: form-data; ";
        append_form_param(head, "name", name);
        head.append("\r\n\r\n");
        head.append(value.str());
        head.append("\r\n");
        append_literal(*segments, head);
    }

    for (const auto& [name, file] : files) {
        head = "--" + b + "\r\nContent-Disposition: form-data; ";
        append_form_param(head, "name", name);
        if (!file.filename.empty()) {
            head.append("; ");
            append_form_param(head, "filename", file.filename);
        }
        std::optional<std::string> content_type = file.content_type;
        if (!content_type && !file.filename.empty()) {
            content_type = guess_content_type(file.filename);
        }
        bool has_content_type_header = false;
        for (const auto& [key, value] : file.headers) {
            if (to_lower(key).find("content-type") != std::string::npos) {
                has_content_type_header = true;
            }
            head.append("\r\n").append(key).append(": ").append(value);
        }
        if (content_type && !has_content_type_header) {
            head.append("\r\nContent-Type: ").append(*content_type);
        }
        head.append("\r\n\r\n");

        if (const auto* bytes = std::get_if<Bytes>(&file.content)) {
            head.append(*bytes);
            head.append("\r\n");
            append_literal(*segments, head);
            continue;
        }
        append_literal(*segments, head);
        // A file on disk: read off the I/O thread, its size taken now (file_body.hpp).
        const auto* path = std::get_if<std::filesystem::path>(&file.content);
        const AsyncByteStream stream =
            path ? file_stream(*path) : std::get<AsyncByteStream>(file.content);
        add_length(stream.length());
        if (stream.length() != 0u) segments->emplace_back(stream);
        append_literal(*segments, "\r\n");
    }
    append_literal(*segments, "--" + b + "--\r\n");

    for (const auto& segment : *segments) {
        if (const auto* bytes = std::get_if<Bytes>(&segment)) add_length(bytes->size());
    }

    std::shared_ptr<const Segments> shared = std::move(segments);
    auto open = [shared]() {
        auto reader = std::make_shared<Reader>(shared);
        return AsyncIterator<Bytes>([reader] { return Reader::next(reader); });
    };
    return MultipartBody{"multipart/form-data; boundary=" + b, length,
                         AsyncByteStream::replayable(std::move(open), length)};
}

}  // namespace httpx::content
