#include "content/decoders.hpp"

#include <httpx/exceptions.hpp>

#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace httpx::content {

namespace {

[[noreturn]] void fail(std::string_view coding, std::string_view reason) {
    throw DecodingError("Failed to decode '" + std::string(coding) +
                        "' content: " + std::string(reason));
}

// One output buffer per decoder, allocated on first use and reused for every chunk.
class OutputBuffer {
public:
    unsigned char* data() {
        if (!buffer_) buffer_ = std::make_unique<unsigned char[]>(kMaxDecodedPiece);
        return buffer_.get();
    }
    static constexpr std::size_t size() { return kMaxDecodedPiece; }
    std::string_view view(std::size_t n) const {
        return {reinterpret_cast<const char*>(buffer_.get()), n};
    }

private:
    std::unique_ptr<unsigned char[]> buffer_;
};

class IdentityDecoder final : public ContentDecoder {
public:
    void decode_into(std::string_view chunk, ByteSink sink) override {
        if (!chunk.empty()) sink(chunk);
    }
    void flush_into(ByteSink) override {}
};

// gzip and deflate share zlib's inflate.
class ZlibDecoder final : public ContentDecoder {
public:
    enum class Kind { gzip, deflate };

    explicit ZlibDecoder(Kind kind) : kind_(kind), probing_(kind == Kind::deflate) {
        // gzip: MAX_WBITS|16 accepts only the gzip wrapper. deflate: zlib-wrapped first.
        init(kind == Kind::gzip ? MAX_WBITS | 16 : MAX_WBITS);
    }
    ~ZlibDecoder() override { inflateEnd(&stream_); }

    void decode_into(std::string_view chunk, ByteSink sink) override {
        if (chunk.empty()) return;
        if (!probing_) {
            run(chunk, sink);
            return;
        }
        // Servers send "deflate" both zlib-wrapped (RFC 9110) and raw. Until some output has been
        // produced we can still switch to raw deflate and replay what we were given (HTTPX retries
        // the first chunk only; keeping the input also covers a wrapper split across chunks).
        probe_input_.append(chunk);
        try {
            run(chunk, sink);
        } catch (const DecodingError&) {
            if (!probing_) throw;
            probing_ = false;
            inflateEnd(&stream_);
            init(-MAX_WBITS);
            std::string replay = std::move(probe_input_);
            probe_input_.clear();
            run(replay, sink);
            return;
        }
        if (!probing_) probe_input_ = std::string();
    }

    void flush_into(ByteSink) override {
        // Like HTTPX (zlib's decompressobj().flush()), a truncated stream is not an error here:
        // everything decodable was already produced by decode_into().
    }

private:
    std::string_view name() const { return kind_ == Kind::gzip ? "gzip" : "deflate"; }

    void init(int window_bits) {
        stream_ = z_stream{};
        if (inflateInit2(&stream_, window_bits) != Z_OK) fail(name(), "cannot initialise zlib");
        state_ = State::inflating;
        magic_.clear();
    }

    void run(std::string_view input, ByteSink sink) {
        std::size_t pos = 0;
        while (pos < input.size()) {
            if (state_ == State::ignoring) return;
            if (state_ == State::between_members) {
                pos = check_next_member(input, pos);
                continue;
            }
            pos = inflate_some(input, pos, sink);
        }
    }

    // Inflates from input[pos...], returns the new position.
    std::size_t inflate_some(std::string_view input, std::size_t pos, ByteSink sink) {
        stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data() + pos));
        // zlib counts in uInt; feed huge chunks in slices.
        const std::size_t slice = std::min<std::size_t>(input.size() - pos, 1u << 30);
        stream_.avail_in = static_cast<uInt>(slice);
        for (;;) {
            stream_.next_out = out_.data();
            stream_.avail_out = static_cast<uInt>(out_.size());
            const int rc = inflate(&stream_, Z_NO_FLUSH);
            const std::size_t produced = out_.size() - stream_.avail_out;
            if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
                fail(name(), stream_.msg         ? stream_.msg
                             : rc == Z_NEED_DICT ? "a preset dictionary is required"
                             : rc == Z_MEM_ERROR ? "out of memory"
                                                 : "invalid compressed data");
            }
            if (produced > 0) {
                probing_ = false;
                sink(out_.view(produced));
            }
            if (rc == Z_STREAM_END) {
                // gzip allows several members back to back; anything else after the end of the
                // stream is ignored, as Python's decompressobj does (it lands in unused_data).
                state_ = kind_ == Kind::gzip ? State::between_members : State::ignoring;
                break;
            }
            if (stream_.avail_in == 0 && stream_.avail_out != 0) break;
            if (rc == Z_BUF_ERROR && stream_.avail_in == 0) break;
        }
        return pos + (slice - stream_.avail_in);
    }

    // After a gzip member: another member starts with the magic bytes 1f 8b, which may arrive
    // split across chunks.
    std::size_t check_next_member(std::string_view input, std::size_t pos) {
        while (pos < input.size() && magic_.size() < 2) magic_.push_back(input[pos++]);
        if (magic_[0] != '\x1f' || (magic_.size() == 2 && magic_[1] != '\x8b')) {
            state_ = State::ignoring;
            return input.size();
        }
        if (magic_.size() < 2) return pos;
        if (inflateReset(&stream_) != Z_OK) fail(name(), "cannot reset zlib");
        const std::string magic = std::move(magic_);
        magic_.clear();
        state_ = State::inflating;
        // Feed the two magic bytes, which were taken from possibly different chunks.
        struct Discard {
            void operator()(std::string_view) const {}
        };
        inflate_some(magic, 0, Discard{});  // a gzip header produces no output
        return pos;
    }

    enum class State { inflating, between_members, ignoring };

    Kind kind_;
    State state_ = State::inflating;
    z_stream stream_{};
    OutputBuffer out_;
    bool probing_;  // deflate only: the raw fallback is still possible
    std::string probe_input_;
    std::string magic_;
};

class BrotliDecoder final : public ContentDecoder {
public:
    BrotliDecoder() : state_(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr)) {
        if (!state_) fail("br", "cannot create a brotli decoder");
    }
    ~BrotliDecoder() override { BrotliDecoderDestroyInstance(state_); }

    void decode_into(std::string_view chunk, ByteSink sink) override {
        if (chunk.empty()) return;
        if (finished_) fail("br", "unexpected data after the end of the stream");
        auto* next_in = reinterpret_cast<const std::uint8_t*>(chunk.data());
        std::size_t avail_in = chunk.size();
        for (;;) {
            std::uint8_t* next_out = out_.data();
            std::size_t avail_out = out_.size();
            const auto rc = BrotliDecoderDecompressStream(state_, &avail_in, &next_in, &avail_out,
                                                          &next_out, nullptr);
            if (rc == BROTLI_DECODER_RESULT_ERROR) {
                fail("br", BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state_)));
            }
            const std::size_t produced = out_.size() - avail_out;
            if (produced > 0) sink(out_.view(produced));
            if (rc == BROTLI_DECODER_RESULT_SUCCESS) {
                finished_ = true;
                if (avail_in != 0) fail("br", "unexpected data after the end of the stream");
                return;
            }
            if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) return;
        }
    }

    void flush_into(ByteSink) override {
        // As HTTPX with the 'brotli' package: all output was produced eagerly; truncation is not
        // reported.
    }

private:
    BrotliDecoderState* state_;
    OutputBuffer out_;
    bool finished_ = false;
};

class ZstdDecoder final : public ContentDecoder {
public:
    ZstdDecoder() : context_(ZSTD_createDStream()) {
        if (!context_) fail("zstd", "cannot create a zstd decoder");
    }
    ~ZstdDecoder() override { ZSTD_freeDStream(context_); }

    void decode_into(std::string_view chunk, ByteSink sink) override {
        if (chunk.empty()) return;
        ZSTD_inBuffer in{chunk.data(), chunk.size(), 0};
        // ZSTD_decompressStream moves on to the next frame by itself (skippable frames included),
        // so a multi-frame body needs no special handling.
        for (;;) {
            ZSTD_outBuffer out{out_.data(), out_.size(), 0};
            const std::size_t consumed_before = in.pos;
            const std::size_t rc = ZSTD_decompressStream(context_, &out, &in);
            if (ZSTD_isError(rc)) fail("zstd", ZSTD_getErrorName(rc));
            // A call that only confirms there is nothing left must not reset the state: after
            // a completed frame it would report "expecting the next frame's header".
            if (in.pos != consumed_before || out.pos > 0) frame_complete_ = rc == 0;
            if (out.pos > 0) sink(out_.view(out.pos));
            if (in.pos == in.size && out.pos < out.size) return;
        }
    }

    void flush_into(ByteSink) override {
        // Seen data that stops mid-frame is an error (HTTPX: "Zstandard data is incomplete").
        if (seen_data() && !*frame_complete_) fail("zstd", "data is incomplete");
    }

private:
    bool seen_data() const { return frame_complete_.has_value(); }

    ZSTD_DStream* context_;
    OutputBuffer out_;
    std::optional<bool> frame_complete_;  // nullopt until some input arrived
};

class MultiDecoder final : public ContentDecoder {
public:
    // `children` in the order the codings were applied; decoding runs in reverse.
    explicit MultiDecoder(std::vector<std::unique_ptr<ContentDecoder>> children)
        : children_(std::move(children)) {
        std::reverse(children_.begin(), children_.end());
    }

    void decode_into(std::string_view chunk, ByteSink sink) override { feed(0, chunk, sink); }

    void flush_into(ByteSink sink) override {
        // Flushing one stage may produce input for the next, which is then flushed in turn.
        for (std::size_t i = 0; i < children_.size(); ++i) {
            auto forward = [&](std::string_view piece) { feed(i + 1, piece, sink); };
            children_[i]->flush_into(forward);
        }
    }

private:
    void feed(std::size_t index, std::string_view data, ByteSink sink) {
        if (index == children_.size()) {
            if (!data.empty()) sink(data);
            return;
        }
        auto forward = [&](std::string_view piece) { feed(index + 1, piece, sink); };
        children_[index]->decode_into(data, forward);
    }

    std::vector<std::unique_ptr<ContentDecoder>> children_;
};

std::unique_ptr<ContentDecoder> make_single(std::string_view coding) {
    if (coding == "identity") return std::make_unique<IdentityDecoder>();
    if (coding == "gzip") return std::make_unique<ZlibDecoder>(ZlibDecoder::Kind::gzip);
    if (coding == "deflate") return std::make_unique<ZlibDecoder>(ZlibDecoder::Kind::deflate);
    if (coding == "br") return std::make_unique<BrotliDecoder>();
    if (coding == "zstd") return std::make_unique<ZstdDecoder>();
    return nullptr;
}

std::string_view trim(std::string_view s) {
    const auto not_space = [](char c) { return c != ' ' && c != '\t'; };
    while (!s.empty() && !not_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && !not_space(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

ContentDecoder::~ContentDecoder() = default;

Bytes ContentDecoder::decode(std::string_view chunk) {
    Bytes result;
    decode_into(chunk, [&](std::string_view piece) { result.append(piece); });
    return result;
}

Bytes ContentDecoder::flush() {
    Bytes result;
    flush_into([&](std::string_view piece) { result.append(piece); });
    return result;
}

std::unique_ptr<ContentDecoder> make_content_decoder(std::string_view content_encoding) {
    std::vector<std::unique_ptr<ContentDecoder>> decoders;
    std::string coding;
    while (!content_encoding.empty()) {
        const auto comma = content_encoding.find(',');
        const auto item = trim(content_encoding.substr(0, comma));
        content_encoding.remove_prefix(comma == std::string_view::npos ? content_encoding.size()
                                                                       : comma + 1);
        coding.assign(item);
        std::transform(coding.begin(), coding.end(), coding.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (auto decoder = make_single(coding)) decoders.push_back(std::move(decoder));
    }
    if (decoders.empty()) return std::make_unique<IdentityDecoder>();
    if (decoders.size() == 1) return std::move(decoders.front());
    return std::make_unique<MultiDecoder>(std::move(decoders));
}

std::string_view supported_content_encodings() {
    return "gzip, deflate, br, zstd";
}

Bytes decode_content(std::string_view content_encoding, std::string_view body) {
    auto decoder = make_content_decoder(content_encoding);
    Bytes result;
    auto append = [&](std::string_view piece) { result.append(piece); };
    decoder->decode_into(body, append);
    decoder->flush_into(append);
    return result;
}

}  // namespace httpx::content
