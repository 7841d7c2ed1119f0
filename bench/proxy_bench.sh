#!/usr/bin/env bash
# The cost of a proxy tunnel, client side: small GETs over HTTPS (one connection, c=1, kept alive)
# from httpxx_bench and from libcurl's multi interface (../shared/bench/clients/c-libcurl), direct
# and through a local tinyproxy CONNECT tunnel, to the project's test server on loopback. Prints
# client CPU (user + sys) per request. Servers are stopped by pid.
#   usage: bench/proxy_bench.sh [build-dir] [requests]
set -euo pipefail
build=$(realpath "${1:-build}")
n=${2:-20000}
here=$(cd "$(dirname "$0")" && pwd)
curl_src="$here/../../shared/bench/clients/c-libcurl/curl_multi.c"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/httpxx-proxy-bench.XXXXXX")
chmod 755 "$tmp"
server_pid="" proxy_pid=""
cleanup() {
  for pid in $proxy_pid $server_pid; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
gcc -O2 -o "$tmp/curl_multi" "$curl_src" -lcurl

read -r server_port proxy_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
"$build/tools/test_server/httpxx-testserver" --port "$server_port" --tls-dir "$tmp/tls" \
  >"$tmp/server.log" 2>&1 &
server_pid=$!
cat >"$tmp/tinyproxy.conf" <<EOF
Port $proxy_port
Listen 127.0.0.1
Timeout 60
LogFile "$tmp/tinyproxy.log"
LogLevel Warning
Allow 127.0.0.1
$([ "$(id -u)" -eq 0 ] && printf 'User nobody\nGroup nogroup\n')
EOF
[ "$(id -u)" -eq 0 ] && chown nobody "$tmp"
tinyproxy -d -c "$tmp/tinyproxy.conf" >"$tmp/tinyproxy.out" 2>&1 &
proxy_pid=$!
sleep 1
url="https://127.0.0.1:$server_port/bytes/100"

run() {  # run <command...>: prints client CPU microseconds per request
  local out
  out=$("$@" 2>"$tmp/err" | grep '^RESULT') || { echo "$1 failed: $(cat "$tmp/err")" >&2; exit 1; }
  python3 - "$out" "$n" <<'EOF'
import re, sys
f = dict(re.findall(r"(\w+)=([\d.]+)", sys.argv[1]))
ok = int(f["ok"])
assert ok == int(sys.argv[2]), sys.argv[1]
print(f"{(float(f['cpu_user']) + float(f['cpu_sys'])) / ok * 1e6:.1f} us/request "
      f"({ok / float(f['elapsed']):.0f} requests/s)")
EOF
}
echo "httpxx direct:           $(run "$build/bench/httpxx_bench" get "$url" "$n" 1 h1 0)"
echo "libcurl direct:          $(run "$tmp/curl_multi" get "$url" "$n" 1 h1 0)"
echo "httpxx through tinyproxy: $(HTTPXX_BENCH_PROXY=http://127.0.0.1:$proxy_port run "$build/bench/httpxx_bench" get "$url" "$n" 1 h1 0)"
echo "libcurl through tinyproxy: $(https_proxy=http://127.0.0.1:$proxy_port run "$tmp/curl_multi" get "$url" "$n" 1 h1 0)"
