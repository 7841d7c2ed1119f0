# HTTPXX_SANITIZE selects a sanitizer build (one per build directory: they do not mix):
#   address  ASan + LSan + UBSan; a UBSan report aborts the program like an ASan one, so a test
#            run cannot pass with undefined behaviour in it
#   thread   TSan (for the multi-threaded tests: `make tsan`)
#   ""       none (the default)
# ON is accepted as address for existing build directories.
set(HTTPXX_SANITIZE "" CACHE STRING "Sanitizer build: address (ASan+UBSan), thread (TSan) or empty")
set_property(CACHE HTTPXX_SANITIZE PROPERTY STRINGS "" address thread)

if(HTTPXX_SANITIZE STREQUAL "ON")
  set(HTTPXX_SANITIZE address)
elseif(HTTPXX_SANITIZE STREQUAL "OFF")
  set(HTTPXX_SANITIZE "")
endif()

if(HTTPXX_SANITIZE STREQUAL "address")
  set(HTTPXX_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined)
  # Asio keeps freed handler, coroutine-frame and cancellation-handler blocks in a per-thread
  # cache for the next allocation: memory used after it was freed there is invisible to ASan.
  # Without the cache every such block goes back to the heap, where ASan watches it (Asio 1.81's
  # BOOST_ASIO_DISABLE_SMALL_BLOCK_RECYCLING leaves that cache on).
  add_compile_definitions(BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE=0)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # clang 14 cannot emit UBSan's `function` check in coroutines ("Cannot represent a
    # difference across sections"): that one check is left out, as in the fuzz build.
    list(APPEND HTTPXX_SANITIZER_FLAGS -fno-sanitize=function)
  endif()
elseif(HTTPXX_SANITIZE STREQUAL "thread")
  set(HTTPXX_SANITIZER_FLAGS -fsanitize=thread)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 warns on every std::atomic_thread_fence in Asio that TSan does not model fences.
    add_compile_options(-Wno-tsan)
  endif()
elseif(NOT HTTPXX_SANITIZE STREQUAL "")
  message(FATAL_ERROR "HTTPXX_SANITIZE must be address, thread or empty, not '${HTTPXX_SANITIZE}'")
endif()

if(HTTPXX_SANITIZER_FLAGS)
  add_compile_options(${HTTPXX_SANITIZER_FLAGS} -fno-omit-frame-pointer)
  add_link_options(${HTTPXX_SANITIZER_FLAGS})
endif()

# HTTPXX_FUZZ: every target gets libFuzzer's coverage instrumentation; the fuzz targets link
# libFuzzer's main (fuzz/CMakeLists.txt). Without it the fuzz targets link a replay main instead.
if(HTTPXX_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "HTTPXX_FUZZ needs clang (libFuzzer): CXX=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
  # clang 14 cannot emit UBSan's `function` check together with coverage in coroutines
  # ("Cannot represent a difference across sections"): that one check is left out here.
  add_compile_options(-fno-sanitize=function)
endif()
