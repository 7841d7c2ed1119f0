#!/usr/bin/env bash
# The httpxx command-line client as a user runs it, against the project's test server (started
# here on a loopback port): its output next to what HTTPX's own CLI (Debian's python3-httpx,
# `httpx`) prints for the same requests, ports and versions masked; exit statuses; bad input;
# --download and --continue; the progress bar, colours and the password prompt in a real
# terminal (tmux); the generated bash completion and man page.
#   usage: tests/cli/cli_test.sh HTTPXX HTTPXX_TESTSERVER [BUILD_DIR_OF_DOCS]
# shellcheck disable=SC2317  # cleanup runs from a trap
set -uo pipefail
httpxx=$(realpath "$1")
server=$(realpath "$2")
docs_dir=$(dirname "$httpxx")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/httpxx-cli.XXXXXX")
server_pid=""
tls_pid=""
session="httpxx-cli-$$"
passed=0
failed=0

cleanup() {
  for pid in "$server_pid" "$tls_pid"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  command -v tmux >/dev/null && tmux kill-session -t "$session" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
unset http_proxy https_proxy all_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_COLOR

ok() { passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() {  # check <description> <command...>: the command must succeed
  local what=$1
  shift
  if "$@"; then ok; else fail "$what"; fi
}

start_server() {  # start_server <out-file> <args...>: prints the URL
  local out=$1
  shift
  "$server" --port 0 "$@" >"$out" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do
    grep -q '^listening on ' "$out" && break
    sleep 0.05
  done
  echo "$pid $(sed -n 's/^listening on //p' "$out")"
}
read -r server_pid url < <(start_server "$tmp/server.out")
[ -n "${url:-}" ] || { echo "cli-test: the test server did not start"; cat "$tmp/server.out"; exit 1; }
mkdir -p "$tmp/tls"
read -r tls_pid tls_url < <(start_server "$tmp/tls.out" --tls-dir "$tmp/tls" --http2)

# ---- the same requests through HTTPX's CLI and ours --------------------------------------

# What legitimately differs: ports, the User-Agent and Accept-Encoding values (each client
# names itself and its decoders) and so the Content-Length of echoed headers (the bodies are
# compared), the exception messages (Python's errno texts), the final
# progress line (HTTPX redraws its bar once, httpxx prints a summary line when not a terminal).
mask() {
  sed -E -e 's/(127\.0\.0\.1|localhost):[0-9]+/\1:PORT/g' -e 's/(on port )[0-9]+/\1PORT/' \
    -e 's/^((user-agent|accept-encoding): ).*/\1MASKED/I' \
    -e 's/^( *"(user-agent|accept-encoding)": ).*/\1MASKED/' \
    -e 's/^([A-Za-z]+(Error|Timeout|Protocol)): .*/\1: MESSAGE/' \
    -e 's/^Download(ing|ed) .*/DOWNLOAD LINE/' \
    -e 's/^(Content-Length: |content-length: )[0-9]+$/\1MASKED/'
}

have_httpx=1
if ! command -v httpx >/dev/null || ! httpx --help >/dev/null 2>&1; then
  have_httpx=0
  echo "cli-test: HTTPX's CLI (python3-httpx, python3-click, python3-rich) not installed:" \
    "the comparisons are skipped (make deps installs it)"
fi

compare() {  # compare <name> <arguments...>: same output (masked) and exit status as HTTPX
  local name=$1
  shift
  [ "$have_httpx" = 1 ] || return 0
  # COLUMNS: rich would wrap HTTPX's lines at 80 columns when not on a terminal.
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

compare "text body" "$url/"
compare "JSON body, indented as Python" "$url/echo_headers"
compare "binary body" "$url/bytes/1000"
compare "empty body, error status (exit 1)" "$url/status/404"
compare "server error (exit 1)" "$url/status/503"
compare "redirect not followed (exit 1)" "$url/redirect/1"
compare "redirects followed: every head" "$url/redirect/3" --follow-redirects
compare "HEAD" "$url/" -m HEAD
compare "query parameters" "$url/redirect/1" -p a 1 -p b "two words"
compare "headers" "$url/echo_headers" -h X-One 1 -h X-Two "two"
compare "cookies" "$url/echo_headers" --cookies a 1 --cookies b 2
compare "basic auth" "$url/echo_headers" --auth user "pass word"
# (Debian's pygments 2.14 has no lexer for a form, so its HTTPX shows one as binary; newer
# pygments, and httpxx, show it as text.)
check "form data: POST by default, shown as text" bash -c \
  "'$httpxx' '$url/echo' -d a 1 -d b 'x y' | grep -qx 'a=1&b=x+y'"
compare "content: POST, no Content-Type, binary" "$url/echo" -c "hello"
compare "content with a method" "$url/echo" -m PUT -c "hello" -h Content-Type text/plain
compare "text with CRLF line ends, shown with LF" "$url/echo" -c $'a\r\nb\r\n' -h Content-Type text/html
compare "text ending in newlines, kept" "$url/echo" -c $'  a  \n\n' -h Content-Type text/plain
# The request body differs (HTTPX 0.23 writes JSON with spaces, 0.28 and httpxx without): so
# does the echoed Content-Length (masked, as the User-Agent's length changes it too). The body
# printed, indented as Python does, is the same.
compare "JSON request and response" "$url/echo" \
  -j '{"b": 1, "a": [1.5, 2.5e-07, "\u00e9t\u00e9", null, true, {}], "c": {"d": -0.0}}'
compare "gzip body decoded" "$url/gzip"
compare "-v: the connection and the request head" "$url/echo_headers" -v -h X-One 1
compare "-v: each hop of a redirect" "$url/redirect/2" -v --follow-redirects -p q 1
compare "connection refused (exit 1)" "http://127.0.0.1:1/"
compare "read timeout (exit 1)" "$url/slow?ms=3000" --timeout 0.5
compare "no scheme (exit 1)" "127.0.0.1/"
compare "download: head, then the file" "$url/bytes/100000" --download "$tmp/a.bin"

# ---- exit statuses and bad input: one line on stderr, status 2 -----------------------------

bad_input() {  # bad_input <name> <expected stderr (grep -E)> <arguments...>
  local name=$1 pattern=$2
  shift 2
  timeout 20 "$httpxx" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local status=$?
  if [ "$status" != 2 ]; then
    fail "$name: exit status $status, not 2"
  elif [ "$(wc -l <"$tmp/err")" != 1 ] || ! grep -qE "$pattern" "$tmp/err"; then
    fail "$name: stderr is not one line matching '$pattern':"
    cat "$tmp/err"
  elif [ -s "$tmp/out" ]; then
    fail "$name: printed on stdout"
  else
    ok
  fi
}
bad_input "unknown option" "^Error: No such option: --nope$" "$url/" --nope
bad_input "missing URL" "^Error: Missing argument 'URL'" -v
bad_input "invalid URL" "^Error: Invalid value for 'URL': " "http://[::1/"
bad_input "invalid JSON" "^Error: Invalid value for '--json' / '-j': Not valid JSON$" \
  "$url/" -j '{"a": }'
bad_input "missing file" "^Error: Invalid value for '--files' / '-f': '$tmp/none': No such file" \
  "$url/upload" -f upload "$tmp/none"
bad_input "a pair with one value" "^Error: " "$url/" -h Only
bad_input "not a number" "^Error: .*timeout" "$url/" --timeout soon
bad_input "--continue alone" "^Error: Option '--continue' needs '--download FILE'" "$url/" --continue
bad_input "download into a missing folder" "^Error: Invalid value for '--download': " \
  "$url/" --download "$tmp/no/such/dir/file"

status_of() { timeout 20 "$httpxx" "$@" >/dev/null 2>&1 </dev/null; echo $?; }
check "exit 0 on 200" test "$(status_of "$url/")" = 0
check "exit 1 on 404" test "$(status_of "$url/status/404")" = 1
check "exit 1 on a connect error" test "$(status_of http://127.0.0.1:1/)" = 1
check "exit 0 for --help" test "$(status_of --help)" = 0
check "--help lists -h as --headers" \
  bash -c "'$httpxx' --help | grep -qE -- '-h, --headers <NAME VALUE>'"
check "no colours in a pipe" bash -c "! '$httpxx' '$url/echo_headers' | grep -q $'\e'"

# A file for -f: multipart, POST by default.
printf 'file content\n' >"$tmp/upload.txt"
"$httpxx" "$url/echo" -f upload "$tmp/upload.txt" >"$tmp/out"
check "files: a multipart POST, shown as binary" bash -c \
  "grep -q '^Content-Type: multipart/form-data; boundary=' '$tmp/out' && grep -qE '^<[0-9]+ bytes of binary data>$' '$tmp/out'"
"$httpxx" "$url/upload" -f upload "$tmp/upload.txt" -d field value >"$tmp/out"
check "files: with form fields" grep -q '"chunked": false' "$tmp/out"

# ---- TLS and HTTP/2 ----------------------------------------------------------------------

check "TLS, verified with SSL_CERT_FILE, HTTP/2" bash -c \
  "SSL_CERT_FILE='$tmp/tls/ca.pem' '$httpxx' --http2 '$tls_url/' | head -1 | grep -qx 'HTTP/2 200 OK'"
check "TLS: an unknown CA is a ConnectError (exit 1)" bash -c \
  "'$httpxx' '$tls_url/' | grep -q '^ConnectError: '; test \${PIPESTATUS[0]} = 1"
check "TLS: --no-verify" bash -c "'$httpxx' --no-verify '$tls_url/' | grep -qx 'Hello, world!'"
if [ "$have_httpx" = 1 ]; then
  export SSL_CERT_FILE="$tmp/tls/ca.pem"
  compare "HTTP/2 over TLS" "$tls_url/echo_headers" --http2
  compare "-v over TLS: version, cipher, ALPN, the certificate as Python's getpeercert()" \
    "$tls_url/" -v
  compare "-v over TLS with HTTP/2: ALPN h2, lower-case request head" "$tls_url/" -v --http2
  compare "-v with --no-verify: no certificate shown" "$tls_url/" -v --no-verify
  unset SSL_CERT_FILE
fi

# ---- --download and --continue ------------------------------------------------------------

pattern_file() {  # pattern_file <n> <file>: the test server's pattern bytes
  python3 -c '
import sys
alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxy"
n = int(sys.argv[1])
sys.stdout.buffer.write((alphabet * (n // 61 + 1))[:n])' "$1" >"$2"
}
pattern_file 200000 "$tmp/expected.bin"
head -c 50000 "$tmp/expected.bin" >"$tmp/part.bin"

"$httpxx" "$url/range/200000" --download "$tmp/d1.bin" >"$tmp/out" 2>&1
check "download: the file" cmp -s "$tmp/d1.bin" "$tmp/expected.bin"
check "download: a summary line when not on a terminal" \
  grep -qE "^Downloaded d1.bin: 200.0 kB in [0-9.]+ s" "$tmp/out"
check "download: the validator file is gone once complete" test ! -e "$tmp/d1.bin.httpxx-resume"

cp "$tmp/part.bin" "$tmp/d2.bin"
"$httpxx" "$url/range/200000" --download "$tmp/d2.bin" --continue >"$tmp/out" 2>&1
check "continue: 206 and the rest appended" \
  bash -c "cmp -s '$tmp/d2.bin' '$tmp/expected.bin' && grep -q '^HTTP/1.1 206 Partial Content' '$tmp/out' && grep -q '^Content-Range: bytes 50000-199999/200000' '$tmp/out'"

cp "$tmp/part.bin" "$tmp/d3.bin"
printf '"pattern-200000"\n' >"$tmp/d3.bin.httpxx-resume"
"$httpxx" "$url/range/200000" --download "$tmp/d3.bin" --continue >"$tmp/out" 2>&1
check "continue: If-Range with the saved ETag, 206" \
  bash -c "cmp -s '$tmp/d3.bin' '$tmp/expected.bin' && grep -q ' 206 ' '$tmp/out'"

head -c 50000 /dev/zero >"$tmp/d4.bin"
printf '"an older version"\n' >"$tmp/d4.bin.httpxx-resume"
"$httpxx" "$url/range/200000" --download "$tmp/d4.bin" --continue >"$tmp/out" 2>&1
check "continue: the file changed (If-Range fails, 200): started over" \
  bash -c "cmp -s '$tmp/d4.bin' '$tmp/expected.bin' && grep -q '^HTTP/1.1 200 OK' '$tmp/out'"

head -c 50000 /dev/zero >"$tmp/d5.bin"
"$httpxx" "$url/range/200000?ignore=1" --download "$tmp/d5.bin" --continue >"$tmp/out" 2>&1
check "continue: the server ignores Range (200): started over" \
  cmp -s "$tmp/d5.bin" "$tmp/expected.bin"

cp "$tmp/expected.bin" "$tmp/d6.bin"
"$httpxx" "$url/range/200000" --download "$tmp/d6.bin" --continue >"$tmp/out" 2>&1
check "continue: already complete (416), exit 0" bash -c \
  "test $? = 0 && grep -q 'already complete' '$tmp/out' && cmp -s '$tmp/d6.bin' '$tmp/expected.bin'"

pattern_file 300000 "$tmp/d7.bin"
"$httpxx" "$url/range/200000" --download "$tmp/d7.bin" --continue >"$tmp/out" 2>&1
check "continue: longer than the file (416): the whole file again" \
  cmp -s "$tmp/d7.bin" "$tmp/expected.bin"

"$httpxx" "$url/range/200000" --download "$tmp/d8.bin" --continue >"$tmp/out" 2>&1
check "continue: no partial file, a plain download" cmp -s "$tmp/d8.bin" "$tmp/expected.bin"

printf 'keep' >"$tmp/d9.bin"
"$httpxx" "$url/status/404" --download "$tmp/d9.bin" --continue >"$tmp/out" 2>&1
check "continue: an error status leaves the file alone, exit 1" \
  bash -c "test $? = 1 && test \"\$(cat '$tmp/d9.bin')\" = keep"

# Flat memory: 100 MB through a client whose peak RSS stays far below it (not under ASan, whose
# quarantine keeps freed memory resident).
if [ "${HTTPXX_SANITIZE:-}" = address ]; then
  echo "skip download: peak RSS means nothing under ASan"
elif [ -x /usr/bin/time ]; then
  /usr/bin/time -f '%M' -o "$tmp/rss" "$httpxx" "$url/bytes/100000000" --download "$tmp/big.bin" \
    >/dev/null 2>&1
  check "download: 100 MB with a peak RSS under 40 MB ($(cat "$tmp/rss") kB)" \
    bash -c "test \$(stat -c %s '$tmp/big.bin') = 100000000 && test \$(tail -1 '$tmp/rss') -lt 40000"
  rm -f "$tmp/big.bin"
fi

# ---- a real terminal: progress bar, colours, the password prompt (tmux) --------------------

if command -v tmux >/dev/null; then
  tmux_run() {  # tmux_run <command>: in a fresh 100x30 session
    tmux kill-session -t "$session" 2>/dev/null
    tmux new-session -d -s "$session" -x 100 -y 30 "$1; echo EXIT=\$?; sleep 30"
  }
  wait_pane() {  # wait_pane <grep -E pattern>: until the pane shows it (10 s at most)
    for _ in $(seq 200); do
      tmux capture-pane -p -t "$session" | grep -qE "$1" && return 0
      sleep 0.05
    done
    return 1
  }
  # 2 MB in 20 pieces 150 ms apart: about 3 s.
  tmux_run "cd '$tmp' && '$httpxx' '$url/range/2000000?ms=150&chunk=100000' --download tty.bin"
  tmux pipe-pane -t "$session" -o "cat >>'$tmp/tty.raw'"
  check "progress: drawn while it runs" wait_pane 'Downloading tty.bin +[0-9]+% .*kB/s'
  tmux capture-pane -p -t "$session" >"$tmp/during"
  check "progress: part-way, with the time left" \
    grep -qE 'Downloading tty.bin +([1-9]|[1-9][0-9])% ━+─* [0-9.]+/2.0 MB [0-9.]+ [kM]B/s 0:00:0[0-9]' \
    "$tmp/during"
  check "progress: complete after" wait_pane 'EXIT=0'
  tmux capture-pane -p -t "$session" >"$tmp/after"
  check "progress: 100% on one line, the file whole" bash -c \
    "grep -qE 'Downloading tty.bin 100% ━+ 2.0/2.0 MB' '$tmp/after' && test \$(stat -c %s '$tmp/tty.bin') = 2000000"
  # At most ten redraws a second: about 3 s, so at most ~32 carriage returns.
  redraws=$(tr -cd '\r' <"$tmp/tty.raw" | wc -c)
  check "progress: at most ten redraws a second ($redraws)" test "$redraws" -le 40

  tmux_run "'$httpxx' '$url/echo_headers'"
  wait_pane 'EXIT=' >/dev/null
  check "colours on a terminal" bash -c "tmux capture-pane -e -p -t '$session' | grep -q $'\e\\\\['"
  tmux_run "NO_COLOR=1 '$httpxx' '$url/echo_headers'"
  wait_pane 'EXIT=' >/dev/null
  check "no colours with NO_COLOR" bash -c "! tmux capture-pane -e -p -t '$session' | grep -q $'\e\\\\[[0-9;]*m'"

  tmux_run "'$httpxx' --auth alice - '$url/echo_headers'"
  check "--auth USER -: a password prompt" wait_pane '^Password:'
  tmux send-keys -t "$session" 'sesame' Enter
  wait_pane 'EXIT=' >/dev/null
  tmux capture-pane -p -t "$session" >"$tmp/auth"
  # base64("alice:sesame")
  check "--auth USER -: the password typed, not echoed" bash -c \
    "grep -q 'Basic YWxpY2U6c2VzYW1l' '$tmp/auth' && ! grep -q sesame '$tmp/auth'"
  tmux kill-session -t "$session" 2>/dev/null
else
  echo "cli-test: tmux not installed: the terminal checks are skipped (make deps installs it)"
fi

# ---- the generated bash completion and man page ------------------------------------------

completion="$docs_dir/httpxx.bash"
complete_words() {  # complete_words <words...>: what the completion offers for the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); compopt() { :; }
    _httpxx; printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" httpxx "$@"
}
check "completion: options" bash -c "$(declare -f complete_words); completion='$completion'; complete_words --fol | grep -qx -- --follow-redirects"
check "completion: methods" bash -c "$(declare -f complete_words); completion='$completion'; test \"\$(complete_words -m P | sort | tr '\n' ' ')\" = 'PATCH POST PUT '"
check "completion: files for -f's second value" bash -c "$(declare -f complete_words); completion='$completion'; cd '$tmp' && complete_words -f name upl | grep -qx upload.txt"
check "completion: nothing for -h's name" bash -c "$(declare -f complete_words); completion='$completion'; test -z \"\$(complete_words -h X)\""
man_page="$docs_dir/httpxx.1"
for option in $("$httpxx" --help | grep -oE -- '--[a-z0-9-]+' | sort -u); do
  check "man page documents $option" grep -qF -- "${option//-/\\-}" "$man_page"
done

if command -v groff >/dev/null; then
  check "man page: groff renders it without a warning" \
    bash -c "test -z \"\$(groff -man -Tutf8 -ww -z '$man_page' 2>&1)\""
fi

echo "cli-test: $passed passed, $failed failed"
[ "$failed" = 0 ]
