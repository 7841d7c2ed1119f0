#!/usr/bin/env bash
# Installs libhttpxx into a scratch prefix, then configures and builds tests/install/consumer,
# a separate CMake project using find_package(httpxx CONFIG REQUIRED), and runs it.
set -euo pipefail
build_dir=$(realpath "${1:-build}")
here=$(cd "$(dirname "$0")" && pwd)
prefix="$build_dir/install-test/prefix"
rm -rf "$build_dir/install-test"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
cmake -S "$here/consumer" -B "$build_dir/install-test/consumer" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir/install-test/consumer"
LD_LIBRARY_PATH="$prefix/lib:${LD_LIBRARY_PATH:-}" "$build_dir/install-test/consumer/consumer"
# The pkg-config file must describe the same library.
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --exists httpxx
echo "install-test: 1 passed, 0 failed"
