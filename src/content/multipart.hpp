// multipart/form-data request bodies, byte for byte as HTTPX 0.28 writes them
// (httpx/_multipart.py): data fields first, then files; file contents streamed, never loaded
// whole.
#pragma once

#include <httpx/byte_stream.hpp>
#include <httpx/query_params.hpp>
#include <httpx/types.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace httpx::content {

/// One file field (HTTPX's `(filename, content, content_type, headers)` tuple).
struct MultipartFile {
    /// Sent as `filename="..."`; empty means no filename parameter (HTTPX's `None`).
    std::string filename;
    /// Bytes in memory, a file on disk (read in 64 KiB chunks at send time, off the I/O thread
    /// (file_body.hpp); its size is taken when the body is encoded), or a stream (unknown
    /// length unless the stream knows it).
    std::variant<Bytes, std::filesystem::path, AsyncByteStream> content;
    /// The part's Content-Type; nullopt guesses it from the filename's extension
    /// (application/octet-stream when unknown; none at all when there is no filename).
    std::optional<std::string> content_type;
    /// Extra part headers, written before Content-Type. A header whose name contains
    /// "content-type" replaces the `content_type` above, as in HTTPX.
    std::vector<std::pair<std::string, std::string>> headers;
};

struct MultipartBody {
    /// "multipart/form-data; boundary=...".
    std::string content_type;
    /// The exact body size when every part's size is known, else nullopt (send chunked).
    std::optional<std::uint64_t> length;
    /// Replayable (redirects, auth retries) as long as no part is a one-shot stream.
    AsyncByteStream stream;
};

/// Encodes form fields and files. `boundary`: the caller's (e.g. taken from an explicit
/// Content-Type header with `multipart_boundary_from_content_type`), else 32 random hex digits.
/// Throws `std::filesystem::filesystem_error` if a file given by path cannot be sized. Reading
/// the stream throws `std::runtime_error` if such a file cannot be opened or has shrunk.
MultipartBody encode_multipart(const std::vector<std::pair<std::string, PrimitiveValue>>& data,
                               const std::vector<std::pair<std::string, MultipartFile>>& files,
                               std::optional<std::string> boundary = std::nullopt);

/// The boundary parameter of a `multipart/form-data` Content-Type value (quotes removed), as
/// HTTPX's get_multipart_boundary_from_content_type; nullopt for other types or no boundary.
std::optional<std::string> multipart_boundary_from_content_type(std::string_view content_type);

/// A MIME type for a file name from its extension (a built-in table of common types following
/// Python's mimetypes; compression suffixes such as ".gz" are looked through as Python does);
/// "application/octet-stream" when unknown.
std::string guess_content_type(std::string_view filename);

}  // namespace httpx::content
