// In-memory NetworkStreams: a connection over them runs without a socket or a kernel (httpcore's
// AsyncMockStream). ScriptedStream plays a test's script of reads; CannedServerStream answers
// every request with the same response (the micro-benchmarks' server).
#pragma once

#include "net/network_stream.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace httpx::test {

/// What a ScriptedStream's peer does, shared with the test, which still sees it once a
/// connection owns the stream.
struct Script {
    /// One read: its bytes (a reader with a smaller buffer gets the rest on its next read), or
    /// an error the read throws.
    struct Read {
        std::string bytes;
        boost::system::error_code error{};
    };
    /// Read by read_some() in order; when none is left, reads return 0 (end of stream).
    std::deque<Read> reads;
    /// When set, write() throws it.
    std::optional<boost::system::error_code> write_error;
    std::string written;  // every byte the client wrote
    std::size_t read_calls = 0;
    std::size_t deferred_read_calls = 0;  // of them, through read_some_later()
    bool closed = false;

    /// Adds `bytes` as reads of at most `piece` bytes each.
    Script& then(std::string_view bytes, std::size_t piece = std::string_view::npos) {
        for (std::size_t i = 0; i < bytes.size(); i += piece)
            reads.push_back({std::string(bytes.substr(i, piece))});
        return *this;
    }
    Script& then_error(boost::system::error_code error) {
        reads.push_back({{}, error});
        return *this;
    }
};

class ScriptedStream final : public net::NetworkStream {
public:
    explicit ScriptedStream(std::shared_ptr<Script> script) : script_(std::move(script)) {}

    awaitable<std::size_t> read_some(boost::asio::mutable_buffer buffer) override {
        Script& s = *script_;
        ++s.read_calls;
        if (s.reads.empty()) co_return 0;
        Script::Read& next = s.reads.front();
        if (next.error) {
            const boost::system::error_code error = next.error;
            s.reads.pop_front();
            throw boost::system::system_error(error);
        }
        const std::size_t n = std::min(buffer.size(), next.bytes.size());
        std::memcpy(buffer.data(), next.bytes.data(), n);
        next.bytes.erase(0, n);
        if (next.bytes.empty()) s.reads.pop_front();
        co_return n;
    }
    awaitable<std::size_t> read_some_later(boost::asio::mutable_buffer buffer) override {
        ++script_->deferred_read_calls;
        return read_some(buffer);
    }
    awaitable<void> write(std::span<const boost::asio::const_buffer> buffers) override {
        take(buffers);
        co_return;
    }
    /// Takes everything at once, as a socket with room in its send buffer.
    bool write_now(std::span<boost::asio::const_buffer>& buffers) override {
        take(buffers);
        buffers = buffers.subspan(buffers.size());
        return true;
    }
    void close() noexcept override { script_->closed = true; }
    bool is_readable() const override { return false; }

private:
    void take(std::span<const boost::asio::const_buffer> buffers) {
        if (script_->write_error) throw boost::system::system_error(*script_->write_error);
        for (const auto& b : buffers)
            script_->written.append(static_cast<const char*>(b.data()), b.size());
    }

    std::shared_ptr<Script> script_;
};

/// A connected "socket" whose peer answers every request written to it with the same
/// `response` (which outlives the stream), then ends the stream when asked for more.
class CannedServerStream final : public net::NetworkStream {
public:
    explicit CannedServerStream(std::string_view response) : response_(response) {}
    awaitable<std::size_t> read_some(boost::asio::mutable_buffer buffer) override {
        if (pending_ == 0) co_return 0;  // nothing was asked: end of stream
        const std::size_t n = std::min(buffer.size(), pending_);
        const std::size_t offset = response_.size() - pending_;
        std::memcpy(buffer.data(), response_.data() + offset, n);
        pending_ -= n;
        co_return n;
    }
    awaitable<void> write(std::span<const boost::asio::const_buffer>) override {
        pending_ = response_.size();
        co_return;
    }
    void close() noexcept override {}
    bool is_readable() const override { return false; }

private:
    std::string_view response_;
    std::size_t pending_ = 0;
};

}  // namespace httpx::test
