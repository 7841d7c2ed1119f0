# The two commands of the README: `make demo` and `make test`. Each installs what is missing
# (Debian packages), configures, builds, then runs.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build demo test unit-test install-test interop-test clang-build uring-test clean \
  format bench bench-peers bench-uring release asan-test tsan fuzz

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Only what the demo needs: the library, the test server it starts, the demo (not the tests),
# and the command-line client for its last call.
demo: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target demo httpxx-cli httpxx-testserver
	$(BUILD_DIR)/examples/demo
	bash examples/demo_cli.sh $(BUILD_DIR)

unit-test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 120

# Installs into a scratch prefix and builds a separate project against find_package(httpxx).
install-test: build
	bash tests/install/run.sh $(BUILD_DIR)

# Against nginx and httpbin (python3-httpbin under gunicorn) started on loopback ports, and
# SOCKS5 against dante.
interop-test: build
	bash tests/interop/run.sh $(BUILD_DIR)
	bash tests/interop/dante.sh $(BUILD_DIR)

# clang 14 (warnings are errors) with Asio on io_uring (-DHTTPXX_IO_URING=ON, README "io_uring"):
# the library, the examples and the whole suite built in build-uring and run there, then the
# install test against it (the package passes io_uring on). Not in `make test` yet (README,
# "io_uring": one test fails on io_uring, and it would take make test past 30 minutes).
# URING_CXX=g++ for the same with g++.
URING_CXX ?= clang++
uring-test: deps
	CXX=$(URING_CXX) cmake -S . -B $(BUILD_DIR)-uring -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_FLAGS=-Werror -DHTTPXX_IO_URING=ON
	cmake --build $(BUILD_DIR)-uring -j $(JOBS)
	cd $(BUILD_DIR)-uring && ctest --output-on-failure -j $(JOBS) --timeout 120
	bash tests/install/run.sh $(BUILD_DIR)-uring

# The library and examples must also compile with clang 14 (warnings are errors there).
clang-build: deps
	CXX=clang++ cmake -S . -B $(BUILD_DIR)-clang -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DHTTPXX_BUILD_TESTS=OFF -DCMAKE_CXX_FLAGS=-Werror
	cmake --build $(BUILD_DIR)-clang -j $(JOBS)

# The ASan build is clang's (warnings are errors): it is also the check that everything compiles
# with clang 14, so `make clang-build` is not repeated here.
test: unit-test asan-test install-test interop-test

# ---- sanitizers and fuzzing (README, "Reliability") ----
# ASan+UBSan: the unit and integration suites, the examples and the fuzz corpora, in build-asan.
# clang 14 with warnings as errors (ASAN_CXX=g++ for g++'s sanitizers), Debug with line tables
# only: enough for ASan's stack traces, and about a quarter less compile time than full -g.
ASAN_CXX ?= clang++
ASAN_DEBUG_FLAGS ?= $(if $(filter clang++,$(ASAN_CXX)),-gline-tables-only,-g1)
asan-test: deps
	CXX=$(ASAN_CXX) cmake -S . -B $(BUILD_DIR)-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DHTTPXX_SANITIZE=address -DCMAKE_CXX_FLAGS=-Werror -DCMAKE_CXX_FLAGS_DEBUG=$(ASAN_DEBUG_FLAGS)
	cmake --build $(BUILD_DIR)-asan -j $(JOBS) --target httpxx_test_programs
	cd $(BUILD_DIR)-asan && ctest --output-on-failure -j $(JOBS) --timeout 300

# TSan: the tests labelled `threads` (clients used from several threads), in build-tsan.
# clang by default: g++ 12 warns that its TSan does not model Asio's atomic fences.
TSAN_CXX ?= clang++
tsan: deps
	CXX=$(TSAN_CXX) cmake -S . -B $(BUILD_DIR)-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DHTTPXX_SANITIZE=thread -DHTTPXX_BUILD_EXAMPLES=OFF
	cmake --build $(BUILD_DIR)-tsan -j $(JOBS) --target httpxx_test_programs
	cd $(BUILD_DIR)-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 \
	  suppressions=$(CURDIR)/tests/tsan.supp" ctest -L threads --output-on-failure --timeout 600

# libFuzzer (clang, ASan+UBSan) in build-fuzz: every target for FUZZ_SECONDS seconds each.
FUZZ_SECONDS ?= 30
fuzz: deps
	CXX=clang++ cmake -S . -B $(BUILD_DIR)-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DHTTPXX_SANITIZE=address -DHTTPXX_FUZZ=ON -DHTTPXX_BUILD_TESTS=OFF -DHTTPXX_BUILD_EXAMPLES=OFF
	cmake --build $(BUILD_DIR)-fuzz -j $(JOBS) --target httpxx_fuzz_targets
	bash fuzz/run.sh $(BUILD_DIR)-fuzz $(FUZZ_SECONDS)

# Benchmarks (docs/performance.md) use a Release build of their own.
RELEASE_DIR ?= build-release
release: deps
	cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DHTTPXX_BUILD_TESTS=OFF \
	  -DHTTPXX_BUILD_EXAMPLES=OFF $(CMAKE_FLAGS)

# Google Benchmark micro-benchmarks of the hot paths (BENCH_ARGS: e.g. --benchmark_filter=Parse).
bench: release
	cmake --build $(RELEASE_DIR) -j $(JOBS) --target httpxx_microbench
	$(RELEASE_DIR)/bench/httpxx_microbench $(BENCH_ARGS)

# httpxx next to its peers in ../shared/bench (nginx on loopback). The harness's variables pass
# through: make bench-peers CLIENTS=httpxx,wrk SCENARIOS=h1-small-c64 REPS=3 (also N_SMALL,
# SKIP_CLIENTS, WITH_RUST, ...). The report goes to $(RELEASE_DIR) unless RESULTS_MD says otherwise.
export RESULTS_MD ?= $(CURDIR)/$(RELEASE_DIR)/results-peers.md
export RESULTS_JSONL ?= $(CURDIR)/$(RELEASE_DIR)/peers-raw.jsonl
bench-peers: release
	cmake --build $(RELEASE_DIR) -j $(JOBS) --target httpxx_bench_clients
	EXTRA_CLIENTS=$(CURDIR)/$(RELEASE_DIR)/bench/clients.conf$(if $(EXTRA_CLIENTS),:$(EXTRA_CLIENTS)) \
	EXTRA_BUILD='cmake --build $(CURDIR)/$(RELEASE_DIR) -j $(JOBS) --target httpxx_bench_clients' \
	  bash ../shared/bench/run-peers.sh

# The io_uring build (Release, build-release-uring) beside the epoll one in one harness run, the
# clients interleaved in each repetition (docs/performance.md, "io_uring against epoll"):
#   make bench-uring SCENARIOS=h1-small-c1,h1-small-c64,h2-small-c64,h1-big REPS=3
bench-uring: release
	cmake -S . -B $(RELEASE_DIR)-uring -G Ninja -DCMAKE_BUILD_TYPE=Release -DHTTPXX_BUILD_TESTS=OFF \
	  -DHTTPXX_BUILD_EXAMPLES=OFF -DHTTPXX_IO_URING=ON
	cmake --build $(RELEASE_DIR)-uring -j $(JOBS) --target httpxx_bench
	$(MAKE) bench-peers CLIENTS=httpxx,httpxx-io_uring \
	  EXTRA_CLIENTS=$(CURDIR)/$(RELEASE_DIR)-uring/bench/clients.conf

format:
	clang-format -i $$(git ls-files '*.hpp' '*.cpp')

clean:
	rm -rf $(BUILD_DIR)
