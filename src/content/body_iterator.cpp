#include "content/body_iterator.hpp"

#include "content/line_decoder.hpp"

#include <algorithm>

namespace httpx::content {

namespace {

struct BodyIterator {
    std::shared_ptr<BodyOwner> owner;
    AsyncIterator<Bytes> source;
    std::unique_ptr<ContentDecoder> decoder;  // null: the raw bytes
    std::optional<ByteChunker> chunker;       // only with a chunk_size
    std::deque<Bytes> pending;
    bool done = false;

    void emit(Bytes bytes) {
        if (!chunker) {
            if (!bytes.empty()) pending.push_back(std::move(bytes));
            return;
        }
        for (auto& piece : chunker->decode(bytes)) pending.push_back(std::move(piece));
    }

    // One bounded piece of decoded output: false when the decoder needs more input.
    bool decode_some() {
        try {
            const std::string_view piece = decoder->pull();
            if (piece.empty()) return false;
            emit(Bytes(piece));
            return true;
        } catch (RequestError& e) {
            owner->attach_request(e);
            throw;
        }
    }

    void push(std::string_view raw) {
        try {
            decoder->push(raw);
        } catch (RequestError& e) {
            owner->attach_request(e);
            throw;
        }
    }

    void finish() {
        done = true;
        if (decoder) {
            try {
                decoder->finish();
            } catch (RequestError& e) {
                owner->attach_request(e);
                throw;
            }
        }
        if (chunker)
            for (auto& piece : chunker->flush()) pending.push_back(std::move(piece));
        owner->body_finished();
    }

    static awaitable<std::optional<Bytes>> next(std::shared_ptr<BodyIterator> self) {
        for (;;) {
            if (!self->pending.empty()) {
                std::optional<Bytes> out(std::move(self->pending.front()));
                self->pending.pop_front();
                co_return out;
            }
            if (self->done) co_return std::nullopt;
            if (self->decoder && self->decode_some()) continue;
            if (self->owner->body_closed()) throw StreamClosed();
            std::optional<Bytes> raw = co_await self->source.next();
            if (self->owner->body_closed()) throw StreamClosed();  // closed while the read waited
            if (!raw) {
                self->finish();
                continue;
            }
            self->owner->body_received(raw->size());
            if (!self->decoder && !self->chunker) co_return raw;
            if (self->decoder)
                self->push(*raw);
            else
                self->emit(std::move(*raw));
        }
    }
};

awaitable<std::optional<Bytes>> pop_front(std::shared_ptr<std::deque<Bytes>> pieces) {
    if (pieces->empty()) co_return std::nullopt;
    std::optional<Bytes> piece(std::move(pieces->front()));
    pieces->pop_front();
    co_return piece;
}

}  // namespace

std::unique_ptr<ContentDecoder> decoder_for(const Headers& headers) {
    auto coding = headers.get("Content-Encoding");
    if (!coding) return nullptr;
    auto decoder = make_content_decoder(*coding);
    if (decoder->passes_through()) return nullptr;
    return decoder;
}

AsyncIterator<Bytes> iterate_body(std::shared_ptr<BodyOwner> owner, AsyncIterator<Bytes> source,
                                  std::unique_ptr<ContentDecoder> decoder,
                                  std::optional<std::size_t> chunk_size) {
    auto self = std::make_shared<BodyIterator>();
    if (chunk_size) self->chunker.emplace(chunk_size);
    self->decoder = std::move(decoder);
    self->owner = std::move(owner);
    self->source = std::move(source);
    return AsyncIterator<Bytes>([self] { return BodyIterator::next(self); });
}

AsyncIterator<Bytes> iterate_in_memory(const Bytes& body, std::optional<std::size_t> chunk_size) {
    auto pieces = std::make_shared<std::deque<Bytes>>();
    const std::size_t size = chunk_size ? std::max<std::size_t>(*chunk_size, 1) : body.size();
    for (std::size_t i = 0; i < body.size(); i += size) pieces->push_back(body.substr(i, size));
    return AsyncIterator<Bytes>([pieces] { return pop_front(pieces); });
}

}  // namespace httpx::content
