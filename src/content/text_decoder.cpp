#include "content/text_decoder.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace httpx::content {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trim(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

// Python's encodings.normalize_encoding, lower-cased: separators become '_'.
std::string normalize(std::string_view name) {
    std::string out;
    for (char c : trim(name)) {
        const bool alnum =
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.';
        if (alnum) {
            out.push_back(lower(c));
        } else if (!out.empty() && out.back() != '_') {
            out.push_back('_');
        }
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out;
}

enum class Builtin { none, utf8, utf8_sig, ascii, latin1 };

// The charsets decoded without iconv, with Python's aliases for them.
Builtin builtin_for(const std::string& n) {
    static constexpr std::string_view utf8[] = {"utf_8",   "utf8",      "u8",       "utf",
                                                "cp65001", "utf8_ucs2", "utf8_ucs4"};
    static constexpr std::string_view ascii[] = {
        "ascii", "us_ascii", "646",    "us",        "ansi_x3.4_1968",   "ansi_x3.4_1986",
        "cp367", "csascii",  "ibm367", "iso646_us", "iso_646.irv_1991", "iso_ir_6"};
    static constexpr std::string_view latin1[] = {
        "latin_1", "latin1", "l1",     "latin",      "iso_8859_1",  "iso8859_1",
        "8859",    "cp819",  "ibm819", "iso_ir_100", "csisolatin1", "iso_8859_1_1987"};
    const auto in = [&](const auto& list) {
        return std::find(std::begin(list), std::end(list), n) != std::end(list);
    };
    if (in(utf8)) return Builtin::utf8;
    if (n == "utf_8_sig") return Builtin::utf8_sig;
    if (in(ascii)) return Builtin::ascii;
    if (in(latin1)) return Builtin::latin1;
    return Builtin::none;
}

// Names to try with iconv for a charset: as given, with Python's '_' spelled '-', and a few
// Python spellings glibc does not know.
std::vector<std::string> iconv_candidates(std::string_view name) {
    std::vector<std::string> out;
    const std::string given(trim(name));
    // '/' would select iconv's //TRANSLIT-style suffixes; a charset name never contains one.
    if (given.empty() || given.find('/') != std::string::npos) return out;
    out.push_back(given);
    const std::string n = normalize(name);
    std::string dashed = n;
    std::replace(dashed.begin(), dashed.end(), '_', '-');
    out.push_back(dashed);
    for (const char* suffix : {"_le", "_be"}) {  // utf_16_le -> UTF-16LE
        if (n.size() > 3 && n.ends_with(suffix)) {
            std::string s = n.substr(0, n.size() - 3);
            std::replace(s.begin(), s.end(), '_', '-');
            out.push_back(s + (suffix[1] == 'l' ? "LE" : "BE"));
        }
    }
    if (n == "mac_roman" || n == "macroman") out.push_back("MACINTOSH");
    return out;
}

iconv_t open_iconv(std::string_view name) {
    for (const auto& candidate : iconv_candidates(name)) {
        iconv_t cd = iconv_open("UTF-8", candidate.c_str());
        if (cd != reinterpret_cast<iconv_t>(-1)) return cd;
    }
    return reinterpret_cast<iconv_t>(-1);
}

enum class Step { valid, invalid, incomplete };

// Classifies the UTF-8 sequence at p[0..n) (n >= 1) following Unicode's table of well-formed
// sequences. `len` is the sequence length when valid, the length of the maximal ill-formed
// subpart (one U+FFFD each, as CPython) when invalid, and the bytes available when incomplete.
Step utf8_step(const unsigned char* p, std::size_t n, std::size_t& len) {
    const unsigned char b0 = p[0];
    if (b0 < 0x80) {
        len = 1;
        return Step::valid;
    }
    std::size_t need = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 3;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;  // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 4;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
        len = 1;
        return Step::invalid;
    }
    for (std::size_t i = 1; i < need; ++i) {
        if (i >= n) {
            len = i;
            return Step::incomplete;
        }
        const unsigned char b = p[i];
        if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF)) {
            len = i;
            return Step::invalid;
        }
    }
    len = need;
    return Step::valid;
}

}  // namespace

class TextDecoder::Impl {
public:
    virtual ~Impl() = default;
    virtual void decode(std::string_view in, std::string& out) = 0;
    virtual void flush(std::string& out) = 0;
};

namespace {

class Utf8Impl final : public TextDecoder::Impl {
public:
    explicit Utf8Impl(bool strip_bom) : strip_bom_(strip_bom) {}

    void decode(std::string_view in, std::string& out) override {
        const std::size_t start = out.size();
        const auto* p = reinterpret_cast<const unsigned char*>(in.data());
        std::size_t n = in.size(), pos = 0;
        if (pending_len_ > 0) pos = complete_pending(p, n, out);
        std::size_t run = pos;  // start of a run of valid bytes not yet copied
        while (pos < n) {
            // Fast path: ASCII.
            while (pos < n && p[pos] < 0x80) ++pos;
            if (pos == n) break;
            std::size_t len = 0;
            const Step step = utf8_step(p + pos, n - pos, len);
            if (step == Step::valid) {
                pos += len;
                continue;
            }
            out.append(in.data() + run, pos - run);
            if (step == Step::invalid) {
                out.append(kReplacement);
                pos += len;
                run = pos;
            } else {
                std::memcpy(pending_.data(), p + pos, len);
                pending_len_ = len;
                pos = run = n;
            }
        }
        out.append(in.data() + run, pos - run);
        check_bom(out, start);
    }

    void flush(std::string& out) override {
        if (pending_len_ > 0) out.append(kReplacement);
        pending_len_ = 0;
    }

private:
    // Completes the character held back from the previous chunk; returns the bytes used.
    std::size_t complete_pending(const unsigned char* p, std::size_t n, std::string& out) {
        std::size_t used = 0;
        while (used < n) {
            pending_[pending_len_++] = p[used++];
            std::size_t len = 0;
            const Step step = utf8_step(pending_.data(), pending_len_, len);
            if (step == Step::incomplete) continue;
            if (step == Step::valid) {
                out.append(reinterpret_cast<const char*>(pending_.data()), len);
            } else {
                // The held bytes were a valid prefix, so the byte just added is the offending
                // one: it starts afresh in the main loop.
                out.append(kReplacement);
                --used;
            }
            pending_len_ = 0;
            break;
        }
        return used;
    }

    void check_bom(std::string& out, std::size_t start) {
        if (!strip_bom_ || out.size() == start) return;
        strip_bom_ = false;  // only at the very beginning of the text
        if (std::string_view(out).substr(start).starts_with("\xEF\xBB\xBF")) out.erase(start, 3);
    }

    std::array<unsigned char, 4> pending_{};
    std::size_t pending_len_ = 0;
    bool strip_bom_;
};

class AsciiImpl final : public TextDecoder::Impl {
public:
    void decode(std::string_view in, std::string& out) override {
        for (char c : in) {
            if (static_cast<unsigned char>(c) < 0x80) {
                out.push_back(c);
            } else {
                out.append(kReplacement);
            }
        }
    }
    void flush(std::string&) override {}
};

class Latin1Impl final : public TextDecoder::Impl {
public:
    void decode(std::string_view in, std::string& out) override {
        for (char c : in) {
            const auto b = static_cast<unsigned char>(c);
            if (b < 0x80) {
                out.push_back(c);
            } else {
                out.push_back(static_cast<char>(0xC0 | (b >> 6)));
                out.push_back(static_cast<char>(0x80 | (b & 0x3F)));
            }
        }
    }
    void flush(std::string&) override {}
};

class IconvImpl final : public TextDecoder::Impl {
public:
    explicit IconvImpl(iconv_t cd) : cd_(cd) {}
    ~IconvImpl() override { iconv_close(cd_); }

    void decode(std::string_view in, std::string& out) override {
        if (!pending_.empty()) {
            pending_.append(in);
            std::string input = std::move(pending_);
            pending_.clear();
            convert(input, out);
        } else {
            convert(in, out);
        }
    }

    void flush(std::string& out) override {
        if (!pending_.empty()) out.append(kReplacement);
        pending_.clear();
        // Return to the initial shift state (stateful charsets such as ISO-2022-JP).
        iconv(cd_, nullptr, nullptr, nullptr, nullptr);
    }

private:
    void convert(std::string_view in, std::string& out) {
        char* src = const_cast<char*>(in.data());
        std::size_t src_left = in.size();
        while (src_left > 0) {
            const std::size_t old_size = out.size();
            const std::size_t room = src_left * 4 + 16;
            out.resize(old_size + room);
            char* dst = out.data() + old_size;
            std::size_t dst_left = room;
            const std::size_t rc = iconv(cd_, &src, &src_left, &dst, &dst_left);
            const int err = errno;
            out.resize(old_size + (room - dst_left));
            replace_out_of_range(out, old_size);
            if (rc != static_cast<std::size_t>(-1)) break;
            if (err == E2BIG) continue;
            if (err == EINVAL) {  // an incomplete character ends the chunk: wait for the rest
                pending_.assign(src, src_left);
                break;
            }
            // EILSEQ: an invalid or unmappable byte. Python's "replace" skips it.
            out.append(kReplacement);
            ++src;
            --src_left;
        }
    }

    // glibc's iconv writes code points above U+10FFFF (UCS-4 input) and surrogates as
    // over-long UTF-8 sequences: each such character becomes one U+FFFD (found by fuzzing).
    // iconv only ever writes whole characters, so this does not depend on how input is cut.
    static void replace_out_of_range(std::string& out, std::size_t from) {
        const auto* p = reinterpret_cast<const unsigned char*>(out.data());
        const std::size_t n = out.size();
        std::size_t pos = from;
        std::size_t len = 0;
        while (pos < n && (p[pos] < 0x80 || utf8_step(p + pos, n - pos, len) == Step::valid))
            pos += p[pos] < 0x80 ? 1 : len;
        if (pos == n) return;  // the usual case: all valid
        std::string fixed(out, from, pos - from);
        while (pos < n) {
            if (p[pos] < 0x80 || utf8_step(p + pos, n - pos, len) == Step::valid) {
                const std::size_t size = p[pos] < 0x80 ? 1 : len;
                fixed.append(out, pos, size);
                pos += size;
                continue;
            }
            fixed.append(kReplacement);  // the lead byte and the continuation bytes after it
            for (++pos; pos < n && (p[pos] & 0xC0) == 0x80; ++pos) {
            }
        }
        out.replace(from, std::string::npos, fixed);
    }

    iconv_t cd_;
    std::string pending_;
};

std::unique_ptr<TextDecoder::Impl> make_impl(std::string_view encoding) {
    switch (builtin_for(normalize(encoding))) {
        case Builtin::utf8:
            return std::make_unique<Utf8Impl>(false);
        case Builtin::utf8_sig:
            return std::make_unique<Utf8Impl>(true);
        case Builtin::ascii:
            return std::make_unique<AsciiImpl>();
        case Builtin::latin1:
            return std::make_unique<Latin1Impl>();
        case Builtin::none:
            break;
    }
    iconv_t cd = open_iconv(encoding);
    if (cd == reinterpret_cast<iconv_t>(-1)) {
        throw std::invalid_argument("unknown encoding: " + std::string(encoding));
    }
    return std::make_unique<IconvImpl>(cd);
}

// Python's email.utils.unquote for a parameter value.
std::string unquote(std::string_view v) {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
        std::string out;
        v = v.substr(1, v.size() - 2);
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (v[i] == '\\' && i + 1 < v.size() && (v[i + 1] == '\\' || v[i + 1] == '"')) ++i;
            out.push_back(v[i]);
        }
        return out;
    }
    return std::string(v);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

TextDecoder::TextDecoder(std::string_view encoding) : impl_(make_impl(encoding)) {}
TextDecoder::~TextDecoder() = default;
TextDecoder::TextDecoder(TextDecoder&&) noexcept = default;
TextDecoder& TextDecoder::operator=(TextDecoder&&) noexcept = default;

std::string TextDecoder::decode(std::string_view data) {
    std::string out;
    out.reserve(data.size());
    impl_->decode(data, out);
    return out;
}

std::string TextDecoder::flush() {
    std::string out;
    impl_->flush(out);
    return out;
}

std::string decode_text(std::string_view data, std::string_view encoding) {
    TextDecoder decoder(encoding);
    std::string out = decoder.decode(data);
    out += decoder.flush();
    return out;
}

std::optional<std::string> parse_content_type_charset(std::string_view content_type) {
    // Parameters are split at ';' outside quotes, as email.message does; the first match wins.
    std::size_t pos = content_type.find(';');
    while (pos != std::string_view::npos) {
        std::size_t end = pos + 1;
        bool quoted = false;
        for (; end < content_type.size(); ++end) {
            const char c = content_type[end];
            if (c == '\\' && quoted) {
                ++end;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ';' && !quoted) {
                break;
            }
        }
        const auto param =
            content_type.substr(pos + 1, std::min(end, content_type.size()) - pos - 1);
        pos = end < content_type.size() ? end : std::string_view::npos;
        const auto eq = param.find('=');
        if (eq == std::string_view::npos) continue;
        std::string name(trim(param.substr(0, eq)));
        std::transform(name.begin(), name.end(), name.begin(), lower);
        std::string value = unquote(trim(param.substr(eq + 1)));
        if (name == "charset*") {
            // RFC 2231: charset'language'percent-encoded-value.
            const auto q1 = value.find('\'');
            const auto q2 = q1 == std::string::npos ? q1 : value.find('\'', q1 + 1);
            if (q2 != std::string::npos) {
                std::string decoded;
                for (std::size_t i = q2 + 1; i < value.size(); ++i) {
                    if (value[i] == '%' && i + 2 < value.size() && hex_value(value[i + 1]) >= 0 &&
                        hex_value(value[i + 2]) >= 0) {
                        decoded.push_back(static_cast<char>(hex_value(value[i + 1]) * 16 +
                                                            hex_value(value[i + 2])));
                        i += 2;
                    } else {
                        decoded.push_back(value[i]);
                    }
                }
                value = std::move(decoded);
            }
        } else if (name != "charset") {
            continue;
        }
        // Charset names must be ASCII; Python then gives up and reports none.
        if (std::any_of(value.begin(), value.end(),
                        [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
            return std::nullopt;
        }
        std::transform(value.begin(), value.end(), value.begin(), lower);
        return value;
    }
    return std::nullopt;
}

bool is_known_encoding(std::string_view encoding) {
    if (builtin_for(normalize(encoding)) != Builtin::none) return true;
    iconv_t cd = open_iconv(encoding);
    if (cd == reinterpret_cast<iconv_t>(-1)) return false;
    iconv_close(cd);
    return true;
}

}  // namespace httpx::content
