#!/usr/bin/env bash
# The test server's HTTP/2 against real peers (nghttp2's h2load and nghttp, independent of our
# client): h2c with prior knowledge and h2 over TLS by ALPN, HTTP/1.1 beside it, flow-controlled
# big downloads, uploads, trailers, RST_STREAM and GOAWAY.
#   http2_peers_test.sh path/to/httpxx-testserver
# Registered with ctest (test_server_http2_peers); needs h2load and nghttp (nghttp2-client).
set -uo pipefail

server_bin=${1:?usage: http2_peers_test.sh path/to/httpxx-testserver}
for tool in h2load nghttp; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (nghttp2-client)"; exit 0; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
# check NAME FILE PATTERN: FILE (a tool's output) contains the extended regex PATTERN.
check() {
  if grep -Eq -- "$3" "$2"; then pass "$1"; else fail "$1 (no /$3/ in:)"; sed 's/^/     /' "$2" | tail -40; fi
}

# start NAME ARGS...: starts a server, sets NAME_url and NAME_pid.
start() {
  local name=$1; shift
  "$server_bin" --port 0 "$@" >"$work/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do grep -q "listening on" "$work/$name.log" && break; sleep 0.05; done
  local url
  url=$(sed -n 's/^listening on //p' "$work/$name.log")
  [ -n "$url" ] || { echo "FAIL $name did not start:"; cat "$work/$name.log"; exit 1; }
  printf -v "${name}_url" %s "$url"
  printf -v "${name}_pid" %s "$pid"
}

start plain --http2
start tls --http2 --tls-dir "$work/tls"
h2c=$plain_url
h2=$tls_url

# -- h2load: 200 requests, 50 streams at once, one connection -----------------------------------
run() { local out=$1; shift; timeout 60 "$@" >"$work/$out" 2>&1; }

run h2load_h2c h2load -n 200 -c 1 -m 50 "$h2c/"
check "h2load h2c: protocol h2c" "$work/h2load_h2c" "Application protocol: h2c"
check "h2load h2c: 200 succeeded" "$work/h2load_h2c" "200 succeeded, 0 failed, 0 errored"
check "h2load h2c: 200 2xx" "$work/h2load_h2c" "status codes: 200 2xx"

run h2load_h2 h2load -n 200 -c 1 -m 50 "$h2/"
check "h2load TLS: ALPN h2" "$work/h2load_h2" "Application protocol: h2$"
check "h2load TLS: 200 succeeded" "$work/h2load_h2" "200 succeeded, 0 failed, 0 errored"

# The same ports still speak HTTP/1.1: by ALPN on TLS, by the absent preface on plain TCP.
run h2load_tls_h1 h2load --h1 -n 50 -c 1 "$h2/"
check "TLS ALPN http/1.1 fallback" "$work/h2load_tls_h1" "Application protocol: http/1.1"
check "TLS HTTP/1.1: 50 succeeded" "$work/h2load_tls_h1" "50 succeeded, 0 failed, 0 errored"
run h2load_plain_h1 h2load --h1 -n 50 -c 1 "$h2c/"
check "plain HTTP/1.1 beside h2c: 50 succeeded" "$work/h2load_plain_h1" \
  "50 succeeded, 0 failed, 0 errored"

# Many slow streams in flight on one connection: the server saw them all open at once.
run h2load_slow h2load -n 100 -c 1 -m 100 "$h2c/slow?ms=200"
check "100 slow streams: 100 succeeded" "$work/h2load_slow" "100 succeeded, 0 failed"
run stats nghttp "$h2c/stats"
check "/stats: peak of 100 concurrent streams" "$work/stats" '"peak_concurrent_streams":100'
check "/stats: the h2load connection served 100 streams over HTTP/2" "$work/stats" \
  '"peak_streams":100,"protocol":"HTTP/2","requests":100'

# Uploads: 30 bodies of 1 MiB, 10 at a time, through the server's receive windows.
head -c 1048576 /dev/zero >"$work/body"
run h2load_upload h2load -n 30 -c 1 -m 10 -d "$work/body" "$h2c/upload"
check "h2load uploads: 30 succeeded" "$work/h2load_upload" "30 succeeded, 0 failed, 0 errored"
run upload nghttp -d "$work/body" "$h2c/upload?hash=sha256"
check "upload counts and hashes the body" "$work/upload" \
  '"bytes":1048576,"chunked":false,"sha256":"30e14955ebf1352266dc2ff8067e68104607e750abb9d3b36582b8af909fcb58"'

# 64 MiB down and up: streamed within the flow-control windows, never held in the server's memory.
timeout 60 nghttp "$h2c/bytes/67108864" >"$work/big" 2>"$work/big.err"
size=$(stat -c %s "$work/big")
[ "$size" = 67108864 ] && pass "64 MiB download: all bytes" || fail "64 MiB download: $size bytes"
run big_upload nghttp -d "$work/big" "$h2c/upload"
check "64 MiB upload: all bytes" "$work/big_upload" '"bytes":67108864'
peak_kb=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$plain_pid/status")
# (grep reads all of ldd's output: with pipefail, an early exit of grep -q could fail the pipe)
if [ "${HTTPXX_SANITIZE:-}" = address ] || ldd "$server_bin" 2>/dev/null | grep libasan >/dev/null; then
  echo "skip 64 MiB down and up: peak RSS means nothing under ASan"
elif [ -n "$peak_kb" ] && [ "$peak_kb" -lt 49152 ]; then
  pass "64 MiB down and up: server peak RSS ${peak_kb} kB < 48 MiB"
else
  fail "64 MiB down and up: server peak RSS ${peak_kb:-?} kB"
fi
rm -f "$work/big"

# Trailers: a HEADERS frame after the DATA, ending the stream.
run trailers nghttp -nv "$h2c/trailers"
check "trailers: x-trailer" "$work/trailers" "recv \(stream_id=[0-9]+\) x-trailer: done"
check "trailers: x-body-length" "$work/trailers" "recv \(stream_id=[0-9]+\) x-body-length: 13"
check "trailers: HEADERS with END_STREAM" "$work/trailers" "flags=0x05"

# RST_STREAM with the asked error code: before the response, and after part of the body.
run reset nghttp -nv "$h2c/h2/reset?code=8"
check "reset: RST_STREAM CANCEL" "$work/reset" "error_code=CANCEL\(0x08\)"
run reset_body nghttp -nv "$h2c/h2/reset?stage=body&n=5000&code=2"
check "reset after body: 5000 bytes of DATA" "$work/reset_body" "recv DATA frame <length=5000"
check "reset after body: RST_STREAM" "$work/reset_body" "recv RST_STREAM frame"
check "reset after body: its code" "$work/reset_body" "error_code=INTERNAL_ERROR\(0x02\)"
run reset_tls nghttp -nv "$h2/h2/reset?stage=headers&code=11"
check "reset over TLS after headers" "$work/reset_tls" "error_code=ENHANCE_YOUR_CALM\(0x0b\)"

# GOAWAY: the goaway request is answered, the stream sent after it is not processed.
run goaway nghttp -nv "$h2c/slow?ms=300" "$h2c/h2/goaway?ms=100&code=0" "$h2c/slow?ms=301"
check "goaway: GOAWAY below the last stream" "$work/goaway" \
  "last_stream_id=15, error_code=NO_ERROR"
check "goaway: the stream above it was not processed" "$work/goaway" "total=3, processed=2"

# Response heads HTTP/2 forbids: nghttp resets the stream with PROTOCOL_ERROR.
for kind in uppercase connection transfer_encoding pseudo no_status; do
  run "bad_$kind" nghttp -nv "$h2c/h2/bad_header?kind=$kind"
  check "forbidden response head ($kind): the client resets the stream" "$work/bad_$kind" \
    "send RST_STREAM"
  check "forbidden response head ($kind): PROTOCOL_ERROR" "$work/bad_$kind" \
    "error_code=PROTOCOL_ERROR"
done

# The options: SETTINGS_MAX_CONCURRENT_STREAMS (h2load keeps to it) and a small receive window.
start small --http2 --max-concurrent-streams 10 --initial-window-size 4096
run small_settings nghttp -nv "$small_url/"
check "SETTINGS_MAX_CONCURRENT_STREAMS 10" "$work/small_settings" \
  "SETTINGS_MAX_CONCURRENT_STREAMS\(0x03\):10\]"
check "SETTINGS_INITIAL_WINDOW_SIZE 4096" "$work/small_settings" \
  "SETTINGS_INITIAL_WINDOW_SIZE\(0x04\):4096\]"
run small_slow h2load -n 40 -c 1 -m 10 "$small_url/slow?ms=50"
check "max 10 streams: 40 succeeded" "$work/small_slow" "40 succeeded, 0 failed"
run small_upload nghttp -d "$work/body" "$small_url/upload"
check "4 KiB window: a 1 MiB upload arrives whole" "$work/small_upload" '"bytes":1048576'

# stop() (SIGTERM) with streams in flight is quick.
start stopping --http2
timeout 20 nghttp "$stopping_url/slow?ms=10000" "$stopping_url/misbehave/stall" \
  "$stopping_url/bytes/1000000000" >/dev/null 2>&1 &
sleep 0.3
started=$(date +%s%N)
kill -TERM "$stopping_pid"
wait "$stopping_pid" 2>/dev/null
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
if [ "$elapsed_ms" -lt 3000 ]; then
  pass "stop with streams in flight: ${elapsed_ms} ms"
else
  fail "stop with streams in flight took ${elapsed_ms} ms"
fi

# A client that speaks HTTP/1.1 to an HTTP/2-only server gets GOAWAY(PROTOCOL_ERROR) bytes.
start only --http2-only
run only_h2 nghttp "$only_url/"
check "HTTP/2 only: h2c works" "$work/only_h2" "Hello, world!"
run only_h1 h2load --h1 -n 1 "$only_url/"
check "HTTP/2 only: HTTP/1.1 fails" "$work/only_h1" "0 succeeded"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
