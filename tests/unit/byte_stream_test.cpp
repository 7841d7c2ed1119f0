// httpx::AsyncByteStream: in-memory (replayable) and streamed (one-shot) bodies, and the close
// handler transports rely on to release their connection.
// Test that header file is self-contained.
#include "httpx/byte_stream.hpp"

#include "run_async.hpp"
#include "temp_file.hpp"

#include <httpx/async_generator.hpp>
#include <httpx/exceptions.hpp>
#include <httpx/response.hpp>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using httpx::AsyncByteStream;
using httpx::Bytes;
using httpx::test::run_async;
using namespace std::chrono_literals;

httpx::awaitable<std::vector<Bytes>> chunks_of(AsyncByteStream stream) {
    std::vector<Bytes> out;
    auto it = stream.aiter();
    while (auto chunk = co_await it.next()) out.push_back(std::move(*chunk));
    co_return out;
}

std::vector<Bytes> chunks(const AsyncByteStream& stream) {
    return run_async(chunks_of(stream));
}

httpx::awaitable<Bytes> aread_of(AsyncByteStream stream) {
    co_return co_await stream.aread();
}

// A chunk source as a callable: `() -> awaitable<std::optional<Bytes>>`, with its state shared
// so that the test can watch it.
struct Source {
    std::shared_ptr<std::vector<Bytes>> parts;
    std::shared_ptr<std::size_t> next_index;

    static httpx::awaitable<std::optional<Bytes>> step(std::shared_ptr<std::vector<Bytes>> parts,
                                                       std::shared_ptr<std::size_t> index) {
        if (*index >= parts->size()) co_return std::nullopt;
        co_return (*parts)[(*index)++];
    }
    httpx::awaitable<std::optional<Bytes>> operator()() { return step(parts, next_index); }
};

Source make_source(std::vector<Bytes> parts) {
    return Source{std::make_shared<std::vector<Bytes>>(std::move(parts)),
                  std::make_shared<std::size_t>(0)};
}

httpx::AsyncGenerator<Bytes> slow_chunks(int count) {
    for (int i = 0; i < count; ++i) {
        co_await httpx::sleep(1ms);
        co_yield "chunk " + std::to_string(i) + ";";
    }
}

httpx::AsyncGenerator<Bytes> failing_chunks() {
    co_yield Bytes("first");
    throw std::runtime_error("source failed");
}

TEST(ByteStreamTest, DefaultIsAnEmptyInMemoryBody) {
    AsyncByteStream stream;
    EXPECT_EQ(stream.length(), 0u);
    EXPECT_TRUE(stream.is_replayable());
    ASSERT_NE(stream.buffer(), nullptr);
    EXPECT_EQ(*stream.buffer(), "");
    EXPECT_TRUE(chunks(stream).empty());
    EXPECT_EQ(run_async(aread_of(stream)), "");
}

TEST(ByteStreamTest, InMemoryBodyIsReplayable) {
    AsyncByteStream stream(Bytes("Hello, world!"));
    EXPECT_EQ(stream.length(), 13u);
    EXPECT_TRUE(stream.is_replayable());
    ASSERT_NE(stream.buffer(), nullptr);
    EXPECT_EQ(*stream.buffer(), "Hello, world!");
    EXPECT_EQ(chunks(stream), (std::vector<Bytes>{"Hello, world!"}));
    EXPECT_EQ(chunks(stream), (std::vector<Bytes>{"Hello, world!"}));
    EXPECT_EQ(run_async(aread_of(stream)), "Hello, world!");
    EXPECT_EQ(chunks(stream), (std::vector<Bytes>{"Hello, world!"}));
}

TEST(ByteStreamTest, FromStringLiteralAndView) {
    AsyncByteStream literal("abc");
    EXPECT_EQ(literal.length(), 3u);
    std::string_view view("with\0nul", 8);
    AsyncByteStream from_view(view);
    EXPECT_EQ(from_view.length(), 8u);
    EXPECT_EQ(run_async(aread_of(from_view)), Bytes(view));
}

TEST(ByteStreamTest, ConcurrentIteratorsOfAnInMemoryBodyAreIndependent) {
    AsyncByteStream stream(Bytes("abc"));
    auto first = stream.aiter();
    auto second = stream.aiter();
    auto read_one = [](httpx::AsyncIterator<Bytes>& it) { return run_async(it.next()); };
    EXPECT_EQ(read_one(first), "abc");
    EXPECT_EQ(read_one(first), std::nullopt);
    EXPECT_EQ(read_one(second), "abc");
}

TEST(ByteStreamTest, FromCallableIsOneShot) {
    Source source = make_source({"Hello, ", "world!"});
    AsyncByteStream stream(source);
    EXPECT_FALSE(stream.is_replayable());
    EXPECT_EQ(stream.length(), std::nullopt);
    EXPECT_EQ(stream.buffer(), nullptr);
    EXPECT_EQ(chunks(stream), (std::vector<Bytes>{"Hello, ", "world!"}));
    EXPECT_EQ(*source.next_index, 2u);
    EXPECT_THROW(stream.aiter(), httpx::StreamConsumed);
    EXPECT_THROW(run_async(aread_of(stream)), httpx::StreamConsumed);
}

TEST(ByteStreamTest, SecondIterationThrowsEvenIfTheFirstDidNotFinish) {
    AsyncByteStream stream(make_source({"a", "b"}));
    auto first = stream.aiter();
    EXPECT_EQ(run_async(first.next()), "a");
    EXPECT_THROW(stream.aiter(), httpx::StreamConsumed);
    EXPECT_EQ(run_async(first.next()), "b");
    EXPECT_EQ(run_async(first.next()), std::nullopt);
}

TEST(ByteStreamTest, CallableIsPulledLazily) {
    Source source = make_source({"a", "b", "c"});
    AsyncByteStream stream(source);
    EXPECT_EQ(*source.next_index, 0u);
    auto it = stream.aiter();
    EXPECT_EQ(*source.next_index, 0u);
    EXPECT_EQ(run_async(it.next()), "a");
    EXPECT_EQ(*source.next_index, 1u);
}

TEST(ByteStreamTest, FromCallableWithKnownLength) {
    AsyncByteStream stream(make_source({"abcd"}), 4);
    EXPECT_EQ(stream.length(), 4u);
    EXPECT_FALSE(stream.is_replayable());
    EXPECT_EQ(run_async(aread_of(stream)), "abcd");
}

TEST(ByteStreamTest, EmptyChunksAreSkipped) {
    AsyncByteStream stream(make_source({"", "Hello, ", "", "", "world!", ""}));
    EXPECT_EQ(chunks(stream), (std::vector<Bytes>{"Hello, ", "world!"}));
}

TEST(ByteStreamTest, FromAsyncGenerator) {
    AsyncByteStream stream(slow_chunks(3));
    EXPECT_FALSE(stream.is_replayable());
    EXPECT_EQ(stream.length(), std::nullopt);
    EXPECT_EQ(chunks(stream), (std::vector<Bytes>{"chunk 0;", "chunk 1;", "chunk 2;"}));
    EXPECT_THROW(stream.aiter(), httpx::StreamConsumed);
}

TEST(ByteStreamTest, AreadOfAsyncGenerator) {
    AsyncByteStream stream(slow_chunks(2));
    EXPECT_EQ(run_async(aread_of(stream)), "chunk 0;chunk 1;");
}

TEST(ByteStreamTest, GeneratorExceptionPropagates) {
    AsyncByteStream stream(failing_chunks());
    auto it = stream.aiter();
    EXPECT_EQ(run_async(it.next()), "first");
    EXPECT_THROW(run_async(it.next()), std::runtime_error);
}

TEST(ByteStreamTest, FromIteratorOfAnotherResponse) {
    // Forwarding a response body into a request body: chunk by chunk, no buffering.
    httpx::ResponseOptions options;
    options.stream = AsyncByteStream(slow_chunks(3));
    httpx::Response response(200, std::move(options));
    AsyncByteStream forwarded(response.aiter_bytes());
    EXPECT_FALSE(forwarded.is_replayable());
    EXPECT_TRUE(response.is_stream_consumed());
    EXPECT_EQ(chunks(forwarded), (std::vector<Bytes>{"chunk 0;", "chunk 1;", "chunk 2;"}));
    EXPECT_TRUE(response.is_closed());
    EXPECT_EQ(response.num_bytes_downloaded(), 24u);
}

TEST(ByteStreamTest, ReplayableCallsOpenForEachIteration) {
    auto opens = std::make_shared<int>(0);
    AsyncByteStream stream = AsyncByteStream::replayable(
        [opens] {
            ++*opens;
            Source source = make_source({"x", "", "y"});
            return httpx::AsyncIterator<Bytes>(source);
        },
        2);
    EXPECT_TRUE(stream.is_replayable());
    EXPECT_EQ(stream.length(), 2u);
    EXPECT_EQ(stream.buffer(), nullptr);
    EXPECT_EQ(*opens, 0);
    EXPECT_EQ(chunks(stream), (std::vector<Bytes>{"x", "y"}));
    EXPECT_EQ(chunks(stream), (std::vector<Bytes>{"x", "y"}));
    EXPECT_EQ(run_async(aread_of(stream)), "xy");
    EXPECT_EQ(*opens, 3);
}

TEST(ByteStreamTest, CopiesShareTheSource) {
    AsyncByteStream stream(make_source({"once"}));
    AsyncByteStream copy = stream;
    EXPECT_EQ(chunks(copy), (std::vector<Bytes>{"once"}));
    EXPECT_THROW(stream.aiter(), httpx::StreamConsumed);
}

TEST(ByteStreamTest, CloseHandlerRunsOnceOnClose) {
    auto calls = std::make_shared<int>(0);
    AsyncByteStream stream(make_source({"a"}));
    stream.set_close_handler([calls] { ++*calls; });
    EXPECT_EQ(*calls, 0);
    stream.close();
    EXPECT_EQ(*calls, 1);
    stream.close();
    AsyncByteStream copy = stream;
    copy.close();
    EXPECT_EQ(*calls, 1);
}

TEST(ByteStreamTest, CloseHandlerRunsWhenTheLastCopyGoes) {
    auto calls = std::make_shared<int>(0);
    {
        AsyncByteStream stream(Bytes("in memory"));
        stream.set_close_handler([calls] { ++*calls; });
        {
            AsyncByteStream copy = stream;
            AsyncByteStream moved = std::move(copy);
        }
        EXPECT_EQ(*calls, 0);
    }
    EXPECT_EQ(*calls, 1);
}

TEST(ByteStreamTest, CloseHandlerNotRunAgainAfterCloseWhenDestroyed) {
    auto calls = std::make_shared<int>(0);
    {
        AsyncByteStream stream(make_source({"a"}));
        stream.set_close_handler([calls] { ++*calls; });
        stream.close();
    }
    EXPECT_EQ(*calls, 1);
}

TEST(ByteStreamTest, EmptyStreamsKeepTheirOwnCloseHandlers) {
    // Empty streams (every request without a body has one) share their state until one is given
    // a close handler: that one is its own, neither run by nor running for the others.
    auto calls = std::make_shared<int>(0);
    AsyncByteStream with_handler;
    AsyncByteStream other;
    with_handler.set_close_handler([calls] { ++*calls; });
    other.close();
    AsyncByteStream().close();
    EXPECT_EQ(*calls, 0);
    EXPECT_EQ(chunks(other), std::vector<Bytes>{});
    EXPECT_EQ(with_handler.length(), 0u);
    EXPECT_NE(with_handler.buffer(), nullptr);
    with_handler.close();
    EXPECT_EQ(*calls, 1);
    EXPECT_EQ(chunks(with_handler), std::vector<Bytes>{});
}

TEST(ByteStreamTest, ReplacingTheCloseHandler) {
    auto first = std::make_shared<int>(0);
    auto second = std::make_shared<int>(0);
    AsyncByteStream stream(make_source({"a"}));
    stream.set_close_handler([first] { ++*first; });
    stream.set_close_handler([second] { ++*second; });
    stream.close();
    EXPECT_EQ(*first, 0);
    EXPECT_EQ(*second, 1);
}

// A file read as a body never blocks the event loop: reading a pipe whose writer waits 300 ms
// before writing, the io_context keeps running its timers (read on the I/O thread, open() alone
// would hold it for those 300 ms). A pipe has no size: one-shot, unknown length.
TEST(ByteStreamTest, AFileIsReadOffTheEventLoop) {
    const auto fifo =
        std::filesystem::temp_directory_path() / ("httpxx-test-fifo-" + std::to_string(::getpid()));
    std::filesystem::remove(fifo);
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    AsyncByteStream stream(fifo);
    EXPECT_EQ(stream.length(), std::nullopt);
    EXPECT_FALSE(stream.is_replayable());

    std::thread writer([&] {
        std::this_thread::sleep_for(300ms);
        std::FILE* out = std::fopen(fifo.c_str(), "wb");
        for (int i = 0; i < 1000; ++i) std::fputs("0123456789", out);
        std::fclose(out);
    });
    boost::asio::io_context io;
    std::atomic<bool> done = false;
    int ticks = 0;
    auto ticker = [&]() -> httpx::awaitable<void> {
        boost::asio::steady_timer timer(io);
        while (!done) {
            timer.expires_after(10ms);
            co_await timer.async_wait(boost::asio::use_awaitable);
            ++ticks;
        }
    };
    boost::asio::co_spawn(io, ticker(), boost::asio::detached);
    Bytes body;
    auto read = [&]() -> httpx::awaitable<void> {
        body = co_await stream.aread();
        done = true;
    };
    boost::asio::co_spawn(io, read(), boost::asio::detached);
    io.run();
    writer.join();
    std::filesystem::remove(fifo);
    EXPECT_EQ(body.size(), 10'000u);
    EXPECT_GE(ticks, 10) << "the event loop stood still while the file was read";
    EXPECT_THROW(stream.aiter(), httpx::StreamConsumed);
}

// A regular file: its size is the length, read in 64 KiB chunks, replayable; a file that shrank
// since cannot keep the Content-Length promised and fails the read.
TEST(ByteStreamTest, ARegularFileIsReplayableWithItsSize) {
    Bytes content(150'000, 'x');
    content[0] = 'a';
    content.back() = 'z';
    httpx::test::TempFile file("stream.bin", content);
    AsyncByteStream stream(file.path());
    EXPECT_EQ(stream.length(), content.size());
    EXPECT_TRUE(stream.is_replayable());
    for (int round = 0; round < 2; ++round) {
        const auto parts = chunks(stream);
        ASSERT_EQ(parts.size(), 3u);
        EXPECT_EQ(parts[0].size(), 65536u);
        EXPECT_EQ(parts[0] + parts[1] + parts[2], content);
    }
    { std::ofstream(file.path(), std::ios::binary | std::ios::trunc) << "short"; }
    EXPECT_THROW(chunks(stream), std::runtime_error);
    AsyncByteStream empty(httpx::test::TempFile("empty.bin", "").path());
    EXPECT_EQ(empty.length(), 0u);
}

}  // namespace
