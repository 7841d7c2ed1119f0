#!/usr/bin/env bash
# Installs the Debian 12 packages httpxx needs to build and test, when any is missing.
# Safe to run repeatedly: it does nothing (and needs no network) once all are present.
set -euo pipefail

packages=(
  cmake ninja-build g++ clang pkg-config ccache
  libboost1.81-dev libboost-url1.81-dev libboost-context1.81-dev
  libssl-dev zlib1g-dev libbrotli-dev libzstd-dev libnghttp2-dev
  nlohmann-json3-dev libidn2-dev libpsl-dev libuchardet-dev libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nginx python3-httpbin gunicorn openssl nghttp2-server nghttp2-client curl
  libclang-rt-14-dev liburing-dev
  squid tinyproxy dante-server
  python3-httpx python3-click python3-rich python3-pygments tmux
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
