#!/usr/bin/env bash
# The httpxx command-line client against nginx and httpbin, next to HTTPX's own CLI (Debian's
# python3-httpx): run by tests/interop/run.sh once the servers are up, with its environment
# (HTTPXX_INTEROP_*).
#   usage: tests/interop/cli_interop.sh HTTPXX
set -uo pipefail
httpxx=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/httpxx-cli-interop.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() {
  local what=$1
  shift
  if "$@"; then ok; else fail "$what"; fi
}
export SSL_CERT_FILE="$HTTPXX_INTEROP_CA"
nginx=$HTTPXX_INTEROP_NGINX_URL
nginx_tls=$HTTPXX_INTEROP_NGINX_TLS_URL
httpbin=$HTTPXX_INTEROP_HTTPBIN_URL
static=$HTTPXX_INTEROP_NGINX_STATIC_DIR

# Dates, versions, ports and each client's own names masked (and so the Content-Length of
# httpbin's echoes of them: the bodies are compared); nginx's certificate stays.
mask() {
  sed -E -e 's/(127\.0\.0\.1|localhost):[0-9]+/\1:PORT/g' -e 's/(on port )[0-9]+/\1PORT/' \
    -e 's/^(Date|Server|ETag|Last-Modified): .*/\1: MASKED/I' \
    -e 's/^((user-agent|accept-encoding): ).*/\1MASKED/I' \
    -e 's/^( *"(User-Agent|Accept-Encoding|origin)": ).*/\1MASKED/' \
    -e 's/^([A-Za-z]+(Error|Timeout|Protocol)): .*/\1: MESSAGE/' \
    -e 's/^Download(ing|ed) .*/DOWNLOAD LINE/' \
    -e 's/^(Content-Length: |content-length: )[0-9]+$/\1MASKED/'
}
compare() {  # compare <name> <arguments...>
  local name=$1
  shift
  if ! command -v httpx >/dev/null; then return 0; fi
  COLUMNS=10000 timeout 20 httpx "$@" >"$tmp/httpx.out" 2>&1 </dev/null
  local reference=$?
  timeout 20 "$httpxx" "$@" >"$tmp/httpxx.out" 2>&1 </dev/null
  local ours=$?
  if ! diff -u <(mask <"$tmp/httpx.out") <(mask <"$tmp/httpxx.out") >"$tmp/diff"; then
    fail "$name: output differs from HTTPX's (- httpx, + httpxx):"
    cat "$tmp/diff"
  elif [ "$reference" != "$ours" ]; then
    fail "$name: exit status $ours, HTTPX's $reference"
  else
    ok
  fi
}

compare "nginx: a text file" "$nginx/hello.txt"
compare "nginx: 404 (exit 1)" "$nginx/missing.txt"
compare "nginx: gzip" "$nginx/lines.txt"
compare "nginx over TLS, verified" "$nginx_tls/hello.txt"
compare "httpbin: JSON" "$httpbin/json"
compare "httpbin: 418 (exit 1)" "$httpbin/status/418"
compare "httpbin: POST form" "$httpbin/post" -d name value
compare "httpbin: redirects" "$httpbin/redirect/2" --follow-redirects
compare "httpbin: basic auth" "$httpbin/basic-auth/u/p" --auth u p

"$httpxx" "$nginx/big.bin" --download "$tmp/big.bin" >"$tmp/out" 2>&1
check "nginx: --download" cmp -s "$tmp/big.bin" "$static/big.bin"
head -c 1000000 "$static/big.bin" >"$tmp/part.bin"
"$httpxx" "$nginx/big.bin" --download "$tmp/part.bin" --continue >"$tmp/out" 2>&1
check "nginx: --continue with a Range request (206)" bash -c \
  "cmp -s '$tmp/part.bin' '$static/big.bin' && grep -q '^HTTP/1.1 206 Partial Content' '$tmp/out'"
head -c 1000000 "$static/big.bin" >"$tmp/part2.bin"
printf '"not-the-etag"\n' >"$tmp/part2.bin.httpxx-resume"
"$httpxx" "$nginx/big.bin" --download "$tmp/part2.bin" --continue >"$tmp/out" 2>&1
check "nginx: --continue, another version (If-Range: 200)" bash -c \
  "cmp -s '$tmp/part2.bin' '$static/big.bin' && grep -q '^HTTP/1.1 200 OK' '$tmp/out'"

echo "cli-interop: $passed passed, $failed failed"
[ "$failed" = 0 ]
