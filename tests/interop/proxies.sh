# Sourced by tests/interop/run.sh: starts squid (forwarding and CONNECT; its https_port as an
# HTTPS proxy; a port asking for Basic credentials) and tinyproxy (open, and with BasicAuth) on
# loopback ports, for tests/interop/proxy_interop_test.cpp; stop_proxies stops them by pid.
# Uses run.sh's $tmp, server.pem/server.key (signed by its CA) and stop().
# shellcheck shell=bash disable=SC2154
squid_pid=""
tinyproxy_pid=""
tinyproxy_auth_pid=""

stop_proxies() {
  stop "$squid_pid"
  stop "$tinyproxy_pid"
  stop "$tinyproxy_auth_pid"
}

start_proxies() {
  for tool in squid tinyproxy; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
      { echo "interop-test: $tool not installed (make deps)" >&2; exit 1; }
  done
  local squid=squid
  command -v squid >/dev/null || squid=/usr/sbin/squid
  local squid_port squid_tls_port squid_auth_port tinyproxy_port tinyproxy_auth_port
  read -r squid_port squid_tls_port squid_auth_port tinyproxy_port tinyproxy_auth_port < <(
    timeout 10 python3 -c '
import socket
socks = [socket.socket() for _ in range(5)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')

  # squid: started as root it becomes user "proxy", which must write its folder.
  local dir="$tmp/squid"
  mkdir -p "$dir"
  cp "$tmp/server.pem" "$tmp/server.key" "$dir/"
  printf 'user:%s\n' "$(openssl passwd -apr1 secret)" >"$dir/passwd"
  cat >"$dir/squid.conf" <<EOF
http_port 127.0.0.1:$squid_port
https_port 127.0.0.1:$squid_tls_port tls-cert=$dir/server.pem tls-key=$dir/server.key
http_port 127.0.0.1:$squid_auth_port
acl authport myportname 127.0.0.1:$squid_auth_port
auth_param basic program /usr/lib/squid/basic_ncsa_auth $dir/passwd
auth_param basic realm test
acl authed proxy_auth REQUIRED
http_access allow authport authed
http_access deny authport
http_access allow localhost
http_access deny all
cache deny all
pinger_enable off
pid_filename $dir/squid.pid
cache_log $dir/cache.log
access_log stdio:$dir/access.log
coredump_dir $dir
shutdown_lifetime 1 seconds
EOF
  [ "$(id -u)" -eq 0 ] && chown -R proxy "$dir"
  timeout 10 "$squid" -k parse -f "$dir/squid.conf" >"$dir/parse.log" 2>&1 ||
    { echo "interop-test: squid rejected its configuration" >&2; cat "$dir/parse.log" >&2; exit 1; }
  "$squid" -N -f "$dir/squid.conf" >"$dir/squid.log" 2>&1 &
  squid_pid=$!

  # tinyproxy: as root it must be told to become nobody, who must write its folder.
  local tdir="$tmp/tinyproxy"
  mkdir -p "$tdir"
  local name port extra
  for name in open auth; do
    if [ "$name" = open ]; then port=$tinyproxy_port; extra=""; else
      port=$tinyproxy_auth_port; extra="BasicAuth user secret"; fi
    cat >"$tdir/$name.conf" <<EOF
Port $port
Listen 127.0.0.1
Timeout 60
LogFile "$tdir/$name.log"
PidFile "$tdir/$name.pid"
Allow 127.0.0.1
MaxClients 50
$extra
$([ "$(id -u)" -eq 0 ] && printf 'User nobody\nGroup nogroup\n')
EOF
  done
  [ "$(id -u)" -eq 0 ] && chown -R nobody "$tdir"
  tinyproxy -d -c "$tdir/open.conf" >"$tdir/open.out" 2>&1 &
  tinyproxy_pid=$!
  tinyproxy -d -c "$tdir/auth.conf" >"$tdir/auth.out" 2>&1 &
  tinyproxy_auth_pid=$!

  # Each answers a forwarded request (a 407 counts: the proxy is up), 15 s at most.
  local pid url deadline
  for pair in "$squid_pid http://127.0.0.1:$squid_port" "$squid_pid http://127.0.0.1:$squid_auth_port" \
    "$tinyproxy_pid http://127.0.0.1:$tinyproxy_port" \
    "$tinyproxy_auth_pid http://127.0.0.1:$tinyproxy_auth_port"; do
    read -r pid url <<<"$pair"
    deadline=$((SECONDS + 15))
    until [ "$(timeout 3 curl -s -o /dev/null -w '%{http_code}' -x "$url" \
      "$HTTPXX_INTEROP_NGINX_URL/hello.txt" 2>/dev/null)" != 000 ]; do
      kill -0 "$pid" 2>/dev/null || { echo "interop-test: proxy $url exited at start" >&2; exit 1; }
      [ "$SECONDS" -lt "$deadline" ] || { echo "interop-test: proxy $url did not answer" >&2; exit 1; }
      sleep 0.2
    done
  done

  export HTTPXX_INTEROP_SQUID_URL="http://127.0.0.1:$squid_port"
  export HTTPXX_INTEROP_SQUID_TLS_URL="https://localhost:$squid_tls_port"
  export HTTPXX_INTEROP_SQUID_AUTH_URL="http://127.0.0.1:$squid_auth_port"
  export HTTPXX_INTEROP_TINYPROXY_URL="http://127.0.0.1:$tinyproxy_port"
  export HTTPXX_INTEROP_TINYPROXY_AUTH_URL="http://127.0.0.1:$tinyproxy_auth_port"
}
