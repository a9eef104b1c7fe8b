#!/usr/bin/env bash
# Load benchmark of GET /api/v1/organisations/{id}: the release server with demo data, a logged-in
# session, wrk at 50 connections for 10 s (2 threads), repeated RUNS times; prints each run's
# requests/s and p50/p99 latency, then the medians.
#   bench/http/org_get.sh [sqlite|postgres] [RUNS]
# Builds build/release if needed. PostgreSQL uses a throwaway cluster (scripts/pg-test-server.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
kind=${1:-sqlite}
runs=${2:-3}
bin=build/release/src/customsdesk/app/customsdesk
[ -x "$bin" ] || make build >/dev/null
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

work=$(mktemp -d)
chmod 755 "$work"  # the throwaway PostgreSQL server runs as an unprivileged user
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
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --demo --threads 2 --log-level warn > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

curl -sf -c "$work/jar" -H 'Content-Type: application/json' \
  -d '{"username":"agent","password":"demo-agent-pass"}' "http://127.0.0.1:$port/api/v1/auth/login" >/dev/null
cookie=$(awk '$6=="cd_session"{print "cd_session="$7}' "$work/jar")
url="http://127.0.0.1:$port/api/v1/organisations/1"
curl -sf -H "Cookie: $cookie" "$url" >/dev/null || { echo "the request fails" >&2; exit 1; }

rps=(); p50=(); p99=()
for i in $(seq "$runs"); do
  out=$(wrk -t2 -c50 -d10s --latency -H "Cookie: $cookie" "$url")
  r=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  a=$(awk '$1=="50%"{print $2}' <<<"$out")
  b=$(awk '$1=="99%"{print $2}' <<<"$out")
  errs=$(awk '/Non-2xx|Socket errors/' <<<"$out")
  echo "run $i: $r req/s, p50 $a, p99 $b ${errs:+($errs)}"
  rps+=("$r"); p50+=("$a"); p99+=("$b")
done
median() { printf '%s\n' "$@" | python3 -c '
import sys,re
def ms(v):
    m=re.match(r"([\d.]+)(us|ms|s)$",v)
    if not m: return float(v)
    x=float(m.group(1)); return x/1000 if m.group(2)=="us" else x*1000 if m.group(2)=="s" else x
vals=sorted(sys.stdin.read().split(), key=ms); print(vals[len(vals)//2])'; }
echo "median ($kind, $runs runs): $(median "${rps[@]}") req/s, p50 $(median "${p50[@]}"), p99 $(median "${p99[@]}")"
