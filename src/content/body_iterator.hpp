// A response body as its reader iterates it (HTTPX's Response.aiter_raw/aiter_bytes and the
// pipelines behind aiter_text/aiter_lines): raw chunks counted, optionally decoded and
// re-chunked, pulled so that a decompression bomb streams in constant memory.
#pragma once

#include "content/decoders.hpp"
#include "httpx/async_iterator.hpp"
#include "httpx/exceptions.hpp"
#include "httpx/headers.hpp"

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

namespace httpx::content {

/// The response side of a body being read: what a BodyIterator asks of it and tells it.
class BodyOwner {
public:
    /// Closed by its reader (`aclose()`): reading on is an error (StreamClosed), so that the rest
    /// of the body is neither downloaded nor taken for complete.
    virtual bool body_closed() const noexcept = 0;
    /// `n` more raw bytes arrived (num_bytes_downloaded).
    virtual void body_received(std::size_t n) noexcept = 0;
    /// The whole body was read: the owner closes it.
    virtual void body_finished() = 0;
    /// Attaches the owner's request to an error that has none (HTTPX's request_context).
    virtual void attach_request(RequestError& error) const = 0;

protected:
    ~BodyOwner() = default;
};

/// The decoder for a response's Content-Encoding, or null when there is nothing to decode.
std::unique_ptr<ContentDecoder> decoder_for(const Headers& headers);

/// The chunks of `source`, counted and reported to `owner`; decoded by `decoder` unless it is
/// null, re-chunked to `chunk_size` bytes when one is given. An undecoded, unchunked chunk is
/// moved through untouched, so that a large download is not copied again. The next raw chunk is
/// read only once the decoder has nothing left to give.
AsyncIterator<Bytes> iterate_body(std::shared_ptr<BodyOwner> owner, AsyncIterator<Bytes> source,
                                  std::unique_ptr<ContentDecoder> decoder,
                                  std::optional<std::size_t> chunk_size);

/// A body already in memory, in pieces of `chunk_size` bytes (whole without one).
AsyncIterator<Bytes> iterate_in_memory(const Bytes& body, std::optional<std::size_t> chunk_size);

/// An iterator that feeds each element of `source` to `feed`, which appends outputs to a queue,
/// and calls `finish` once at the end for the last outputs. The building block of
/// aiter_text/aiter_lines.
template <class Out, class In>
class Pipeline {
public:
    using Feed = std::function<void(In&, std::deque<Out>&)>;
    using Finish = std::function<void(std::deque<Out>&)>;

    static AsyncIterator<Out> make(AsyncIterator<In> source, Feed feed, Finish finish) {
        auto self = std::make_shared<Pipeline>();
        self->source_ = std::move(source);
        self->feed_ = std::move(feed);
        self->finish_ = std::move(finish);
        return AsyncIterator<Out>([self] { return next(self); });
    }

private:
    static awaitable<std::optional<Out>> next(std::shared_ptr<Pipeline> self) {
        for (;;) {
            if (!self->pending_.empty()) {
                std::optional<Out> out(std::move(self->pending_.front()));
                self->pending_.pop_front();
                co_return out;
            }
            if (self->done_) co_return std::nullopt;
            std::optional<In> item = co_await self->source_.next();
            if (item) {
                self->feed_(*item, self->pending_);
            } else {
                self->done_ = true;
                if (self->finish_) self->finish_(self->pending_);
            }
        }
    }

    AsyncIterator<In> source_;
    Feed feed_;
    Finish finish_;
    std::deque<Out> pending_;
    bool done_ = false;
};

}  // namespace httpx::content
