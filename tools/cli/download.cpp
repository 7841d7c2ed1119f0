#include "download.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "options.hpp"
#include "progress.hpp"
#include "terminal.hpp"

namespace httpxx_cli {
namespace {

struct ContentRange {
    std::optional<std::uint64_t> first;  // unset for "bytes */TOTAL"
    std::optional<std::uint64_t> total;  // unset for "/*"
};

std::optional<std::uint64_t> number(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// "bytes 100-199/1000", "bytes */1000" (RFC 9110, 14.4).
std::optional<ContentRange> parse_content_range(std::string_view value) {
    if (!value.starts_with("bytes ")) return std::nullopt;
    value.remove_prefix(6);
    const std::size_t slash = value.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    ContentRange range;
    const std::string_view span = value.substr(0, slash), total = value.substr(slash + 1);
    if (total != "*") {
        range.total = number(total);
        if (!range.total) return std::nullopt;
    }
    if (span != "*") {
        range.first = number(span.substr(0, span.find('-')));
        if (!range.first) return std::nullopt;
    }
    return range;
}

// A validator If-Range may carry: a strong ETag, else Last-Modified (RFC 9110, 13.1.5).
std::optional<std::string> validator_of(const httpx::Headers& headers) {
    if (auto etag = headers.get("ETag"); etag && !etag->starts_with("W/")) return etag;
    return headers.get("Last-Modified");
}

}  // namespace

RangeAnswer classify_range_answer(const httpx::Response& response, std::uint64_t offset) {
    const int status = response.status_code();
    if (status == 200) return RangeAnswer::start_over;
    const std::optional<ContentRange> range =
        parse_content_range(response.headers().get("Content-Range").value_or(""));
    if (status == 206) {
        return range && range->first == offset ? RangeAnswer::resume : RangeAnswer::error;
    }
    if (status == 416) {
        return range && range->total == offset ? RangeAnswer::complete : RangeAnswer::restart_whole;
    }
    return RangeAnswer::error;
}

Download::Download(std::string path, bool resume)
    : path_(std::move(path)), validator_path_(path_ + ".httpxx-resume") {
    file_ = std::fopen(path_.c_str(), resume ? "ab" : "wb");
    if (file_ == nullptr) {
        throw UsageError{"Invalid value for '--download': '" + path_ +
                         "': " + std::strerror(errno)};
    }
    if (resume) {
        std::error_code ec;
        offset_ = std::filesystem::file_size(path_, ec);
        if (ec) offset_ = 0;
        std::ifstream saved(validator_path_);
        std::string line;
        if (offset_ > 0 && std::getline(saved, line) && !line.empty()) validator_ = line;
    }
}

Download::~Download() {
    if (file_ != nullptr) std::fclose(file_);
}

httpx::Headers Download::resume_headers() const {
    httpx::Headers headers;
    if (offset_ == 0) return headers;
    headers.set("Range", "bytes=" + std::to_string(offset_) + "-");
    if (validator_) headers.set("If-Range", *validator_);
    // A range of the encoded representation is not a range of the file: ask for it as it is.
    headers.set("Accept-Encoding", "identity");
    return headers;
}

void Download::discard_partial() {
    offset_ = 0;
    validator_.reset();
}

void Download::save(httpx::Response& response, bool append, std::FILE* out, const Style& style) {
    if (!append) {
        // Starting over: the file is emptied (it is open for appending, so writes follow).
        std::fflush(file_);
        if (::ftruncate(::fileno(file_), 0) != 0) {
            throw std::runtime_error("cannot truncate " + path_ + ": " + std::strerror(errno));
        }
        offset_ = 0;
    }
    // Remember what the bytes are a part of, for a later --continue; forgotten once complete.
    if (const auto validator = validator_of(response.headers())) {
        std::ofstream(validator_path_) << *validator << "\n";
    }
    std::optional<std::uint64_t> total;
    if (auto length = response.headers().get("Content-Length")) {
        if (auto n = number(*length)) total = offset_ + *n;
    }
    const std::string name = std::filesystem::path(path_).filename().string();
    ProgressBar progress(out, name, total, offset_, is_terminal(out), style);
    for (const httpx::Bytes& chunk : response.iter_bytes()) {
        if (std::fwrite(chunk.data(), 1, chunk.size(), file_) != chunk.size()) {
            throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
        }
        // Raw bytes, as HTTPX (num_bytes_downloaded): they add up to Content-Length under gzip.
        progress.update(response.num_bytes_downloaded());
    }
    if (std::fflush(file_) != 0) {
        throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
    }
    progress.finish(response.num_bytes_downloaded());
    std::error_code ec;
    std::filesystem::remove(validator_path_, ec);
}

}  // namespace httpxx_cli
