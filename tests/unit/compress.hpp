// Test helper: compress test input with the real zlib encoder.
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <string_view>

namespace httpx::test {

/// window_bits: MAX_WBITS | 16 for gzip, MAX_WBITS for zlib, -MAX_WBITS for raw deflate.
inline std::string zlib_compress(std::string_view data, int window_bits) {
    z_stream s{};
    EXPECT_EQ(deflateInit2(&s, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&s, data.size()) + 32, '\0');
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    s.avail_in = static_cast<uInt>(data.size());
    s.next_out = reinterpret_cast<Bytef*>(out.data());
    s.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
    out.resize(s.total_out);
    deflateEnd(&s);
    return out;
}

inline std::string gzip(std::string_view data) {
    return zlib_compress(data, MAX_WBITS | 16);
}

}  // namespace httpx::test
