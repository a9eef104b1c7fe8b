#!/bin/sh
# Prospect-register import benchmark (docs/benchmarks.md, section Registry), quicker to repeat than
# run.sh: the national register and the prospect organisations are imported ONCE into a base
# database, which is copied before each timed run of the two big files (230,000 establishments,
# then 335,000 contacts). Prints each run and the median of the sums.
# Usage: bench/registry/import.sh BUILD_DIR [RUNS] [CSV_DIR]
#   CSV_DIR: an existing `customsdesk demo --scale national --seed 2026 --out-dir` folder (else made).
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
base() {  # DB: the national register and the prospect organisations
  echo "pw-bench-kam-1" | "$BIN" user add kam --name KAM --role kam --db "$1" >/dev/null
  for f in organisations establishments contacts prospect_organisations; do
    "$BIN" import "${f#prospect_}" "$CSV/$f.csv" --db "$1" >/dev/null
  done
}
timed() {  # DB -> prints "establishments S contacts S"
  for f in prospect_establishments prospect_contacts; do
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/t" "$BIN" import "${f#prospect_}" "$CSV/$f.csv" --db "$1" >"$WORK/out"
    grep -q '"imported"' "$WORK/out" || { cat "$WORK/out"; exit 1; }
    read -r e u s m <"$WORK/t"
    echo "$f ${e} s (${u} s user, ${s} s sys, peak RSS ${m} KB)" >&2
    printf '%s ' "$e"
  done
}
base "sqlite:$WORK/base.sqlite"
sums=""
i=1
while [ "$i" -le "$RUNS" ]; do
  echo "== SQLite run $i ($(uptime | sed 's/.*load/load/'))" >&2
  rm -f "$WORK"/db.sqlite*
  cp "$WORK/base.sqlite" "$WORK/db.sqlite"
  t=$(timed "sqlite:$WORK/db.sqlite")
  sum=$(echo "$t" | awk '{printf "%.2f", $1 + $2}')
  echo "   sum $sum s" >&2
  sums="$sums $sum"
  i=$((i + 1))
done
echo "SQLite median of $RUNS (establishments + contacts): $(echo "$sums" | tr ' ' '\n' | sed '/^$/d' | sort -n |
  awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}') s"
if [ -n "${PG_URL:-}" ]; then
  echo "== PostgreSQL ($(uptime | sed 's/.*load/load/'))" >&2
  base "$PG_URL"
  t=$(timed "$PG_URL")
  echo "PostgreSQL (one run, establishments contacts): $t s"
fi
