#!/usr/bin/env bash
# SOCKS5 interop: starts dante (danted) on loopback, without auth and, when run as root, with
# RFC 1929 username/password against a throw-away system account (created here, removed at
# exit), runs httpxx_socks_interop_tests against it (the origin is the project's test server,
# in the test process), stops dante by pid and exits with the tests' status.
#   usage: tests/interop/dante.sh [build-dir] [gtest arguments...]
# shellcheck disable=SC2317  # cleanup runs from traps
set -euo pipefail
build_dir=$(realpath "${1:-build}")
shift || true
binary="$build_dir/tests/httpxx_socks_interop_tests"
[ -x "$binary" ] || { echo "dante: $binary not built" >&2; exit 1; }
command -v danted >/dev/null || { echo "dante: danted not installed (make deps)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/httpxx-dante.XXXXXX")
chmod 755 "$tmp"
pids=()
account=""
stop() {  # stop <pid>: TERM, up to 5 s of grace, then KILL
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  set +e
  trap '' PIPE
  for pid in "${pids[@]}"; do stop "$pid"; done
  [ -n "$account" ] && userdel "$account" 2>/dev/null
  if [ "$status" -ne 0 ]; then
    for log in "$tmp"/*.log; do
      [ -s "$log" ] && { echo "--- $(basename "$log") (last lines)"; tail -n 20 "$log"; } >&2
    done
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

read -r open_port auth_port < <(timeout 10 python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')

conf() {  # conf <name> <port> <method>: writes <name>.conf
  {
    echo "logoutput: $tmp/$1.log"
    echo "internal: 127.0.0.1 port = $2"
    echo "external: 127.0.0.1"
    echo "clientmethod: none"
    echo "socksmethod: $3"
    if [ "$(id -u)" -eq 0 ]; then
      echo "user.privileged: root"
      echo "user.unprivileged: nobody"
    fi
    echo "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }"
    echo "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 command: connect }"
  } >"$tmp/$1.conf"
}
start() {  # start <name> <port>: danted in the foreground of a background job, until it listens
  danted -f "$tmp/$1.conf" -p "$tmp/$1.pid" -N 1 >"$tmp/$1.out.log" 2>&1 &
  pids+=($!)
  local deadline=$((SECONDS + 10))
  until timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$2" 2>/dev/null; do
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "dante: $1 exited at start" >&2; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "dante: $1 did not listen within 10 s" >&2; exit 1; }
    sleep 0.1
  done
}

conf open "$open_port" none
start open "$open_port"
export HTTPXX_DANTE_URL="socks5://127.0.0.1:$open_port"

if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null; then
  # Username auth checks the system's accounts (shadow): a throw-away one, removed at exit.
  account="httpxx-socks-$$"
  password="pw-$RANDOM-$RANDOM"
  useradd -M -s /usr/sbin/nologin "$account"
  echo "$account:$password" | chpasswd
  conf auth "$auth_port" username
  start auth "$auth_port"
  export HTTPXX_DANTE_AUTH_URL="socks5://127.0.0.1:$auth_port"
  export HTTPXX_DANTE_USER="$account" HTTPXX_DANTE_PASSWORD="$password"
else
  echo "dante: not root: the username/password case is skipped (it needs a system account)"
fi
unset http_proxy https_proxy all_proxy no_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY

timeout 120 "$binary" "$@" &
tests_pid=$!
pids=("$tests_pid" "${pids[@]}")
status=0
wait "$tests_pid" || status=$?
exit "$status"
