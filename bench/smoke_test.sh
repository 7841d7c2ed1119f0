#!/usr/bin/env bash
# Runs httpxx_bench (and httpxx_sync_bench, when given) once per mode on a tiny workload against
# the project's test server, so that the harness clients keep building and working. No timing is
# checked.
#   smoke_test.sh <httpxx-testserver> <httpxx_bench> [<httpxx_sync_bench>]
set -euo pipefail
server_bin=$1 bench_bin=$2 sync_bench_bin=${3:-}
out=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; rm -rf "$out"' EXIT
"$server_bin" --port 0 > "$out/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
    grep -q '^listening on ' "$out/server.log" && break
    sleep 0.1
done
origin=$(sed -n 's/^listening on //p' "$out/server.log")
[[ -n $origin ]] || { echo "test server did not start"; cat "$out/server.log"; exit 1; }

run() {  # run <expected body bytes, or - for any> <args...>
    local expected=$1; shift
    local line
    line=$(timeout 30 "$client_bin" "$@" | grep '^RESULT ')
    echo "$* -> $line"
    [[ $line =~ ^RESULT\ ok=([0-9]+)\ err=0\ bytes=([0-9]+)\ elapsed=[0-9.]+\ cpu_user=[0-9.]+\ cpu_sys=[0-9.]+$ ]] ||
        { echo "bad RESULT line"; exit 1; }
    [[ ${BASH_REMATCH[1]} == "$3" && ($expected == - || ${BASH_REMATCH[2]} == "$expected") ]] ||
        { echo "expected ok=$3 bytes=$expected"; exit 1; }
}
client_bin=$bench_bin
run 5000 get "$origin/bytes/100" 50 4 h1 0
run 1000000 stream "$origin/bytes/1000000" 1 1 h1 0
run - upload "$origin/upload" 3 1 h1 100000
if [[ -n $sync_bench_bin ]]; then
    client_bin=$sync_bench_bin
    run 5000 get "$origin/bytes/100" 50 1 h1 0
    run 1000000 stream "$origin/bytes/1000000" 1 1 h1 0
    run - upload "$origin/upload" 3 1 h1 100000
fi
