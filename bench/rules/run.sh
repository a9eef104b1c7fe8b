#!/usr/bin/env bash
# Rules engine benchmark: builds rules_bench (Release), installs the peer (npm ci, pinned by
# package-lock.json), evaluates data/rules/risk-profile.dmn with both engines over the same
# generated rows, checks that both give the same answer for every row the peer evaluated, and
# prints both rates and their ratio.
# Usage: bench/rules/run.sh [N=1000000] [PEER_N=5000] [RUNS=5]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
N="${1:-1000000}"
PEER_N="${2:-5000}"
RUNS="${3:-5}"
BUILD="${BUILD_DIR:-$ROOT/build-rules}"
cd "$ROOT"

if [ ! -f "$BUILD/build.ninja" ] && [ ! -f "$BUILD/Makefile" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$BUILD" --target rules_bench -j2

(cd bench/rules/peer && npm ci --no-audit --no-fund --loglevel=error)

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

echo "== machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/Model name:[[:space:]]*//')"
echo "== customsdesk (compiled path, 1 thread)"
"$BUILD/bench/rules/rules_bench" --n "$N" --runs "$RUNS" --check-n "$PEER_N" --check-out "$OUT/ours.txt" | tee "$OUT/ours.log"
echo "== peer: @hbtgmbh/dmn-eval-js (node $(node --version))"
(cd bench/rules/peer && node peer.js "$ROOT/data/rules/risk-profile.dmn" "$ROOT/bench/rules/pools.json" "$PEER_N" "$OUT/peer.txt") | tee "$OUT/peer.log"

if ! diff -q "$OUT/ours.txt" "$OUT/peer.txt" > /dev/null; then
  echo "MISMATCH: the engines disagree on $(diff "$OUT/ours.txt" "$OUT/peer.txt" | grep -c '^<') of $PEER_N rows"
  exit 1
fi
echo "agreement: both engines chose the same rule for all $PEER_N rows"
OURS=$(awk '/^RESULT customsdesk_rate/ {print $3}' "$OUT/ours.log")
PEER=$(awk '/^RESULT peer_rate/ {print $3}' "$OUT/peer.log")
awk -v o="$OURS" -v p="$PEER" 'BEGIN { printf "customsdesk %d eval/s, dmn-eval-js %d eval/s, ratio %.0fx\n", o, p, o / p }'
