#!/usr/bin/env bash
# Runs every fuzz target of a HTTPXX_FUZZ build for N seconds each (`make fuzz FUZZ_SECONDS=N`).
# Fails on the first crash, leak, timeout or memory blow-up; the input is saved as
# <build>/artifacts/<target>-crash-... (replay: <build>/fuzz/fuzz_<target> <file>). What the
# fuzzer learns goes to <build>/corpus/<target>, seeded from the committed fuzz/corpus/<target>.
#   usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
set -euo pipefail
build=$1
seconds=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for bin in "$build"/fuzz/fuzz_*; do targets+=("$(basename "$bin" | sed 's/^fuzz_//')"); done
fi
mkdir -p "$build/artifacts"
printf '%-16s %8s %10s %8s %8s\n' target seconds execs exec/s corpus
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t"
  log="$build/artifacts/$t.log"
  # -timeout: one input may take 10 s at most; -rss_limit_mb: a decoder may not hold more than
  # 2 GiB; -max_len: inputs up to 16 KiB (HTTP heads and compressed bodies need room).
  if ! "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=16384 -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
      "$build/corpus/$t" "$root/fuzz/corpus/$t" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz: $t FAILED (log: $log)" >&2
    exit 1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  printf '%-16s %8s %10s %8s %8s\n' "$t" "$seconds" "$execs" "$rate" "$(ls "$build/corpus/$t" | wc -l)"
done
