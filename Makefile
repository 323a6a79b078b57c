# A thin layer over CMake presets. The two commands a new user needs:
#   make demo    install what is missing, build, analyse the bundled example
#   make check   install what is missing, build and run every test, normally and under ASan+UBSan
JOBS ?= $(shell nproc)

.PHONY: all setup build demo check test test-release test-asan debug fuzz fuzz-run bench format tidy clean

all: build

setup:
	@bash scripts/setup-deps.sh

build: setup
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)
	@echo "built build/release/netseen"

demo: build
	./build/release/netseen analyze

test-release: build
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

bench: build
	@bash bench/run.sh

format:
	find src tests fuzz bench -name '*.[ch]pp' | xargs clang-format -i

tidy: build
	run-clang-tidy -p build/release -quiet src/ 2>/dev/null || clang-tidy -p build/release $$(find src -name '*.cpp')

clean:
	rm -rf build
