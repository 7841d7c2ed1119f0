#!/usr/bin/env bash
# `httpxx --download` of a 256 MiB file next to `curl -o` and HTTPX's CLI (`httpx --download`,
# Debian's python3-httpx): wall time, CPU (user + system) and peak RSS of each client, the
# median of REPS runs (default 3). nginx serves the generated file on a loopback port from a
# scratch folder (the page cache warmed first), and is stopped by its pid.
#   usage: bench/cli_download.sh [BUILD_DIR]    (prints a Markdown table)
set -euo pipefail
build_dir=$(realpath "${1:-build}")
httpxx="$build_dir/tools/cli/httpxx"
reps=${REPS:-3}
[ -x "$httpxx" ] || { echo "cli-bench: $httpxx not built (cmake --build $build_dir --target httpxx-cli)" >&2; exit 1; }
for tool in nginx curl httpx python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "cli-bench: $tool not installed (make deps)" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/httpxx-cli-bench.XXXXXX")
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then
    kill -QUIT "$nginx_pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$nginx_pid" 2>/dev/null
    wait "$nginx_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$tmp/www" "$tmp/temp"
head -c $((256 * 1024 * 1024)) /dev/urandom >"$tmp/www/big"
cat >"$tmp/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/error.log warn;
$([ "$(id -u)" -eq 0 ] && echo "user root;")
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $tmp/temp;
  proxy_temp_path $tmp/temp;
  fastcgi_temp_path $tmp/temp;
  uwsgi_temp_path $tmp/temp;
  scgi_temp_path $tmp/temp;
  sendfile on;
  default_type application/octet-stream;
  server { listen 127.0.0.1:$port; root $tmp/www; }
}
CONF
nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/error.log" &
nginx_pid=$!
url="http://127.0.0.1:$port/big"
for _ in $(seq 50); do curl -s -m 1 -o /dev/null "$url" -r 0-0 && break; sleep 0.1; done
cat "$tmp/www/big" >/dev/null

measure() {  # measure <name> <command...>: the median run's "wall user+sys rss"
  local name=$1
  shift
  for _ in $(seq "$reps"); do
    rm -f "$tmp/out.bin"
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >/dev/null 2>&1 </dev/null
    cmp -s "$tmp/out.bin" "$tmp/www/big" || { echo "cli-bench: $name wrote a wrong file" >&2; exit 1; }
    awk '{ printf "%.2f %.2f %d\n", $1, $2 + $3, $4 }' "$tmp/time"
  done | sort -n | sed -n "$(((reps + 1) / 2))p" | {
    read -r wall cpu rss
    printf '| %s | %s s | %s s | %d MiB |\n' "$name" "$wall" "$cpu" $((rss / 1024))
  }
}

echo "256 MiB over HTTP/1.1 from nginx on loopback; median of $reps runs; $(nproc) cores."
echo
echo "| client | wall | CPU (user+sys) | peak RSS |"
echo "| --- | --- | --- | --- |"
measure "curl -o ($(curl --version | head -1 | cut -d' ' -f2))" curl -s -o "$tmp/out.bin" "$url"
measure "httpxx --download" "$httpxx" "$url" --download "$tmp/out.bin"
measure "httpx --download (HTTPX $(/usr/bin/python3 -c 'import httpx; print(httpx.__version__)'))" \
  httpx "$url" --download "$tmp/out.bin"
