#!/usr/bin/env bash
# Load benchmark of declaration lodging: the server with demo data on a fresh database, logged in as
# the demo trader; realistic H1/H7 declarations built from the reference data (gen_bodies.py).
#  1. single-declaration requests: wrk POST /api/v1/declarations (unique LRN per request, lodge.lua)
#     at CONNECTIONS connections for 10 s, RUNS times: req/s, p50, p99 (a 201 is sent only after the
#     declaration's transaction is durably committed: SQLite synchronous=FULL + group commit);
#  2. paced runs at RATE (default 5000) declarations/s: wrk's delay() hook (lodge.lua), 128
#     connections, the achieved rate and its p50/p99 are printed (RATE=0 skips them);
#  3. bulk: BULK H7 declarations as one NDJSON request to /api/v1/declarations/bulk, RUNS times.
# Prints the server's peak RSS (VmHWM).
#   bench/declarations/lodge.sh [sqlite|postgres] [RUNS] [CONNECTIONS] [BULK]
# BIN overrides the binary (default build/release/...; `make build` if missing); THREADS the
# server's threads (default: one per core - lodging does not hold a thread while it waits for its commit). SINGLE_RUNS=0 skips
# the single-request runs; LOG_LEVEL=info also prints the server's per-bulk timing lines.
set -euo pipefail
cd "$(dirname "$0")/../.."
kind=${1:-sqlite}
runs=${2:-3}
conns=${3:-64}
bulk=${4:-50000}
bin=${BIN:-build/release/src/customsdesk/app/customsdesk}
[ -x "$bin" ] || make build >/dev/null
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

work=$(mktemp -d)
chmod 755 "$work"
pg_dir=""
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$pg_dir" ] && scripts/pg-test-server.sh stop "$pg_dir" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
if [ "$kind" = postgres ]; then
  pg_dir="$work/pg"
  scripts/pg-test-server.sh start "$pg_dir" >/dev/null
  db=$(cat "$pg_dir/url")
else
  db="sqlite:$work/bench.db"
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --demo --threads "${THREADS:-$(nproc)}" --db-pool 4 \
  --body-limit $((512 * 1024 * 1024)) --request-timeout 300 --log-level "${LOG_LEVEL:-warn}" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

login=$(curl -sf -c "$work/jar" -H 'Content-Type: application/json' \
  -d '{"username":"trader","password":"demo-trader-pass"}' "http://127.0.0.1:$port/api/v1/auth/login")
export CSRF=$(python3 -c 'import sys,json; print(json.loads(sys.argv[1])["csrf_token"])' "$login")
export COOKIE=$(awk '$6=="cd_session"{print "cd_session="$7}' "$work/jar")
eori=$(curl -sf -H "Cookie: $COOKIE" "http://127.0.0.1:$port/api/v1/organisations/1" |
       python3 -c 'import sys,json; print(json.load(sys.stdin)["eori"])')
export BODIES="$work/bodies.json"
python3 bench/declarations/gen_bodies.py "$eori" 2000 "$BODIES" --h7-ndjson "$bulk" "$work/bulk.ndjson"

# The server's CPU time (user + system, clock ticks) — CPU per declaration is less sensitive than
# wall-clock rates to other work on a shared machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
cpu_per() { python3 -c "import os; t=os.sysconf('SC_CLK_TCK'); print(round(($2-$1)/t*1e6/max($3,1)))"; }
rps=(); p50=(); p99=()
for i in $(seq "${SINGLE_RUNS:-$runs}"); do
  export LRN_TAG="r$i-$RANDOM"
  c0=$(cpu_ticks)
  out=$(wrk -t2 -c"$conns" -d10s --latency -s bench/declarations/lodge.lua "http://127.0.0.1:$port" 2>"$work/wrk.err")
  c1=$(cpu_ticks)
  r=$(awk '/Requests\/sec/{print $2}' <<<"$out"); a=$(awk '$1=="50%"{print $2}' <<<"$out"); b=$(awk '$1=="99%"{print $2}' <<<"$out")
  errs=$(awk '/Non-2xx|Socket errors/' <<<"$out")
  n=$(awk '/requests in/{print $1}' <<<"$out")
  echo "single run $i: $r req/s, p50 $a, p99 $b, server CPU $(cpu_per "$c0" "$c1" "$n") us/declaration ${errs:+($errs)}"
  head -3 "$work/wrk.err"
  rps+=("$r"); p50+=("$a"); p99+=("$b")
done
median() { printf '%s\n' "$@" | python3 -c '
import sys,re
def ms(v):
    m=re.match(r"([\d.]+)(us|ms|s)$",v)
    if not m: return float(v)
    x=float(m.group(1)); return x/1000 if m.group(2)=="us" else x*1000 if m.group(2)=="s" else x
vals=sorted(sys.stdin.read().split(), key=ms); print(vals[len(vals)//2])'; }
echo "single median ($kind, $runs runs, $conns connections): $(median "${rps[@]}") req/s, p50 $(median "${p50[@]}"), p99 $(median "${p99[@]}")"

# 2. Paced: RATE declarations/s wanted (default 5000) over 128 connections; the delay between a
#    response and the connection's next request is tuned once from the first run's rate.
if [ "${RATE:-5000}" != 0 ] && [ "${SINGLE_RUNS:-$runs}" != 0 ]; then
  rate=${RATE:-5000}; pconns=128
  delay=$(python3 -c "print(max(0, round($pconns*1000/$rate - 3)))")
  for i in $(seq "${SINGLE_RUNS:-$runs}"); do
    export LRN_TAG="p$i-$RANDOM" DELAY_MS=$delay
    out=$(wrk -t2 -c"$pconns" -d10s --latency -s bench/declarations/lodge.lua "http://127.0.0.1:$port" 2>"$work/wrk.err")
    r=$(awk '/Requests\/sec/{print $2}' <<<"$out"); a=$(awk '$1=="50%"{print $2}' <<<"$out"); b=$(awk '$1=="99%"{print $2}' <<<"$out")
    echo "paced run $i (wanted $rate/s, $pconns connections, ${delay} ms between requests): $r req/s, p50 $a, p99 $b"
    delay=$(python3 -c "print(max(0, round($delay * $r / $rate)))")
    unset DELAY_MS
  done
fi

for i in $(seq "$runs"); do
  # a new LRN tag per run so that every declaration is new
  sed "s/\"lrn\":\"BK/\"lrn\":\"R$i-BK/" "$work/bulk.ndjson" > "$work/bulk-$i.ndjson"
  c0=$(cpu_ticks)
  t=$(curl -s -o "$work/bulk.out" -w '%{time_total}' -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" \
      -H 'Content-Type: application/x-ndjson' --data-binary @"$work/bulk-$i.ndjson" \
      "http://127.0.0.1:$port/api/v1/declarations/bulk")
  counts=$(python3 -c 'import sys,json; print(json.load(open(sys.argv[1]))["counts"])' "$work/bulk.out" 2>/dev/null || head -c 300 "$work/bulk.out")
  c1=$(cpu_ticks)
  echo "bulk run $i: $bulk H7 in ${t}s = $(python3 -c "print(round($bulk/$t))") declarations/s, server CPU $(cpu_per "$c0" "$c1" "$bulk") us/declaration $counts"
done
echo "server peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$server_pid/status)"
grep -o 'event=bulk_lodged.*' "$work/server.log" || true  # with LOG_LEVEL=info: where the bulk time went
