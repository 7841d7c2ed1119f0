#!/usr/bin/env bash
# Interop tests: starts nginx (HTTP/1.1 and TLS, gzip, static files; HTTP/2 over TLS and h2c,
# WebDAV PUT), nghttpd (h2c with trailers and upload echo) and httpbin (Debian's python3-httpbin
# under gunicorn), squid and tinyproxy (tests/interop/proxies.sh) on loopback ports (curl
# exchanges cookie files with the tests), runs httpxx_interop_tests against them, stops the servers
# by pid and exits with the tests' status. Everything is bounded in time.
#   usage: tests/interop/run.sh [build-dir] [gtest arguments...]
# shellcheck disable=SC2317  # stop and cleanup run from traps
set -euo pipefail
build_dir=$(realpath "${1:-build}")
here=$(cd "$(dirname "$0")" && pwd)
shift || true
binary="$build_dir/tests/httpxx_interop_tests"
[ -x "$binary" ] || { echo "interop-test: $binary not built" >&2; exit 1; }
for tool in nginx nghttpd nghttp gunicorn openssl python3 curl; do
  command -v "$tool" >/dev/null || { echo "interop-test: $tool not installed (make deps)" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/httpxx-interop.XXXXXX")
chmod 755 "$tmp"  # squid and tinyproxy may run as other users (proxy, nobody)
# shellcheck source=tests/interop/proxies.sh
source "$(dirname "${BASH_SOURCE[0]}")/proxies.sh"
nginx_pid=""
nghttpd_pid=""
httpbin_pid=""
tests_pid=""
stop() {  # stop <pid>: TERM, up to 5 s of grace, then KILL
  local pid=$1
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  set +e
  trap '' PIPE  # a closed stdout must not stop the clean-up half-way
  stop "$tests_pid"
  stop "$nginx_pid"
  stop "$nghttpd_pid"
  stop "$httpbin_pid"
  stop_proxies
  if [ "$status" -ne 0 ]; then
    for log in openssl.log nginx-error.log nghttpd.log httpbin.log squid/cache.log \
      tinyproxy/open.log tinyproxy/auth.log; do
      [ -s "$tmp/$log" ] && { echo "--- $log (last lines)"; tail -n 20 "$tmp/$log"; } >&2
    done
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# Free loopback ports (the kernel picks them; the race until the servers bind is small).
read -r http_port tls_port wrong_host_port httpbin_port h2_tls_port h2c_port h2c_goaway_port \
  h2c_two_streams_port nghttpd_port < <(timeout 10 python3 -c '
import socket
socks = [socket.socket() for _ in range(9)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
[ -n "${nghttpd_port:-}" ] || { echo "interop-test: no free loopback ports" >&2; exit 1; }

# A CA, a server certificate for localhost and 127.0.0.1 signed by it, and one for another
# host name (served on its own port: host name verification must fail there).
cd "$tmp"
ossl() { timeout 30 openssl "$@" 2>>"$tmp/openssl.log"; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=httpxx interop test CA" -keyout ca.key -out ca.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
  -keyout server.key -out server.csr
cat >server.ext <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EOF
ossl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
  -extfile server.ext -out server.pem
ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=wrong.test" \
  -keyout wrong.key -out wrong.csr
sed 's/^subjectAltName=.*/subjectAltName=DNS:wrong.test/' server.ext >wrong.ext
ossl x509 -req -in wrong.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
  -extfile wrong.ext -out wrong.pem

# Static files: a small text file, a larger text file (gzip), a 5 MiB binary file.
mkdir -p static
printf 'Hello from nginx!\n' >static/hello.txt
timeout 30 python3 - <<'EOF'
with open("static/lines.txt", "w") as f:
    for i in range(2000):
        f.write(f"line {i}: the quick brown fox jumps over the lazy dog\n")
with open("static/big.bin", "wb") as f:
    f.write(bytes(i % 251 for i in range(5 * 1024 * 1024)))
# 64 MiB for the HTTP/2 streaming tests: 251-byte period, shifted by the MiB index.
with open("static/big64.bin", "wb") as f:
    block = bytes(i % 251 for i in range(1024 * 1024 + 251))
    for mib in range(64):
        f.write(block[mib % 251:mib % 251 + 1024 * 1024])
EOF
mkdir -p static/uploads

mkdir -p nginx-temp
cat >nginx.conf <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
$([ "$(id -u)" -eq 0 ] && echo "user root;")
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  log_format interop '\$connection \$connection_requests \$request_method \$request_uri \$status';
  access_log $tmp/nginx-access.log interop;
  client_body_temp_path $tmp/nginx-temp/body;
  proxy_temp_path $tmp/nginx-temp/proxy;
  fastcgi_temp_path $tmp/nginx-temp/fastcgi;
  uwsgi_temp_path $tmp/nginx-temp/uwsgi;
  scgi_temp_path $tmp/nginx-temp/scgi;
  sendfile on;
  keepalive_requests 1000;
  keepalive_timeout 30s;
  gzip on;
  gzip_types text/plain application/json;
  gzip_min_length 64;
  server {
    listen 127.0.0.1:$http_port;
    listen 127.0.0.1:$tls_port ssl;
    server_name localhost;
    ssl_certificate $tmp/server.pem;
    ssl_certificate_key $tmp/server.key;
    root $tmp/static;
  }
  # HTTP/2: over TLS (ALPN h2 or http/1.1) and h2c with prior knowledge; PUT stores uploads.
  server {
    listen 127.0.0.1:$h2_tls_port ssl http2;
    listen 127.0.0.1:$h2c_port http2;
    server_name localhost;
    ssl_certificate $tmp/server.pem;
    ssl_certificate_key $tmp/server.key;
    root $tmp/static;
    location /uploads/ {
      dav_methods PUT;
      client_max_body_size 0;
      client_body_buffer_size 1m;
    }
  }
  # h2c that says GOAWAY after 10 requests on a connection.
  server {
    listen 127.0.0.1:$h2c_goaway_port http2;
    keepalive_requests 10;
    root $tmp/static;
  }
  # h2c allowing 2 concurrent streams per connection.
  server {
    listen 127.0.0.1:$h2c_two_streams_port http2;
    http2_max_concurrent_streams 2;
    root $tmp/static;
  }
  server {
    listen 127.0.0.1:$wrong_host_port ssl;
    ssl_certificate $tmp/wrong.pem;
    ssl_certificate_key $tmp/wrong.key;
    root $tmp/static;
  }
}
EOF

timeout 10 nginx -t -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" >/dev/null 2>&1 ||
  { echo "interop-test: nginx rejected its configuration" >&2; cat "$tmp/nginx-error.log" >&2; exit 1; }
nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" &
nginx_pid=$!

# nghttpd (h2c, prior knowledge): static files with a trailer field, uploads echoed back.
nghttpd --no-tls -a 127.0.0.1 -d "$tmp/static" --trailer="x-interop-trailer: done" \
  --echo-upload "$nghttpd_port" >"$tmp/nghttpd.log" 2>&1 &
nghttpd_pid=$!

gunicorn -b "127.0.0.1:$httpbin_port" --worker-class gthread --workers 1 --threads 8 \
  --timeout 30 --graceful-timeout 1 --keep-alive 30 httpbin:app >"$tmp/httpbin.log" 2>&1 &
httpbin_pid=$!

# Wait (at most 10 s) until both answer.
probe() {  # probe <url>: one request, 2 s at most, verified against the test CA
  timeout 3 python3 -c '
import ssl, sys, urllib.request
context = ssl.create_default_context(cafile=sys.argv[2])
urllib.request.urlopen(sys.argv[1], timeout=2, context=context).read()' "$1" "$tmp/ca.pem" 2>/dev/null
}
wait_for() {  # wait_for <name> <pid> <url>
  local deadline=$((SECONDS + 10))
  while ! probe "$3"; do
    kill -0 "$2" 2>/dev/null || { echo "interop-test: $1 exited at start" >&2; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "interop-test: $1 did not answer within 10 s" >&2; exit 1; }
    sleep 0.1
  done
}
probe_h2() {  # probe_h2 <url>: one HTTP/2 request (prior knowledge for http://), 2 s at most
  timeout 3 nghttp -n -t 2 "$1" >/dev/null 2>&1
}
wait_for_h2() {  # wait_for_h2 <name> <pid> <url>
  local deadline=$((SECONDS + 10))
  while ! probe_h2 "$3"; do
    kill -0 "$2" 2>/dev/null || { echo "interop-test: $1 exited at start" >&2; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "interop-test: $1 did not answer within 10 s" >&2; exit 1; }
    sleep 0.1
  done
}
wait_for nginx "$nginx_pid" "http://127.0.0.1:$http_port/hello.txt"
wait_for nginx-tls "$nginx_pid" "https://127.0.0.1:$tls_port/hello.txt"
wait_for httpbin "$httpbin_pid" "http://127.0.0.1:$httpbin_port/get"
wait_for_h2 nginx-h2c "$nginx_pid" "http://127.0.0.1:$h2c_port/hello.txt"
wait_for_h2 nghttpd "$nghttpd_pid" "http://127.0.0.1:$nghttpd_port/hello.txt"

export HTTPXX_INTEROP_NGINX_URL="http://127.0.0.1:$http_port"
export HTTPXX_INTEROP_NGINX_TLS_URL="https://localhost:$tls_port"
export HTTPXX_INTEROP_NGINX_TLS_IP_URL="https://127.0.0.1:$tls_port"
export HTTPXX_INTEROP_NGINX_WRONG_HOST_URL="https://localhost:$wrong_host_port"
export HTTPXX_INTEROP_NGINX_STATIC_DIR="$tmp/static"
export HTTPXX_INTEROP_NGINX_ACCESS_LOG="$tmp/nginx-access.log"
export HTTPXX_INTEROP_CA="$tmp/ca.pem"
export HTTPXX_INTEROP_HTTPBIN_URL="http://127.0.0.1:$httpbin_port"
export HTTPXX_INTEROP_NGINX_H2_TLS_URL="https://localhost:$h2_tls_port"
export HTTPXX_INTEROP_NGINX_H2C_URL="http://127.0.0.1:$h2c_port"
export HTTPXX_INTEROP_NGINX_H2C_GOAWAY_URL="http://127.0.0.1:$h2c_goaway_port"
export HTTPXX_INTEROP_NGINX_H2C_TWO_STREAMS_URL="http://127.0.0.1:$h2c_two_streams_port"
export HTTPXX_INTEROP_NGHTTPD_URL="http://127.0.0.1:$nghttpd_port"
start_proxies

# Proxy variables of the environment must not divert loopback requests.
unset http_proxy https_proxy all_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY

# In the background, so that a signal to this script is handled at once (bash runs traps only
# between foreground commands) and the clean-up stops the tests too.
timeout 300 "$binary" "$@" &
tests_pid=$!
status=0
wait "$tests_pid" || status=$?
tests_pid=""
[ "$status" -eq 124 ] && echo "interop-test: the tests took more than 300 s" >&2
# The command-line client against the same servers, next to HTTPX's CLI.
if [ -x "$build_dir/tools/cli/httpxx" ]; then
  cli_status=0
  timeout 120 bash "$here/cli_interop.sh" "$build_dir/tools/cli/httpxx" || cli_status=$?
  [ "$status" -eq 0 ] && status=$cli_status
fi
exit "$status"
