// A file on disk as a request body (`content = path`, multipart files given by path), read
// in chunks on a small shared thread pool so that the event loop never waits for the disk.
#pragma once

#include <httpx/byte_stream.hpp>

#include <filesystem>

namespace httpx::content {

/// The file at `path` as a body. A regular file: its size, taken now, is the body's length
/// (Content-Length), and the body is replayable (redirects, auth retries open it again); an
/// iteration sends exactly that many bytes and throws `std::runtime_error` if the file has
/// become shorter. Anything else that can be read (a pipe, /dev/stdin): unknown length (sent
/// chunked), one-shot, read to its end. Throws `std::filesystem::filesystem_error` now if
/// `path` does not exist or is a directory; an iteration throws `std::runtime_error` if the
/// file cannot be opened or read. Chunks are 64 KiB (HTTPX's chunk size for files).
AsyncByteStream file_stream(const std::filesystem::path& path);

}  // namespace httpx::content
