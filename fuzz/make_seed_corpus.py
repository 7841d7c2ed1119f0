#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (committed; run again
only to regenerate them). Seeds come from ../shared/data (llhttp response cases, WHATWG URL
cases, http-state Set-Cookie cases) and from hand-written samples; compressed samples are made
with zlib, zstd (the command) and libbrotlienc (a small C++ program compiled on the fly); HTTP/2
header blocks with libnghttp2's HPACK encoder (through ctypes) or by hand.
`make fuzz` keeps what the fuzzer finds in build-fuzz/corpus/<target>, not here.

    usage: fuzz/make_seed_corpus.py [TARGET...]   (default: every target)
"""
import base64
import ctypes
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data"))
CORPUS = os.path.join(HERE, "corpus")


def write(target, seeds):
    folder = os.path.join(CORPUS, target)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    seen = set()
    for seed in seeds:
        if seed in seen:
            continue
        seen.add(seed)
        with open(os.path.join(folder, "seed-%03d" % len(seen)), "wb") as f:
            f.write(seed)


def http11_response():
    seeds = []
    with open(os.path.join(SHARED, "http1-llhttp", "llhttp-response-cases.jsonl")) as f:
        for line in f:
            case = json.loads(line)
            control = (1 if case["skip_body_callback"] else 0) | (4 if case["eof_signalled"] else 0)
            seeds.append(bytes([control]) + base64.b64decode(case["raw_b64"]))
    seeds += [
        b"\x00HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 204 No Content\r\n\r\n",
        b"\x02HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01",
        b"\x04HTTP/1.0 200 OK\r\nServer: x\r\n\r\nclose delimited",
        b"\x00HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;a=b\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n",
        b"\x00HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"\x00HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    ]
    write("http11_response", seeds)


def http11_chunked():
    write("http11_chunked", [
        b"5\r\nhello\r\n0\r\n\r\n",
        b"5;name=value;q=\"quoted\"\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\n",
        b"A\r\n0123456789\r\n0\r\n\r\n",
        b"ffffffffffffffffff\r\n",
        b"0\r\n\r\n",
        b"3\r\nabc\r\n",
        b"1 \r\nx\r\n0\r\n\r\n",
    ])


def url():
    with open(os.path.join(SHARED, "url", "urltestdata.json")) as f:
        cases = [c for c in json.load(f) if isinstance(c, dict)]
    seeds = []
    for c in cases:
        if c.get("base"):
            seeds.append((c["base"] + "\n" + c["input"]).encode("utf-8", "surrogatepass"))
        else:
            seeds.append(c["input"].encode("utf-8", "surrogatepass"))
    seeds += [b"https://user:pass@example.com:8443/p/a/t/h?query=1&a=b#frag\n../x?y#z",
              b"http://[::1]:80/\n//other/path", b"https://xn--n3h.example/\n?only-query"]
    write("url", seeds)


def headers():
    with open(os.path.join(SHARED, "cookies", "http-state-cases.json")) as f:
        cases = json.load(f)["cases"]
    seeds = []
    content_types = ["text/html; charset=UTF-8", "text/plain; charset=\"iso-8859-1\"",
                     "application/json", "text/plain; charset*=utf-8''%e2%82%ac", "text/x; charset="]
    links = ["<https://a.example/p2>; rel=\"next\", <https://a.example/p9>; rel=\"last\"",
             "<https://a.example/>; rel=preload; as=style", ""]
    for i, c in enumerate(cases):
        lines = [content_types[i % len(content_types)], links[i % len(links)]] + c["set_cookie"]
        seeds.append("\n".join(lines).encode("utf-8", "surrogatepass"))
    write("headers", seeds)


BROTLI_SEEDS = r"""
#include <brotli/encode.h>
#include <cstdio>
#include <string>
int main(int argc, char** argv) {
    const std::string in = argv[1];
    std::string out(BrotliEncoderMaxCompressedSize(in.size()) + 16, '\0');
    size_t n = out.size();
    if (!BrotliEncoderCompress(5, 22, BROTLI_MODE_GENERIC, in.size(),
                               reinterpret_cast<const uint8_t*>(in.data()), &n,
                               reinterpret_cast<uint8_t*>(out.data()))) return 1;
    fwrite(out.data(), 1, n, stdout);
}
"""

SAMPLES = [b"Hello, world!", b"", b"a" * 5000,
           bytes(range(256)) * 4, "Grüße, 世界\n".encode() * 20]


def decoders():
    write("decode_gzip", [gzip.compress(s, mtime=0) for s in SAMPLES] +
          [gzip.compress(b"first ", mtime=0) + gzip.compress(b"second", mtime=0),
           gzip.compress(b"trailing", mtime=0) + b"garbage"])
    def raw(data):
        encoder = zlib.compressobj(9, zlib.DEFLATED, -15)
        return encoder.compress(data) + encoder.flush()
    write("decode_deflate", [zlib.compress(s) for s in SAMPLES] + [raw(s) for s in SAMPLES])
    zstd = []
    for s in SAMPLES:
        zstd.append(subprocess.run(["zstd", "-q", "-c", "-"], input=s, check=True,
                                   stdout=subprocess.PIPE).stdout)
    zstd.append(zstd[0] + zstd[2])  # two frames
    write("decode_zstd", zstd)
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "brotli_seed")
        subprocess.run(["g++", "-x", "c++", "-", "-o", exe, "-lbrotlienc"],
                       input=BROTLI_SEEDS.encode(), check=True)
        br = [subprocess.run([exe, s.decode("latin-1")], check=True,
                             stdout=subprocess.PIPE).stdout for s in SAMPLES if b"\0" not in s]
    write("decode_br", br)


def text_decoder():
    text = "Grüße, 世界! ¡Hola! Ελληνικά — テスト 한국어 Ω\n"
    names = ["utf-8", "utf-8-sig", "ascii", "latin-1", "cp1252", "iso-8859-15", "koi8-r",
             "shift_jis", "euc-jp", "gb2312", "gb18030", "big5", "euc-kr", "utf-16", "utf-16-le",
             "utf-16-be", "utf-32", "iso-2022-jp", "cp437", "mac-roman"]
    seeds = []
    for i, name in enumerate(names):
        py = {"mac-roman": "mac_roman"}.get(name, name)
        seeds.append(bytes([i]) + text.encode(py, "replace"))
    seeds.append(b"\xf0windows-1251\n\xcf\xf0\xe8\xe2\xe5\xf2")
    seeds.append(b"\x00\xff\xfe\xc3\x28\xe2\x82")  # invalid UTF-8
    write("text_decoder", seeds)


def line_decoder():
    write("line_decoder", [
        b"\x00one\ntwo\r\nthree\rfour",
        b"\x03a\r\n\r\nb\x0bc\x0cd\x1ce\x1df\x1eg",
        "\x07x\u0085y\u2028z\u2029end".encode(),
        b"\x01no terminator at all",
        b"\x10\r\r\n\n\r",
    ])


def multipart():
    write("multipart", [
        b"multipart/form-data; boundary=abc\0a\0value\0b\0\x01file\0name.txt\0contents",
        b"text/plain\0with \"quotes\"\0and\r\nnewlines\0\x01f\0\"evil\r\nX: y.png\0\x00\xff",
        b"multipart/form-data; boundary=\"quoted\"",
        b"\0\0\x01\0\0",
    ])


# --- HTTP/2: the server's side of a connection, as fuzz/http2_frames.cpp reads it ---

def h2_frame(kind, flags, stream, payload=b""):
    return (len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") +
            payload)


def h2_settings(*pairs, ack=False):
    return h2_frame(0x4, 1 if ack else 0, 0,
                    b"".join(k.to_bytes(2, "big") + v.to_bytes(4, "big") for k, v in pairs))


def h2_literal(name, value):
    """HPACK "literal without indexing, new name", no Huffman (as tests/unit/http2_session_test)."""
    return b"\0" + bytes([len(name)]) + name + bytes([len(value)]) + value


class _Nv(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("value", ctypes.c_char_p),
                ("namelen", ctypes.c_size_t), ("valuelen", ctypes.c_size_t),
                ("flags", ctypes.c_uint8)]


class Hpack:
    """libnghttp2's HPACK encoder: Huffman strings and a dynamic table shared by the blocks of
    one connection, as a real server writes them."""

    def __init__(self):
        self.lib = ctypes.CDLL("libnghttp2.so.14")
        self.lib.nghttp2_hd_deflate_hd.restype = ctypes.c_ssize_t
        self.deflater = ctypes.c_void_p()
        assert self.lib.nghttp2_hd_deflate_new(ctypes.byref(self.deflater), 4096) == 0

    def block(self, fields):
        nva = (_Nv * len(fields))(*[_Nv(n, v, len(n), len(v), 0) for n, v in fields])
        buf = ctypes.create_string_buffer(16384)
        n = self.lib.nghttp2_hd_deflate_hd(self.deflater, buf, len(buf), nva, len(fields))
        assert n >= 0
        return buf.raw[:n]


def http2_frames():
    # Control byte: requests - 1 (bits 0-1), first request uploads (bit 2), small window (bit 3).
    settings = h2_settings((0x3, 100))
    ok = h2_literal(b":status", b"200")
    seeds = [
        # The frames of tests/unit/http2_session_test.cpp.
        b"\x00" + h2_settings((0x3, 7)) +
        h2_frame(0x1, 0x4, 1, ok + h2_literal(b"content-type", b"text/plain")) +
        h2_frame(0x0, 0, 1, b"hello") + h2_frame(0x1, 0x5, 1, h2_literal(b"x-t", b"done")),
        b"\x00" + settings + h2_frame(0x1, 0x4, 1, h2_literal(b":status", b"103")) +
        h2_frame(0x1, 0x5, 1, h2_literal(b":status", b"204")),
        b"\x01" + settings + h2_frame(0x7, 0, 0, (1).to_bytes(4, "big") + bytes(4)),
        b"\x01" + settings + h2_frame(0x3, 0, 3, (2).to_bytes(4, "big")),
        b"\x00" + settings + h2_frame(0x0, 0, 0, b"x"),
        b"\x00NOT HTTP\r\n\r\n",
        # Stream-level errors: content-length mismatch, upper-case and connection-specific
        # fields, a pseudo-header in trailers, DATA before HEADERS.
        b"\x01" + settings +
        h2_frame(0x1, 0x4, 1, ok + h2_literal(b"content-length", b"3")) +
        h2_frame(0x0, 0x1, 1, b"hello") +
        h2_frame(0x1, 0x4, 3, ok + h2_literal(b"X-Upper", b"1")) +
        h2_frame(0x0, 0x1, 3, b"ignored"),
        b"\x01" + settings + h2_frame(0x1, 0x4, 1, ok + h2_literal(b"connection", b"close")) +
        h2_frame(0x1, 0x4, 3, ok) + h2_frame(0x1, 0x5, 3, h2_literal(b":status", b"200")),
        b"\x00" + settings + h2_frame(0x0, 0x1, 1, b"data first"),
        # A header block cut into CONTINUATION frames; one interrupted by another frame.
        b"\x01" + settings + h2_frame(0x1, 0x0, 1, ok[:5]) + h2_frame(0x9, 0x0, 1, ok[5:]) +
        h2_frame(0x9, 0x4, 1, h2_literal(b"server", b"seed")) + h2_frame(0x0, 0x1, 1, b"ok") +
        h2_frame(0x1, 0x0, 3, ok) + h2_frame(0x0, 0x1, 3, b"x"),
        # PUSH_PROMISE (push is off), an unknown frame type (ignored), PRIORITY, PING.
        b"\x00" + settings + h2_frame(0xfa, 0, 0, b"extension") + h2_frame(0x2, 0, 1, bytes(5)) +
        h2_frame(0x6, 0, 0, b"pingping") + h2_frame(0x5, 0x4, 1, (2).to_bytes(4, "big") + ok),
        # GOAWAY with an error and debug data, after a response; a RST_STREAM(NO_ERROR) ending a
        # stream early (the server does not need the rest of the upload).
        b"\x05" + settings + h2_frame(0x1, 0x5, 3, ok) + h2_frame(0x1, 0x4, 1, ok) +
        h2_frame(0x3, 0, 1, bytes(4)) +
        h2_frame(0x7, 0, 0, (3).to_bytes(4, "big") + (11).to_bytes(4, "big") + b"calm down"),
        # Settings changes: one stream at a time, windows, frame size, table size, an ACK, and
        # flow control: WINDOW_UPDATE for the upload, one that overflows the window.
        b"\x04" + h2_settings((0x3, 1), (0x4, 1 << 20), (0x5, 32768), (0x1, 0)) +
        h2_settings(ack=True) + h2_frame(0x8, 0, 0, (1 << 20).to_bytes(4, "big")) +
        h2_frame(0x8, 0, 1, (4096).to_bytes(4, "big")) + h2_frame(0x1, 0x4, 1, ok) +
        h2_frame(0x0, 0x1, 1, b"uploaded"),
        b"\x00" + settings + h2_frame(0x8, 0, 0, (0x7fffffff).to_bytes(4, "big")),
        b"\x08" + settings + h2_settings(ack=True) + h2_frame(0x1, 0x4, 1, ok) +
        h2_frame(0x0, 0, 1, b"a" * 8000) + h2_frame(0x0, 0, 1, b"b" * 8000) +
        h2_frame(0x0, 0x1, 1, b"c" * 100),
    ]
    # Padded HEADERS and DATA (flag PADDED: a length byte first), interleaved streams.
    seeds.append(b"\x03" + settings +
                 h2_frame(0x1, 0x4 | 0x8, 3, b"\x04" + ok + bytes(4)) +
                 h2_frame(0x1, 0x4, 1, ok) +
                 h2_frame(0x0, 0x8, 1, b"\x02one" + bytes(2)) +
                 h2_frame(0x0, 0x1, 3, b"three") + h2_frame(0x0, 0x1, 1, b"") +
                 h2_frame(0x1, 0x5, 5, ok) + h2_frame(0x3, 0, 7, (8).to_bytes(4, "big")))
    # As a real server: Huffman-coded fields and the dynamic table across four responses.
    hpack = Hpack()
    frames = settings + h2_settings(ack=True)
    for stream in (1, 3, 5, 7):
        fields = [(b":status", b"200"), (b"content-type", b"application/json"),
                  (b"date", b"Mon, 02 Jan 2023 10:00:00 GMT"), (b"server", b"httpxx-seed"),
                  (b"set-cookie", b"session=%d; Path=/; HttpOnly" % stream),
                  (b"content-length", b"%d" % len(b'{"stream": %d}' % stream))]
        frames += h2_frame(0x1, 0x4, stream, hpack.block(fields))
    for stream in (7, 5, 3, 1):
        frames += h2_frame(0x0, 0x1, stream, b'{"stream": %d}' % stream)
    seeds.append(b"\x03" + frames)
    chunked = settings + h2_frame(0x1, 0x4, 1, hpack.block([(b":status", b"404")]))
    for i in range(20):
        chunked += h2_frame(0x0, 0, 1, b"chunk %02d\n" % i)
    chunked += h2_frame(0x1, 0x5, 1, hpack.block([(b"grpc-status", b"0"), (b"x-t", b"end")]))
    seeds.append(b"\x00" + chunked)
    write("http2_frames", seeds)


def socks5_reply():
    # The first byte picks the answer: 0 method reply, 1 login reply, 2 CONNECT reply.
    ipv6 = bytes.fromhex("20010db8000000000000000000000007")
    write("socks5_reply", [
        b"\x00\x05\x00", b"\x00\x05\x02", b"\x00\x05\xff", b"\x00HTTP/1.1 400",
        b"\x01\x01\x00", b"\x01\x01\x01", b"\x01\x05\x00",
        b"\x02\x05\x00\x00\x01\x7f\x00\x00\x01\x04\x38HTTP/1.1 200 OK\r\n",
        b"\x02\x05\x00\x00\x04" + ipv6 + b"\x01\xbb",
        b"\x02\x05\x00\x00\x03\x09localhost\x00\x50",
        b"\x02\x05\x00\x00\x03\x00\x00\x50",
        b"\x02\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00",
        b"\x02\x05\x01\x00\x00",
        b"\x02\x05\x00\x00\x09\x00",
        b"\x02\x04\x5a\x00\x00\x00\x00\x00\x00",
        b"\x02\x05\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x0a\x00\x00\x01\x00\x50",
    ])


TARGETS = {f.__name__: f for f in (http11_response, http11_chunked, url, headers, decoders,
                                   text_decoder, line_decoder, multipart, http2_frames,
                                   socks5_reply)}

if __name__ == "__main__":
    for name in sys.argv[1:] or TARGETS:
        TARGETS[name]()
    print("seed corpora written to", CORPUS)
