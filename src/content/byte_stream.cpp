#include "httpx/byte_stream.hpp"

#include "content/byte_stream_access.hpp"
#include "content/file_body.hpp"
#include "httpx/async_generator.hpp"
#include "httpx/exceptions.hpp"

namespace httpx {

struct AsyncByteStream::State {
    enum class Kind { memory, one_shot, replayable };
    Kind kind = Kind::memory;
    Bytes content;                // memory
    AsyncIterator<Bytes> chunks;  // one_shot
    bool consumed = false;        // one_shot: iterated already
    bool never_empty = false;     // one_shot: `chunks` yields no empty chunk, no filter needed
    OpenFn open;                  // replayable
    std::optional<std::uint64_t> length;
    std::function<void()> on_close;
    // A transport's close hook (from_non_empty_chunks): called with its owner, if still alive.
    void (*hook)(void* owner, std::uint64_t word) = nullptr;
    std::weak_ptr<void> hook_owner;
    std::uint64_t hook_word = 0;

    void close() {
        // Tested first: the shared empty state (below) is read by many threads, written by none.
        if (on_close) std::exchange(on_close, nullptr)();
        if (hook) {
            if (auto owner = hook_owner.lock())
                std::exchange(hook, nullptr)(owner.get(), hook_word);
        }
    }
    ~State() { close(); }
};

// The state of every empty in-memory stream made by the default constructor (every request
// without a body has one): shared, never changed (set_close_handler() gives its stream a state
// of its own first), so that such a stream allocates nothing.
const std::shared_ptr<AsyncByteStream::State>& detail::ByteStreamAccess::empty_state() {
    static const auto empty = [] {
        auto state = std::make_shared<AsyncByteStream::State>();
        state->length = 0;
        return state;
    }();
    return empty;
}

namespace {

// The coroutines below take their state as a shared_ptr parameter rather than capturing it
// in a lambda: a coroutine lambda's captures live in the closure, which an AsyncIterator may
// move while a next() is suspended.

awaitable<std::optional<Bytes>> next_non_empty(std::shared_ptr<AsyncIterator<Bytes>> source) {
    while (auto chunk = co_await source->next()) {
        if (!chunk->empty()) co_return chunk;
    }
    co_return std::nullopt;
}

// Skips empty chunks, so that consumers never see them (as HTTPX).
AsyncIterator<Bytes> skipping_empty(AsyncIterator<Bytes> source) {
    auto shared = std::make_shared<AsyncIterator<Bytes>>(std::move(source));
    return AsyncIterator<Bytes>([shared] { return next_non_empty(shared); });
}

awaitable<std::optional<Bytes>> memory_once(std::shared_ptr<const Bytes> content,
                                            std::shared_ptr<bool> done) {
    if (*done || content->empty()) co_return std::nullopt;
    *done = true;
    co_return *content;
}

awaitable<std::optional<Bytes>> call_sync(
    std::shared_ptr<std::function<std::optional<Bytes>()>> next) {
    co_return (*next)();
}

}  // namespace

AsyncIterator<Bytes> AsyncByteStream::from_sync(std::function<std::optional<Bytes>()> next) {
    auto shared = std::make_shared<std::function<std::optional<Bytes>()>>(std::move(next));
    return AsyncIterator<Bytes>([shared] { return call_sync(shared); });
}

AsyncByteStream::AsyncByteStream() : state_(detail::ByteStreamAccess::empty_state()) {}

AsyncByteStream::AsyncByteStream(Bytes content) : state_(std::make_shared<State>()) {
    state_->length = content.size();
    state_->content = std::move(content);
}

AsyncByteStream::AsyncByteStream(const std::filesystem::path& path)
    : AsyncByteStream(content::file_stream(path)) {}

AsyncByteStream::AsyncByteStream(AsyncIterator<Bytes> chunks, std::optional<std::uint64_t> length)
    : state_(std::make_shared<State>()) {
    state_->kind = State::Kind::one_shot;
    state_->chunks = std::move(chunks);
    state_->length = length;
}

AsyncByteStream::AsyncByteStream(AsyncGenerator<Bytes> generator)
    : AsyncByteStream(AsyncIterator<Bytes>([g = std::make_shared<AsyncGenerator<Bytes>>(
                                                std::move(generator))] { return g->next(); })) {}

AsyncByteStream::AsyncByteStream(std::shared_ptr<State> state) : state_(std::move(state)) {}

AsyncByteStream AsyncByteStream::replayable(OpenFn open, std::optional<std::uint64_t> length) {
    auto state = std::make_shared<State>();
    state->kind = State::Kind::replayable;
    state->open = std::move(open);
    state->length = length;
    return AsyncByteStream(std::move(state));
}

AsyncIterator<Bytes> AsyncByteStream::aiter() const {
    switch (state_->kind) {
        case State::Kind::memory:
            return AsyncIterator<Bytes>(
                [content = std::shared_ptr<const Bytes>(state_, &state_->content),
                 done = std::make_shared<bool>(false)] { return memory_once(content, done); });
        case State::Kind::one_shot:
            if (state_->consumed) throw StreamConsumed();
            state_->consumed = true;
            if (state_->never_empty) return std::move(state_->chunks);
            return skipping_empty(std::move(state_->chunks));
        case State::Kind::replayable:
            return skipping_empty(state_->open());
    }
    return {};
}

AsyncByteStream detail::ByteStreamAccess::from_non_empty_chunks(
    AsyncIterator<Bytes> chunks, std::optional<std::uint64_t> length) {
    AsyncByteStream stream(std::move(chunks), length);
    stream.state_->never_empty = true;
    return stream;
}

AsyncByteStream detail::ByteStreamAccess::from_non_empty_chunks(
    AsyncIterator<Bytes> chunks, std::optional<std::uint64_t> length, std::weak_ptr<void> owner,
    void (*on_close)(void* owner, std::uint64_t word), std::uint64_t word) {
    AsyncByteStream stream = from_non_empty_chunks(std::move(chunks), length);
    stream.state_->hook = on_close;
    stream.state_->hook_owner = std::move(owner);
    stream.state_->hook_word = word;
    return stream;
}

awaitable<Bytes> AsyncByteStream::aread() const {
    if (state_->kind == State::Kind::memory) co_return state_->content;
    Bytes out;
    if (state_->length) out.reserve(*state_->length);
    auto chunks = aiter();
    while (auto chunk = co_await chunks.next()) out += *chunk;
    co_return out;
}

std::optional<std::uint64_t> AsyncByteStream::length() const {
    return state_->length;
}

bool AsyncByteStream::is_replayable() const {
    return state_->kind != State::Kind::one_shot;
}

const Bytes* AsyncByteStream::buffer() const {
    return state_->kind == State::Kind::memory ? &state_->content : nullptr;
}

void AsyncByteStream::set_close_handler(std::function<void()> on_close) {
    if (state_ == detail::ByteStreamAccess::empty_state()) {
        state_ = std::make_shared<State>();
        state_->length = 0;  // still the empty in-memory stream, now with a state of its own
    }
    state_->on_close = std::move(on_close);
}

void AsyncByteStream::close() const {
    state_->close();
}

}  // namespace httpx
