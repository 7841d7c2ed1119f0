#!/usr/bin/env bash
# Installs libhttpxx into a scratch prefix, then builds and runs tests/install/consumer, a
# separate project that also uses Asio itself, as a new user would:
#   - with CMake (find_package(httpxx CONFIG REQUIRED)), once with g++ and once with clang++:
#     the library is built with one compiler, a program may use either;
#   - with g++ and nothing but `pkg-config --cflags --libs httpxx`.
# The CMake package and httpxx.pc must also record the same Asio backend (HTTPXX_IO_URING).
set -euo pipefail
build_dir=$(realpath "${1:-build}")
here=$(cd "$(dirname "$0")" && pwd)
work="$build_dir/install-test"
prefix="$work/prefix"
rm -rf "$work"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
export LD_LIBRARY_PATH="$prefix/lib:${LD_LIBRARY_PATH:-}"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
passed=0

for cxx in g++ clang++; do
  echo "install-test: consumer with CMake and $cxx"
  cmake -S "$here/consumer" -B "$work/consumer-$cxx" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$work/consumer-$cxx"
  "$work/consumer-$cxx/consumer"
  passed=$((passed + 1))
done

echo "install-test: consumer with pkg-config and g++"
# shellcheck disable=SC2046  # pkg-config's output is a list of flags
g++ -O1 -o "$work/consumer-pkg-config" "$here/consumer/main.cpp" \
  $(pkg-config --cflags --libs httpxx)
"$work/consumer-pkg-config"
passed=$((passed + 1))

# The command-line client comes with the library, with its bash completion and man page, and
# runs from the prefix (its library found beside it, through its RUNPATH $ORIGIN/../lib).
if [ -f "$build_dir/tools/cli/httpxx" ]; then
  echo "install-test: the httpxx command-line client"
  for file in bin/httpxx share/bash-completion/completions/httpxx share/man/man1/httpxx.1; do
    [ -s "$prefix/$file" ] || { echo "install-test: $prefix/$file not installed"; exit 1; }
  done
  env -u LD_LIBRARY_PATH "$prefix/bin/httpxx" --help | grep -q -- '--follow-redirects' ||
    { echo "install-test: the installed httpxx --help does not list its options"; exit 1; }
  passed=$((passed + 1))
fi

# Both descriptions of the package name the backend the library was built with.
cmake_backend=$(sed -n 's/^set(httpxx_ASIO_BACKEND \(.*\))$/\1/p' \
  "$prefix/lib/cmake/httpxx/httpxxConfig.cmake")
pc_backend=$(pkg-config --variable=asio_backend httpxx)
pc_cflags=$(pkg-config --cflags httpxx)
case "$cmake_backend/$pc_backend/$pc_cflags" in
  io_uring/io_uring/*-DBOOST_ASIO_HAS_IO_URING*-DBOOST_ASIO_DISABLE_EPOLL*) ;;
  epoll/epoll/*BOOST_ASIO*) echo "install-test: httpxx.pc imposes Asio macros: $pc_cflags"; exit 1 ;;
  epoll/epoll/*) ;;
  *) echo "install-test: backends disagree: CMake '$cmake_backend', pkg-config '$pc_backend'," \
       "Cflags '$pc_cflags'"; exit 1 ;;
esac
passed=$((passed + 1))
echo "install-test: $passed passed, 0 failed ($cmake_backend)"
