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

# `make bench`: netseen against its peers (tcpdump, tshark, psad, fwlogwatch, nbtscan) on inputs
# generated into build/bench-data (>= 1 GB capture, pcapng variant, 5M netfilter lines; cached),
# median of BENCH_RUNS runs; prints the table and writes build/bench/results.json. Then the
# Google Benchmark micro-benchmarks of the hot paths. Not part of `make check` (minutes).
BENCH_RUNS ?= 3
bench: configure-release
	cmake --build --preset release -j $(JOBS) --target netseen netseen_decode_bench netseen_logparse_bench netseen_netbios_bench netseen_detect_bench netseen_knowledge_bench
	@for b in build/release/bench/micro/netseen_*_bench; do echo "== $$b"; $$b --benchmark_min_time=0.2; done
	/usr/bin/python3 bench/run.py --runs $(BENCH_RUNS)

format:
	find src tests fuzz bench -name '*.[ch]pp' | xargs clang-format -i

tidy: build
	run-clang-tidy -p build/release -quiet src/ 2>/dev/null || clang-tidy -p build/release $$(find src -name '*.cpp')

clean:
	rm -rf build
