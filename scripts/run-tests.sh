#!/usr/bin/env bash
# Runs every test of a configured build folder with ctest; ctest's summary is the last thing printed.
#   scripts/run-tests.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: scripts/run-tests.sh BUILD_DIR}
jobs=${CTEST_JOBS:-$(nproc)}
# npm packages used by the tests (OpenAPI validator, browser tests), pinned by package-lock.json.
if [ -f package-lock.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
exec ctest --test-dir "$build" --output-on-failure -j "$jobs"
