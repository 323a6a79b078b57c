# A thin layer over CMake presets. The two commands a new user needs:
#   make demo    install what is missing, build, analyse the bundled example
#   make check   install what is missing, build and run every test, normally and under ASan+UBSan
JOBS ?= $(shell nproc)

.PHONY: all setup configure-release build demo check test test-release test-asan debug fuzz fuzz-run bench format tidy clean

all: build

setup:
	@bash scripts/setup-deps.sh

configure-release: setup
	cmake --preset release >/dev/null

# Only the program: what `make demo` needs.
build: configure-release
	cmake --build --preset release -j $(JOBS) --target netseen
	@echo "built build/release/netseen"

demo: build
	./build/release/netseen analyze

test-release: configure-release
	cmake --build --preset release -j $(JOBS)
	ctest --preset release -j $(JOBS)

test-asan: setup
	cmake --preset asan-ubsan >/dev/null
	cmake --build --preset asan-ubsan -j $(JOBS)
	ctest --preset asan-ubsan -j $(JOBS)

check: test-release test-asan
	@echo "make check: all tests passed (release and asan-ubsan)"

test: test-release

debug: setup
	cmake --preset debug >/dev/null
	cmake --build --preset debug -j $(JOBS)

# Real libFuzzer binaries (clang): build/fuzz/fuzz_<target>. FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
fuzz: setup
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)

fuzz-run: fuzz
	@bash scripts/fuzz-all.sh $(FUZZ_SECONDS)

# Micro-benchmarks (Google Benchmark). The comparisons against peers are separate scripts:
# bench/capture/run.sh (tcpdump, tshark), bench/logs/run.sh (psad, fwlogwatch),
# bench/talk/run.sh (nbtscan; binds udp/137, needs root).
bench: configure-release
	cmake --build --preset release -j $(JOBS)
	@for b in build/release/bench/micro/netseen_*_bench; do echo "== $$b"; $$b --benchmark_min_time=0.2; done

format:
	find src tests fuzz bench -name '*.[ch]pp' | xargs clang-format -i

tidy: build
	run-clang-tidy -p build/release -quiet src/ 2>/dev/null || clang-tidy -p build/release $$(find src -name '*.cpp')

clean:
	rm -rf build
