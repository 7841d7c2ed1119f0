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
#include <utility>
#include <vector>

namespace httpx::content {

namespace {

[[noreturn]] void fail(std::string_view coding, std::string_view reason) {
    throw DecodingError("Failed to decode '" + std::string(coding) +
                        "' content: " + std::string(reason));
}

// One output buffer per decoder, allocated on first use and reused for every piece.
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

// Encoded input not decoded yet: copies of what push() gave, consumed from the front.
class PendingInput {
public:
    void append(std::string_view input) {
        if (empty()) {
            data_.assign(input);
        } else {
            data_.erase(0, pos_);
            data_.append(input);
        }
        pos_ = 0;
    }
    // Puts bytes back in front (a gzip member's magic bytes, which may come from two pushes).
    void prepend(std::string_view bytes) {
        data_ = std::string(bytes) + std::string(view());
        pos_ = 0;
    }
    std::string_view view() const { return std::string_view(data_).substr(pos_); }
    void consume(std::size_t n) { pos_ += n; }
    bool empty() const { return pos_ == data_.size(); }
    void clear() {
        data_.clear();
        pos_ = 0;
    }

private:
    std::string data_;
    std::size_t pos_ = 0;
};

class IdentityDecoder final : public ContentDecoder {
public:
    void push(std::string_view input) override { input_.append(input); }
    std::string_view pull() override {
        const auto piece = input_.view().substr(0, kMaxDecodedPiece);
        input_.consume(piece.size());
        return piece;
    }
    void finish() override {}
    bool passes_through() const noexcept override { return true; }

private:
    PendingInput input_;
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

    void push(std::string_view input) override {
        if (input.empty() || state_ == State::ignoring) return;
        input_.append(input);
        // Servers send "deflate" both zlib-wrapped (RFC 9110) and raw. Until some output has been
        // produced we can still switch to raw deflate and replay what we were given (HTTPX retries
        // the first chunk only; keeping the input also covers a wrapper split across chunks).
        if (probing_) probe_input_.append(input);
    }

    std::string_view pull() override {
        for (;;) {
            if (state_ == State::ignoring) {
                input_.clear();
                return {};
            }
            if (input_.empty() && !more_output_) return {};
            if (state_ == State::between_members) {
                check_next_member();
                continue;
            }
            const Step step = inflate_step();
            if (step.produced > 0) return out_.view(step.produced);
            if (step.consumed == 0 && !step.ended && !step.restarted) return {};  // needs input
        }
    }

    void finish() override {
        // Like HTTPX (zlib's decompressobj().flush()), a truncated stream is not an error here:
        // everything decodable was already produced by pull().
    }

private:
    std::string_view name() const { return kind_ == Kind::gzip ? "gzip" : "deflate"; }

    void init(int window_bits) {
        stream_ = z_stream{};
        if (inflateInit2(&stream_, window_bits) != Z_OK) fail(name(), "cannot initialise zlib");
        state_ = State::inflating;
        more_output_ = false;
        magic_.clear();
    }

    struct Step {
        std::size_t consumed = 0, produced = 0;
        bool ended = false;      // the end of a stream (or gzip member)
        bool restarted = false;  // switched to raw deflate: go again with the same input
    };

    // One call of inflate with room for one output piece.
    Step inflate_step() {
        const auto input = input_.view();
        // zlib counts in uInt; feed huge inputs in slices.
        const std::size_t slice = std::min<std::size_t>(input.size(), 1u << 30);
        stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
        stream_.avail_in = static_cast<uInt>(slice);
        stream_.next_out = out_.data();
        stream_.avail_out = static_cast<uInt>(out_.size());
        const int rc = inflate(&stream_, Z_NO_FLUSH);
        Step step{slice - stream_.avail_in, out_.size() - stream_.avail_out, rc == Z_STREAM_END};
        input_.consume(step.consumed);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            if (probing_) {
                // Not zlib-wrapped: start over as raw deflate with everything received so far.
                probing_ = false;
                inflateEnd(&stream_);
                init(-MAX_WBITS);
                input_.clear();
                input_.append(std::exchange(probe_input_, std::string()));
                return Step{.restarted = true};
            }
            fail(name(), stream_.msg         ? stream_.msg
                         : rc == Z_NEED_DICT ? "a preset dictionary is required"
                         : rc == Z_MEM_ERROR ? "out of memory"
                                             : "invalid compressed data");
        }
        // A full output buffer may mean more output without more input.
        more_output_ = stream_.avail_out == 0;
        if (step.produced > 0 && probing_) {
            probing_ = false;
            probe_input_ = std::string();
        }
        if (step.ended) {
            // gzip allows several members back to back; anything else after the end of the
            // stream is ignored, as Python's decompressobj does (it lands in unused_data).
            state_ = kind_ == Kind::gzip ? State::between_members : State::ignoring;
            more_output_ = false;
        }
        return step;
    }

    // After a gzip member: another member starts with the magic bytes 1f 8b, which may arrive
    // split across pushes.
    void check_next_member() {
        while (!input_.empty() && magic_.size() < 2) {
            magic_.push_back(input_.view().front());
            input_.consume(1);
        }
        if (magic_[0] != '\x1f' || (magic_.size() == 2 && magic_[1] != '\x8b')) {
            state_ = State::ignoring;
            return;
        }
        if (magic_.size() < 2) return;
        if (inflateReset(&stream_) != Z_OK) fail(name(), "cannot reset zlib");
        state_ = State::inflating;
        input_.prepend(std::exchange(magic_, std::string()));  // the new member's header
    }

    enum class State { inflating, between_members, ignoring };

    Kind kind_;
    State state_ = State::inflating;
    z_stream stream_{};
    PendingInput input_;
    OutputBuffer out_;
    bool more_output_ = false;
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

    void push(std::string_view input) override {
        if (input.empty()) return;
        if (finished_) fail("br", "unexpected data after the end of the stream");
        input_.append(input);
    }

    std::string_view pull() override {
        for (;;) {
            if (finished_ || (input_.empty() && !more_output_)) return {};
            const auto input = input_.view();
            auto* next_in = reinterpret_cast<const std::uint8_t*>(input.data());
            std::size_t avail_in = input.size();
            std::uint8_t* next_out = out_.data();
            std::size_t avail_out = out_.size();
            const auto rc = BrotliDecoderDecompressStream(state_, &avail_in, &next_in, &avail_out,
                                                          &next_out, nullptr);
            input_.consume(input.size() - avail_in);
            if (rc == BROTLI_DECODER_RESULT_ERROR) {
                fail("br", BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state_)));
            }
            more_output_ = rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
            if (rc == BROTLI_DECODER_RESULT_SUCCESS) {
                finished_ = true;
                if (!input_.empty()) fail("br", "unexpected data after the end of the stream");
            }
            const std::size_t produced = out_.size() - avail_out;
            if (produced > 0) return out_.view(produced);
            if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) return {};
        }
    }

    void finish() override {
        // As HTTPX with the 'brotli' package: all output was produced eagerly; truncation is not
        // reported.
    }

private:
    BrotliDecoderState* state_;
    PendingInput input_;
    OutputBuffer out_;
    bool more_output_ = false;
    bool finished_ = false;
};

class ZstdDecoder final : public ContentDecoder {
public:
    ZstdDecoder() : context_(ZSTD_createDStream()) {
        if (!context_) fail("zstd", "cannot create a zstd decoder");
    }
    ~ZstdDecoder() override { ZSTD_freeDStream(context_); }

    void push(std::string_view input) override { input_.append(input); }

    std::string_view pull() override {
        // ZSTD_decompressStream moves on to the next frame by itself (skippable frames included),
        // so a multi-frame body needs no special handling.
        for (;;) {
            if (input_.empty() && !more_output_) return {};
            auto input = input_.view();
            // When a call completes a frame header, libzstd checks whether the bytes this call
            // started with hold a whole frame, and if so decodes them in one pass: stricter than
            // its streaming path (an empty compressed block is "Data corruption" whole, accepted
            // in pieces), and wrong when the call started inside the frame at bytes that look
            // like another frame (a legacy one behind the magic number; both found by fuzzing).
            // Handing it each frame's header byte by byte keeps every frame on the streaming
            // path, since no frame fits in one byte, so the result does not depend on the cut.
            // (libzstd then also refuses the pre-1.0 formats, which are not the "zstd" coding:
            // it recognises them only from a magic number given whole.)
            if (frame_head_.size() < kMaxFrameHeader) input = input.substr(0, 1);
            ZSTD_inBuffer in{input.data(), input.size(), 0};
            ZSTD_outBuffer out{out_.data(), out_.size(), 0};
            const std::size_t rc = ZSTD_decompressStream(context_, &out, &in);
            if (ZSTD_isError(rc)) fail("zstd", ZSTD_getErrorName(rc));
            if (frame_head_.size() < kMaxFrameHeader) {
                frame_head_.append(
                    input.substr(0, std::min(in.pos, kMaxFrameHeader - frame_head_.size())));
            }
            frame_decoded_ += out.pos;
            input_.consume(in.pos);
            // A call that only confirms there is nothing left must not reset the state: after
            // a completed frame it would report "expecting the next frame's header".
            if (in.pos > 0 || out.pos > 0) {
                frame_complete_ = rc == 0;
                if (rc == 0) end_frame();
            }
            more_output_ = out.pos == out.size;
            if (out.pos > 0) return out_.view(out.pos);
            if (in.pos == 0) return {};
        }
    }

    void finish() override {
        // Seen data that stops mid-frame is an error (HTTPX: "Zstandard data is incomplete").
        if (seen_data() && !*frame_complete_) fail("zstd", "data is incomplete");
    }

private:
    bool seen_data() const { return frame_complete_.has_value(); }

    // libzstd checks a frame's declared content size when the whole frame comes in one call,
    // but not always when it comes in pieces (an empty last block skips the check, 1.5.4): check
    // it here, so that the result does not depend on how the body was cut (found by fuzzing).
    void end_frame() {
        const auto declared = ZSTD_getFrameContentSize(frame_head_.data(), frame_head_.size());
        if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR &&
            declared != frame_decoded_) {
            fail("zstd", "Data corruption detected");
        }
        frame_head_.clear();
        frame_decoded_ = 0;
    }

    static constexpr std::size_t kMaxFrameHeader = 18;  // ZSTD_FRAMEHEADERSIZE_MAX

    ZSTD_DStream* context_;
    PendingInput input_;
    OutputBuffer out_;
    bool more_output_ = false;
    std::optional<bool> frame_complete_;  // nullopt until some input was decoded
    std::string frame_head_;              // the first bytes of the current frame
    std::uint64_t frame_decoded_ = 0;     // output of the current frame so far
};

class MultiDecoder final : public ContentDecoder {
public:
    // `children` in the order the codings were applied; decoding runs in reverse.
    explicit MultiDecoder(std::vector<std::unique_ptr<ContentDecoder>> children)
        : children_(std::move(children)) {
        std::reverse(children_.begin(), children_.end());
    }

    void push(std::string_view input) override { children_.front()->push(input); }
    std::string_view pull() override { return pull_from(children_.size() - 1); }
    void finish() override {
        for (auto& child : children_) child->finish();
    }

private:
    // Output of stage `index`, pulling its input from the stage before only when it runs dry:
    // each stage holds at most one piece, however much the stages expand.
    std::string_view pull_from(std::size_t index) {
        for (;;) {
            const auto piece = children_[index]->pull();
            if (!piece.empty() || index == 0) return piece;
            const auto input = pull_from(index - 1);
            if (input.empty()) return {};
            children_[index]->push(input);
        }
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

void ContentDecoder::decode_into(std::string_view chunk, ByteSink sink) {
    push(chunk);
    for (auto piece = pull(); !piece.empty(); piece = pull()) sink(piece);
}

void ContentDecoder::flush_into(ByteSink sink) {
    for (auto piece = pull(); !piece.empty(); piece = pull()) sink(piece);
    finish();
}

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
