# The two commands of the README:
#   make run    install what is missing, build in release mode, start the server with demo data
#   make test   install what is missing, build, run every test (unit, API, both databases)
# Other targets: build, bench, clean.

JOBS    ?= $(shell nproc)
RELEASE := build/release
TESTDIR := build/test
ASANDIR := build/asan
DB      ?= sqlite:data/customsdesk.db
LISTEN  ?= 127.0.0.1:8080

.PHONY: run test build build-test build-asan bench clean deps deps-test

deps:
	@scripts/install-deps.sh run

deps-test:
	@scripts/install-deps.sh test

build: deps
	@cmake -S . -B $(RELEASE) -G Ninja -DCMAKE_BUILD_TYPE=Release -DCUSTOMSDESK_BUILD_TESTS=OFF -DCUSTOMSDESK_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(RELEASE) --target customsdesk -j $(JOBS)

run: build
	@mkdir -p data
	@$(RELEASE)/src/customsdesk/app/customsdesk serve --db $(DB) --listen $(LISTEN) --demo --demo-scale small

build-test: deps-test
	@cmake -S . -B $(TESTDIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(TESTDIR) -j $(JOBS)

# Unit tests also run under AddressSanitizer + UndefinedBehaviorSanitizer (their own build folder).
build-asan: deps-test
	@cmake -S . -B $(ASANDIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCUSTOMSDESK_SANITIZE=ON -DCUSTOMSDESK_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(ASANDIR) --target unit_tests -j $(JOBS)

test: build-test build-asan
	@echo "== unit tests under address and undefined-behaviour sanitizers"
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir $(ASANDIR) -L unit -E openapi_validate --output-on-failure -j $(JOBS)
	@echo "== every test: unit, API and storage on SQLite and PostgreSQL, conformance, browser"
	@scripts/run-tests.sh $(TESTDIR)

bench: deps-test
	@cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build/bench -j $(JOBS)
	@echo "Benchmarks built in build/bench/bench; see docs/benchmarks.md for how each is run."

clean:
	rm -rf build
