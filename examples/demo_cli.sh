#!/usr/bin/env bash
# The end of `make demo`: one call of httpxx, the command-line client, against the test server
# (started here on a loopback port and stopped by its pid).
#   usage: examples/demo_cli.sh [BUILD_DIR]
set -euo pipefail
build_dir=${1:-build}
out=$(mktemp)
"$build_dir/tools/test_server/httpxx-testserver" --port 0 >"$out" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q '^listening on ' "$out" && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$out")
echo
echo "== The command-line client (HTTPX's \`httpx\` CLI): httpxx -v $url/echo_headers -h X-Demo 1"
"$build_dir/tools/cli/httpxx" -v "$url/echo_headers" -h X-Demo 1
