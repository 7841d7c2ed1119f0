// `--download FILE` (HTTPX's download_response) and `--continue` (beyond HTTPX): the body
// streamed to disk chunk by chunk, with a progress bar; a partial file resumed with a Range
// request when the server still has the same file.
#pragma once

#include <httpx/headers.hpp>
#include <httpx/response.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "printer.hpp"

namespace httpxx_cli {

/// How a Range response answers a resumed download.
enum class RangeAnswer {
    resume,         // 206 from the offset asked for: append
    start_over,     // 200: the server ignored the range or the file changed (If-Range)
    complete,       // 416 with the file's size equal to what is on disk
    restart_whole,  // 416 otherwise: the file on disk is not a prefix of it; ask for all of it
    error,          // any other status, or a 206 for another range
};

/// Classifies `response` to a request for bytes from `offset` on (pure; see RangeAnswer).
RangeAnswer classify_range_answer(const httpx::Response& response, std::uint64_t offset);

/// The destination file. Opened before the request, as HTTPX opens it ('wb'): a file that
/// cannot be written is a usage error (exit 2) before anything is sent.
class Download {
public:
    /// Opens `path`; with `resume`, keeps what it holds and remembers its size and the validator
    /// saved beside it (`FILE.httpxx-resume`: the ETag or Last-Modified of the response it
    /// came from). Throws UsageError when it cannot be opened.
    Download(std::string path, bool resume);
    ~Download();
    Download(const Download&) = delete;
    Download& operator=(const Download&) = delete;

    /// The headers that resume the file: `Range: bytes=N-` and `If-Range` when a validator was
    /// saved; none for a fresh download.
    httpx::Headers resume_headers() const;
    std::uint64_t offset() const noexcept { return offset_; }
    /// Forgets the partial file (the next request asks for all of it).
    void discard_partial();

    /// Streams the body of `response` into the file (from the offset when `append`), with the
    /// progress on `out`. Throws what reading the body throws (a RequestError).
    void save(httpx::Response& response, bool append, std::FILE* out, const Style& style);

private:
    std::string path_;
    std::string validator_path_;
    std::FILE* file_ = nullptr;
    std::uint64_t offset_ = 0;
    std::optional<std::string> validator_;
};

}  // namespace httpxx_cli
