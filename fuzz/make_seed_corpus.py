#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (committed; run again
only to regenerate them). Seeds come from ../shared/data (llhttp response cases, WHATWG URL
cases, http-state Set-Cookie cases) and from hand-written samples; compressed samples are made
with zlib, zstd (the command) and libbrotlienc (a small C++ program compiled on the fly).
`make fuzz` keeps what the fuzzer finds in build-fuzz/corpus/<target>, not here."""
import base64
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


if __name__ == "__main__":
    for make in (http11_response, http11_chunked, url, headers, decoders, text_decoder,
                 line_decoder, multipart):
        make()
    print("seed corpora written to", CORPUS)
