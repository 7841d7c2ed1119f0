#!/usr/bin/env bash
# Client CPU per request over one HTTP/2 connection: starts nginx (h2c, one worker, a 13-byte
# file) on a loopback port, then runs `h2load -n N -c1 -m M` and httpxx_h2_cpu_bench (the same
# N GETs through AsyncClient with M streams in flight) in turn, ROUNDS times each, printing
# user+sys CPU of each client. Stops nginx by pid.
#   usage: tests/interop/h2_bench.sh [build-dir] [requests=10000] [in_flight=100] [rounds=3]
# shellcheck disable=SC2317  # cleanup runs from a trap
set -euo pipefail
build_dir=$(realpath "${1:-build}")
requests=${2:-10000}
in_flight=${3:-100}
rounds=${4:-3}
binary="$build_dir/tests/httpxx_h2_cpu_bench"
[ -x "$binary" ] || { echo "h2-bench: $binary not built" >&2; exit 1; }
for tool in nginx h2load nghttp python3; do
  command -v "$tool" >/dev/null || { echo "h2-bench: $tool not installed (make deps)" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/httpxx-h2bench.XXXXXX")
nginx_pid=""
cleanup() {
  local status=$?
  set +e
  if [ -n "$nginx_pid" ]; then
    kill "$nginx_pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$nginx_pid" 2>/dev/null
    wait "$nginx_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$(timeout 10 python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$tmp/static" "$tmp/temp"
printf 'Hello, world!' >"$tmp/static/hello.txt"
cat >"$tmp/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
$([ "$(id -u)" -eq 0 ] && echo "user root;")
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $tmp/temp/body;
  proxy_temp_path $tmp/temp/proxy;
  fastcgi_temp_path $tmp/temp/fastcgi;
  uwsgi_temp_path $tmp/temp/uwsgi;
  scgi_temp_path $tmp/temp/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port http2;
    http2_max_concurrent_streams 128;
    root $tmp/static;
  }
}
EOF
nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" &
nginx_pid=$!
for _ in $(seq 100); do
  timeout 3 nghttp -n "http://127.0.0.1:$port/hello.txt" >/dev/null 2>&1 && break
  sleep 0.1
done
url="http://127.0.0.1:$port/hello.txt"

echo "h2-bench: $requests GETs of $url, one connection, $in_flight streams in flight, $(nproc) cores"
TIMEFORMAT='%U %S'
for round in $(seq "$rounds"); do
  h2load_cpu=$({ time timeout 120 h2load -n "$requests" -c1 -m "$in_flight" "$url" \
    >"$tmp/h2load.out" 2>&1; } 2>&1)
  read -r user sys <<<"$h2load_cpu"
  echo "round $round: h2load: $(grep -E '^finished in' "$tmp/h2load.out"), $(grep -E '^requests:' "$tmp/h2load.out" | cut -d, -f1-4)"
  python3 -c "import sys; u,s,n=map(float,sys.argv[1:]); print(f'h2load: client CPU {u+s:.3f} s = {(u+s)*1e6/n:.1f} us/request')" "$user" "$sys" "$requests"
  timeout 120 "$binary" "$url" "$requests" "$in_flight"
done
