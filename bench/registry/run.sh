#!/bin/sh
# Registry benchmarks (docs/benchmarks.md, section Registry). Usage: bench/registry/run.sh BUILD_DIR [RUNS]
#   1. writes the national demo register (seed 2026) as CSV into a temporary folder;
#   2. imports it into a fresh SQLite database, timing each file (RUNS times, fresh database each run);
#   3. exports all contacts, reporting the peak RSS (/usr/bin/time);
#   4. serves the database and runs wrk RUNS times: 50 connections, 30 s, search-as-you-type queries (queries.txt).
# The machine may be shared: the load average is printed before each step; report medians.
# Set PG_URL=postgresql://... to time the import on PostgreSQL too (the database must be empty).
set -eu
BUILD=${1:?build dir}
RUNS=${2:-3}
BIN=$BUILD/src/customsdesk/app/customsdesk
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BIN" demo --scale national --seed 2026 --out-dir "$WORK/csv" >/dev/null
import_all() {  # DB
  echo "pw-bench-kam-1" | "$BIN" user add kam --name KAM --role kam --db "$1" >/dev/null
  for f in organisations establishments contacts prospect_organisations prospect_establishments prospect_contacts; do
    kind=${f#prospect_}
    /usr/bin/time -f "$f %e s, %U s user, %S s sys, peak RSS %M KB" "$BIN" import "$kind" "$WORK/csv/$f.csv" --db "$1" 2>&1 >/dev/null | tail -1
  done
}
i=1
while [ "$i" -le "$RUNS" ]; do
  echo "== SQLite run $i ($(uptime | sed 's/.*load/load/'))"
  rm -f "$WORK"/db.sqlite*
  import_all "sqlite:$WORK/db.sqlite"
  i=$((i + 1))
done
if [ -n "${PG_URL:-}" ]; then
  echo "== PostgreSQL"
  import_all "$PG_URL"
fi
echo "== export"
/usr/bin/time -f "export contacts %e s, peak RSS %M KB" "$BIN" export contacts --output /dev/null --db "sqlite:$WORK/db.sqlite" 2>&1 | tail -1
echo "== search"
TOKEN=$("$BIN" token create --user kam --name bench --db "sqlite:$WORK/db.sqlite" | tail -1)
"$BIN" serve --db "sqlite:$WORK/db.sqlite" --listen 127.0.0.1:0 --log-level warn >"$WORK/serve.log" 2>&1 &
PID=$!
sleep 2
PORT=$(sed -n 's/.*serving http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/serve.log")
i=1
while [ "$i" -le "$RUNS" ]; do
  echo "== search run $i ($(uptime | sed 's/.*load/load/'))"
  TOKEN=$TOKEN QUERIES=$(dirname "$0")/queries.txt wrk -t2 -c50 -d30s --latency -s "$(dirname "$0")/search.lua" \
    "http://127.0.0.1:$PORT" | grep -E "Requests/sec|50%|99%|Non-2xx"
  i=$((i + 1))
done
kill "$PID"
