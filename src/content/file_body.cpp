// Files as request bodies. Reading a file blocks: on a page-cache miss, a network file system or
// a pipe whose writer is slow, for milliseconds or longer. Done on the I/O thread, that would
// stall every other request of its io_context, so each 64 KiB chunk is read on a small shared
// thread pool and handed back on the executor of the coroutine that asked for it (two posts per
// chunk: a few microseconds, against the tens a 64 KiB read and its send take). Linux file I/O
// without threads needs io_uring (Asio's stream_file), which is an opt-in build.
#include "content/file_body.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace httpx::content {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kChunkSize = 64 * 1024;  // HTTPX's FileField.CHUNK_SIZE

// Two threads, made on first use: file reads wait rather than compute, and a second thread
// keeps one stalled read (a pipe without data) from holding up every other upload.
asio::thread_pool& file_read_pool() {
    static asio::thread_pool pool(2);
    return pool;
}

// Runs `work` (blocking, returning T) on the pool; the awaiting coroutine resumes on its own
// executor with the result or the exception. The io_context is kept busy (outstanding work)
// until then, so that run() does not return while a read is in flight.
template <class T, class Work>
awaitable<T> on_file_pool(Work work) {
    return asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr, T)>(
        [](auto handler, Work work) {
            auto home = asio::prefer(asio::get_associated_executor(handler),
                                     asio::execution::outstanding_work.tracked);
            asio::post(file_read_pool(), [handler = std::move(handler), work = std::move(work),
                                          home = std::move(home)]() mutable {
                std::exception_ptr error;
                T result{};
                try {
                    result = work();
                } catch (...) {
                    error = std::current_exception();
                }
                auto resume = [handler = std::move(handler), error,
                               result = std::move(result)]() mutable {
                    std::move(handler)(error, std::move(result));
                };
                asio::post(home, std::move(resume));
            });
        },
        asio::use_awaitable, std::move(work));
}

// One iteration over a file: opened on its first read, closed with the last owner.
struct FileReader {
    std::filesystem::path path;
    std::optional<std::uint64_t> remaining;  // a regular file: the bytes still to send
    std::FILE* file = nullptr;

    FileReader(std::filesystem::path p, std::optional<std::uint64_t> size)
        : path(std::move(p)), remaining(size) {}
    FileReader(const FileReader&) = delete;
    FileReader& operator=(const FileReader&) = delete;
    ~FileReader() {
        if (file) std::fclose(file);
    }

    // Blocking: only on the pool.
    std::optional<Bytes> read_chunk() {
        if (!file) {
            file = std::fopen(path.c_str(), "rb");
            if (!file)
                throw std::runtime_error("cannot open file " + path.string() + ": " +
                                         std::strerror(errno));
        }
        const std::size_t want =
            remaining ? static_cast<std::size_t>(std::min<std::uint64_t>(*remaining, kChunkSize))
                      : kChunkSize;
        if (want == 0) return std::nullopt;
        Bytes chunk(want, '\0');
        const std::size_t got = std::fread(chunk.data(), 1, want, file);
        if (got == 0) {
            if (std::ferror(file))
                throw std::runtime_error("cannot read file " + path.string() + ": " +
                                         std::strerror(errno));
            if (remaining)  // Content-Length was sent from the size: it cannot be kept
                throw std::runtime_error("file " + path.string() +
                                         " is shorter than when the request was built");
            return std::nullopt;
        }
        chunk.resize(got);
        if (remaining) *remaining -= got;
        return chunk;
    }
};

awaitable<std::optional<Bytes>> next_chunk(std::shared_ptr<FileReader> reader) {
    auto read = [reader] { return reader->read_chunk(); };  // named: no temporary in co_await
    co_return co_await on_file_pool<std::optional<Bytes>>(std::move(read));
}

AsyncIterator<Bytes> read_file(const std::filesystem::path& path,
                               std::optional<std::uint64_t> size) {
    auto reader = std::make_shared<FileReader>(path, size);
    return AsyncIterator<Bytes>([reader] { return next_chunk(reader); });
}

}  // namespace

AsyncByteStream file_stream(const std::filesystem::path& path) {
    const auto status = std::filesystem::status(path);  // follows symlinks
    if (!std::filesystem::exists(status))
        throw std::filesystem::filesystem_error(
            "cannot send file", path, std::make_error_code(std::errc::no_such_file_or_directory));
    if (std::filesystem::is_directory(status))
        throw std::filesystem::filesystem_error("cannot send file", path,
                                                std::make_error_code(std::errc::is_a_directory));
    if (!std::filesystem::is_regular_file(status)) return AsyncByteStream(read_file(path, {}));
    const std::uint64_t size = std::filesystem::file_size(path);
    return AsyncByteStream::replayable([path, size] { return read_file(path, size); }, size);
}

}  // namespace httpx::content
