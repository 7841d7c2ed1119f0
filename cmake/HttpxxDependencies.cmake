# Finds every third-party library libhttpxx builds on (see ARCHITECTURE.md for why each one).
# Also included by the installed httpxxConfig.cmake, so consumers find the same ones.
include(CMakeFindDependencyMacro)
find_dependency(Boost 1.81 CONFIG COMPONENTS url)
find_dependency(OpenSSL 3)
find_dependency(ZLIB)
find_dependency(nlohmann_json 3)
find_dependency(Threads)
find_dependency(PkgConfig)
pkg_check_modules(HTTPXX_BROTLI REQUIRED IMPORTED_TARGET GLOBAL libbrotlidec)
pkg_check_modules(HTTPXX_ZSTD REQUIRED IMPORTED_TARGET GLOBAL libzstd)
pkg_check_modules(HTTPXX_NGHTTP2 REQUIRED IMPORTED_TARGET GLOBAL libnghttp2)
pkg_check_modules(HTTPXX_IDN2 REQUIRED IMPORTED_TARGET GLOBAL libidn2)
# The Public Suffix List for the cookie jar (refusing Domain=com).
pkg_check_modules(HTTPXX_PSL REQUIRED IMPORTED_TARGET GLOBAL libpsl)
# HTTPXX_IO_URING: set by the option in a build tree, by httpxxConfig.cmake for a consumer.
if(HTTPXX_IO_URING)
  pkg_check_modules(HTTPXX_URING REQUIRED IMPORTED_TARGET GLOBAL liburing)
endif()
# Charset detection for httpx::autodetect_encoding.
pkg_check_modules(HTTPXX_UCHARDET REQUIRED IMPORTED_TARGET GLOBAL uchardet)
