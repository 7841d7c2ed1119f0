#include "content/decoders.hpp"

#include <httpx/exceptions.hpp>

#include <brotli/encode.h>
#include <gtest/gtest.h>

#include <zlib.h>
#include <zstd.h>
#include "compress.hpp"

#include <random>
#include <string>
#include <vector>

namespace {

using httpx::Bytes;
using httpx::content::make_content_decoder;

using httpx::test::gzip;
using httpx::test::zlib_compress;

Bytes brotli(std::string_view data) {
    std::size_t size = BrotliEncoderMaxCompressedSize(data.size()) + 16;
    Bytes out(size, '\0');
    EXPECT_TRUE(BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW,
                                      BROTLI_MODE_GENERIC, data.size(),
                                      reinterpret_cast<const std::uint8_t*>(data.data()), &size,
                                      reinterpret_cast<std::uint8_t*>(out.data())));
    out.resize(size);
    return out;
}

Bytes zstd(std::string_view data) {
    Bytes out(ZSTD_compressBound(data.size()), '\0');
    const std::size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
    EXPECT_FALSE(ZSTD_isError(n));
    out.resize(n);
    return out;
}

Bytes decode_all(std::string_view coding, std::string_view body) {
    auto decoder = make_content_decoder(coding);
    Bytes out = decoder->decode(body);
    out += decoder->flush();
    return out;
}

Bytes decode_bytewise(std::string_view coding, std::string_view body) {
    auto decoder = make_content_decoder(coding);
    Bytes out;
    for (char c : body) out += decoder->decode(std::string_view(&c, 1));
    out += decoder->flush();
    return out;
}

// Several hundred KiB of compressible but not trivial data, so output spans several pieces.
Bytes big_text() {
    std::mt19937 rng(42);
    Bytes s;
    const char* words[] = {"alpha ", "beta ", "gamma ", "delta\n", "epsilon ", "zeta "};
    while (s.size() < 600 * 1024) s += words[rng() % 6];
    return s;
}

const Bytes kBody = "test 123";

TEST(ContentDecoders, IdentityPassesThrough) {
    EXPECT_EQ(decode_all("", kBody), kBody);
    EXPECT_EQ(decode_all("identity", kBody), kBody);
}

TEST(ContentDecoders, UnknownCodingIsIgnored) {
    EXPECT_EQ(decode_all("invalid-header", kBody), kBody);
}

TEST(ContentDecoders, Gzip) {
    EXPECT_EQ(decode_all("gzip", gzip(kBody)), kBody);
}

TEST(ContentDecoders, DeflateZlibWrapped) {
    EXPECT_EQ(decode_all("deflate", zlib_compress(kBody, MAX_WBITS)), kBody);
}

TEST(ContentDecoders, DeflateRaw) {
    EXPECT_EQ(decode_all("deflate", zlib_compress(kBody, -MAX_WBITS)), kBody);
}

TEST(ContentDecoders, DeflateRawFedByteByByte) {
    // The raw fallback must still work when the first chunk is too short to reveal the format.
    const Bytes text = big_text();
    EXPECT_EQ(decode_bytewise("deflate", zlib_compress(text, -MAX_WBITS)), text);
    EXPECT_EQ(decode_bytewise("deflate", zlib_compress(text, MAX_WBITS)), text);
}

TEST(ContentDecoders, BrotliLiteral) {
    // HTTPX's own test vector.
    EXPECT_EQ(decode_all("br", Bytes("\x8b\x03\x80test 123\x03", 12)), kBody);
}

TEST(ContentDecoders, Brotli) {
    EXPECT_EQ(decode_all("br", brotli(kBody)), kBody);
}

TEST(ContentDecoders, Zstd) {
    EXPECT_EQ(decode_all("zstd", zstd(kBody)), kBody);
}

TEST(ContentDecoders, ZstdMultiFrameWithSkippableFrame) {
    const Bytes skippable("\x50\x2a\x4d\x18\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 15);
    const Bytes body = zstd("foo") + skippable + zstd("bar");
    EXPECT_EQ(decode_all("zstd", body), "foobar");
    EXPECT_EQ(decode_bytewise("zstd", body), "foobar");
}

TEST(ContentDecoders, ZstdTruncatedFailsAtFlush) {
    const Bytes body = zstd(big_text());
    auto decoder = make_content_decoder("zstd");
    decoder->decode(std::string_view(body).substr(0, body.size() / 2));
    EXPECT_THROW(decoder->flush(), httpx::DecodingError);
    // HTTPX's case: bytes 1..3 of a frame are not even a valid header.
    EXPECT_THROW(decode_all("zstd", zstd(kBody).substr(1, 2)), httpx::DecodingError);
}

TEST(ContentDecoders, ZstdGarbageFails) {
    EXPECT_THROW(decode_all("zstd", "this_is_not_zstd_compressed_data"), httpx::DecodingError);
}

TEST(ContentDecoders, EmptyBodies) {
    for (const char* coding : {"deflate", "gzip", "br", "zstd", "identity"}) {
        EXPECT_EQ(decode_all(coding, ""), "") << coding;
    }
}

TEST(ContentDecoders, CorruptInputThrowsDecodingErrorNamingTheCoding) {
    for (const char* coding : {"deflate", "gzip", "br"}) {
        try {
            decode_all(coding, "invalid");
            ADD_FAILURE() << coding << " accepted garbage";
        } catch (const httpx::DecodingError& e) {
            EXPECT_NE(std::string(e.what()).find(coding), std::string::npos) << e.what();
        }
    }
}

TEST(ContentDecoders, CorruptionInTheMiddleOfAGzipStream) {
    Bytes body = gzip(big_text());
    for (std::size_t i = 200; i < 400; ++i) body[i] = static_cast<char>(body[i] ^ 0x5a);
    EXPECT_THROW(decode_all("gzip", body), httpx::DecodingError);
}

TEST(ContentDecoders, DecodingErrorIsARequestError) {
    try {
        decode_all("gzip", "invalid");
        FAIL();
    } catch (const httpx::RequestError& e) {
        EXPECT_FALSE(e.has_request());
    }
}

TEST(ContentDecoders, ByteByByteEqualsWhole) {
    const Bytes text = big_text();
    const std::vector<std::pair<const char*, Bytes>> cases = {
        {"gzip", gzip(text)}, {"br", brotli(text)}, {"zstd", zstd(text)}};
    for (const auto& [coding, body] : cases) {
        EXPECT_EQ(decode_all(coding, body), text) << coding;
        EXPECT_EQ(decode_bytewise(coding, body), text) << coding;
    }
}

TEST(ContentDecoders, StackedCodingsAreUndoneInReverseOrder) {
    // "deflate, gzip": deflate applied first, then gzip.
    const Bytes body = gzip(zlib_compress(kBody, -MAX_WBITS));
    EXPECT_EQ(decode_all("deflate, gzip", body), kBody);
    EXPECT_EQ(decode_bytewise("deflate, gzip", body), kBody);
    const Bytes text = big_text();
    const Bytes three = zstd(brotli(gzip(text)));
    EXPECT_EQ(decode_all("gzip, br, zstd", three), text);
    EXPECT_EQ(decode_bytewise("GZIP ,Br,  zstd", three), text);
}

TEST(ContentDecoders, StackedWithIdentityAndUnknown) {
    const Bytes body("\x8b\x03\x80test 123\x03", 12);
    EXPECT_EQ(decode_all("br, identity", body), kBody);
    EXPECT_EQ(decode_all("identity, br", body), kBody);
    EXPECT_EQ(decode_all("x-unknown, br", body), kBody);
}

TEST(ContentDecoders, ConcatenatedGzipMembers) {
    EXPECT_EQ(decode_all("gzip", gzip("foo") + gzip("bar")), "foobar");
    EXPECT_EQ(decode_bytewise("gzip", gzip("foo") + gzip("bar")), "foobar");
}

TEST(ContentDecoders, TrailingGarbageAfterGzipIsIgnoredAsHttpx) {
    EXPECT_EQ(decode_all("gzip", gzip(kBody) + "garbage"), kBody);
}

TEST(ContentDecoders, OutputComesInBoundedPieces) {
    // A large expansion (a small input that inflates to 4 MiB) is handed over piece by piece.
    const Bytes zeros(4 * 1024 * 1024, '\0');
    for (const auto& [coding, body] : std::vector<std::pair<const char*, Bytes>>{
             {"gzip", gzip(zeros)}, {"br", brotli(zeros)}, {"zstd", zstd(zeros)}}) {
        auto decoder = make_content_decoder(coding);
        std::size_t total = 0, pieces = 0;
        auto sink = [&](std::string_view piece) {
            EXPECT_LE(piece.size(), httpx::content::kMaxDecodedPiece);
            total += piece.size();
            ++pieces;
        };
        decoder->decode_into(body, sink);
        decoder->flush_into(sink);
        EXPECT_EQ(total, zeros.size()) << coding;
        EXPECT_GT(pieces, 10u) << coding;
    }
}

TEST(ContentDecoders, SinkCanAbortDecoding) {
    // What a decompression-bomb limit will do: throw from the sink after N bytes.
    const Bytes body = gzip(Bytes(4 * 1024 * 1024, 'a'));
    auto decoder = make_content_decoder("gzip");
    std::size_t total = 0;
    struct Limit {};
    EXPECT_THROW(decoder->decode_into(body,
                                      [&](std::string_view piece) {
                                          total += piece.size();
                                          if (total > 100000) throw Limit{};
                                      }),
                 Limit);
    EXPECT_LT(total, 200000u);
}

TEST(ContentDecoders, BrotliDataAfterEndIsAnError) {
    EXPECT_THROW(decode_all("br", brotli(kBody) + "x"), httpx::DecodingError);
}

TEST(ContentDecoders, SupportedEncodings) {
    EXPECT_EQ(httpx::content::supported_content_encodings(), "gzip, deflate, br, zstd");
}

TEST(ContentDecoders, DecodeContentHelper) {
    EXPECT_EQ(httpx::content::decode_content("gzip", gzip(kBody)), kBody);
}

}  // namespace

namespace {

// Stacked codings decode lazily: a reader that pulls one piece gets one piece, whatever the
// expansion (a decompression bomb is gzip over gzip). Every stage hands on bounded pieces.
TEST(ContentDecoders, StackedCodingsDecodeOnePieceAtATime) {
    const Bytes zeros(8 * 1024 * 1024, '\0');
    const Bytes bomb = gzip(gzip(zeros));
    ASSERT_LT(bomb.size(), 2000u);
    auto decoder = make_content_decoder("gzip, gzip");
    decoder->push(bomb);
    std::size_t total = 0;
    for (auto piece = decoder->pull(); !piece.empty(); piece = decoder->pull()) {
        EXPECT_LE(piece.size(), httpx::content::kMaxDecodedPiece);
        EXPECT_EQ(piece.find_first_not_of('\0'), std::string_view::npos);
        total += piece.size();
    }
    decoder->finish();
    EXPECT_EQ(total, zeros.size());
    // Pushed in pieces, with pulls in between, the result is the same.
    auto split = make_content_decoder("gzip, gzip");
    total = 0;
    for (std::size_t i = 0; i < bomb.size(); i += 100) {
        split->push(std::string_view(bomb).substr(i, 100));
        for (auto piece = split->pull(); !piece.empty(); piece = split->pull())
            total += piece.size();
    }
    split->finish();
    EXPECT_EQ(total, zeros.size());
}

}  // namespace

namespace {

// Found by fuzz_decode_zstd: a frame that declares 32 bytes of content, holds an empty last
// block and the right checksum of nothing. libzstd 1.5.4 refuses it when it comes whole and
// accepted it when it came in pieces; now it fails however it is cut.
TEST(ContentDecoders, BrokenZstdFramesFailHoweverTheInputIsCut) {
    const Bytes frame("\x28\xb5\x2f\xfd\x24\x20\x01\x00\x00\x99\xe9\xd8\x51", 13);
    for (std::size_t cut = 0; cut <= frame.size(); ++cut) {
        auto decoder = make_content_decoder("zstd");
        EXPECT_THROW(
            {
                decoder->decode(std::string_view(frame).substr(0, cut));
                decoder->decode(std::string_view(frame).substr(cut));
                decoder->flush();
            },
            httpx::DecodingError)
            << "cut at " << cut;
    }
    // Also found by fuzzing: a frame in the pre-1.0 format (magic ...27), which libzstd's legacy
    // support decoded whole and refused in pieces. It is not the "zstd" coding: refused always.
    const Bytes legacy("\x27\xb5\x2f\xfd\x00\x2f\xfd\xff\x99", 9);
    for (std::size_t cut = 0; cut <= legacy.size(); ++cut) {
        auto decoder = make_content_decoder("zstd");
        EXPECT_THROW(
            {
                decoder->decode(std::string_view(legacy).substr(0, cut));
                decoder->decode(std::string_view(legacy).substr(cut));
                decoder->flush();
            },
            httpx::DecodingError)
            << "cut at " << cut;
    }
    // Found by a 10-minute fuzz run: a frame of no content whose only block is an empty
    // *compressed* block. libzstd's one-pass decoding (a whole frame in one call) calls it
    // corrupt, its streaming decoding accepts it; every frame now takes the streaming path, so
    // it decodes to nothing however it is cut.
    const Bytes empty_block("\x28\xb5\x2f\xfd\x24\x00\x05\x00\x00\x99\xe9\xd8\x51", 13);
    for (std::size_t cut = 0; cut <= empty_block.size(); ++cut) {
        auto decoder = make_content_decoder("zstd");
        std::string out = decoder->decode(std::string_view(empty_block).substr(0, cut));
        out += decoder->decode(std::string_view(empty_block).substr(cut));
        out += decoder->flush();
        EXPECT_EQ(out, "") << "cut at " << cut;
    }
    // Found by a 10-minute fuzz run: a frame that names a dictionary (we have none) and whose
    // bytes after the magic number happen to form a pre-1.0 frame. Handed the magic number
    // alone, then the rest in one call, libzstd decoded that inner "frame" in one pass and
    // succeeded; in other cuts it said "Dictionary mismatch". Now it fails however it is cut.
    const Bytes dictionary("\x28\xb5\x2f\xfd\x27\xb5\x2f\xfd\x74\x00\x2f\xfd\x2f\x00", 14);
    for (std::size_t cut = 0; cut <= dictionary.size(); ++cut) {
        auto decoder = make_content_decoder("zstd");
        EXPECT_THROW(
            {
                decoder->decode(std::string_view(dictionary).substr(0, cut));
                decoder->decode(std::string_view(dictionary).substr(cut));
                decoder->flush();
            },
            httpx::DecodingError)
            << "cut at " << cut;
    }
    EXPECT_THROW(decode_bytewise("zstd", dictionary), httpx::DecodingError);
    // Two good frames back to back still decode, whole and byte by byte.
    const Bytes two = zstd("first ") + zstd("second");
    EXPECT_EQ(decode_all("zstd", two), "first second");
    EXPECT_EQ(decode_bytewise("zstd", two), "first second");
}

}  // namespace
