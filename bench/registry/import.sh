#!/bin/sh
# Prospect-register import benchmark (docs/benchmarks.md, section Registry), quicker to repeat than
# run.sh: the national register and the prospect organisations are imported ONCE into a base
# database, which is copied before each timed run of the two big files (230,000 establishments,
# then 335,000 contacts). Prints each run (wall, user + system CPU, peak RSS, load average) and
# the median of the sums (wall and CPU). The import uses two threads (checking and writing), so
# its CPU time is not its critical path: compare wall times on a quiet machine, or pair runs.
# Usage: bench/registry/import.sh BUILD_DIR [RUNS] [CSV_DIR]
#   CSV_DIR: an existing `customsdesk demo --scale national --seed 2026 --out-dir` folder (else made).
#   BASELINE=/path/to/other/customsdesk: also times that binary, run by run in the same minute as
#   the build's one (alternating, same base database), and prints its medians too.
#   PG_URL=postgresql://... also times the two files once on PostgreSQL (the database must be EMPTY:
#   it is filled with the base first).
set -eu
BUILD=${1:?build dir}
RUNS=${2:-3}
BIN=$BUILD/src/customsdesk/app/customsdesk
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CSV=${3:-}
if [ -z "$CSV" ]; then
  CSV=$WORK/csv
  "$BIN" demo --scale national --seed 2026 --out-dir "$CSV" >/dev/null
fi
load() { cut -d' ' -f1 /proc/loadavg; }
base() {  # DB: the national register and the prospect organisations
  echo "pw-bench-kam-1" | "$BIN" user add kam --name KAM --role kam --db "$1" >/dev/null
  for f in organisations establishments contacts prospect_organisations; do
    "$BIN" import "${f#prospect_}" "$CSV/$f.csv" --db "$1" >/dev/null 2>&1
  done
}
timed() {  # BINARY DB -> prints "WALL_SUM CPU_SUM"
  tw=0
  tc=0
  for f in prospect_establishments prospect_contacts; do
    l=$(load)
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/t" "$1" import "${f#prospect_}" "$CSV/$f.csv" --db "$2" >"$WORK/out" 2>"$WORK/err"
    grep -q ' imported' "$WORK/out" || { cat "$WORK/out" >&2; exit 1; }
    read -r e u s m <"$WORK/t"
    echo "   $f ${e} s wall, ${u} s user + ${s} s sys, peak RSS ${m} KB, load ${l}-$(load)" >&2
    tw=$(echo "$tw $e" | awk '{printf "%.2f", $1 + $2}')
    tc=$(echo "$tc $u $s" | awk '{printf "%.2f", $1 + $2 + $3}')
  done
  echo "$tw $tc"
}
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
base "sqlite:$WORK/base.sqlite"
walls=""
cpus=""
bwalls=""
bcpus=""
one_run() {  # LABEL BINARY -> prints "WALL_SUM CPU_SUM" of one timed run on a fresh copy of the base
  echo "== SQLite run $i, $1" >&2
  rm -f "$WORK"/db.sqlite*
  cp "$WORK/base.sqlite" "$WORK/db.sqlite"
  r=$(timed "$2" "sqlite:$WORK/db.sqlite")
  echo "   sum ${r% *} s wall, ${r#* } s CPU" >&2
  echo "$r"
}
i=1
while [ "$i" -le "$RUNS" ]; do
  if [ -n "${BASELINE:-}" ]; then
    set -- $(one_run "BASELINE $BASELINE" "$BASELINE")
    bwalls="$bwalls $1"
    bcpus="$bcpus $2"
  fi
  set -- $(one_run "$BIN" "$BIN")
  walls="$walls $1"
  cpus="$cpus $2"
  i=$((i + 1))
done
if [ -n "${BASELINE:-}" ]; then
  echo "BASELINE SQLite median of $RUNS (establishments + contacts): $(echo "$bwalls" | median) s wall, $(echo "$bcpus" | median) s CPU"
fi
echo "SQLite median of $RUNS (establishments + contacts): $(echo "$walls" | median) s wall, $(echo "$cpus" | median) s CPU"
if [ -n "${PG_URL:-}" ]; then
  echo "== PostgreSQL (load $(load))" >&2
  base "$PG_URL"
  set -- $(timed "$BIN" "$PG_URL")
  echo "PostgreSQL (one run, establishments + contacts): $1 s wall, client $2 s CPU"
fi
