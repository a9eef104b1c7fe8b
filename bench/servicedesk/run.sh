#!/usr/bin/env bash
# The three service-desk measurements of issue 6 on a database of 1,000,000 requests, each repeated
# RUNS times, printing every run and the medians (docs/benchmarks.md, "Service desk (issue 6)"):
#   1. the SLA sweep with 50 and with 500 due requests on a running server (make_due.py arms them
#      in the live database; the scheduler's next sweep, within 15 s, logs event=sla_sweep ... ms=
#      per round of at most 200);
#   2. the agent queue at 1, 4 and 16 connections (queue.lua, agent token);
#   3. creating requests as a trader at 32 connections (create.lua) — adds requests to DB.
# Every wrk run also reports the server's CPU time (user+system from /proc), which is steadier than
# wall time on a shared machine.
#
# usage: bench/servicedesk/run.sh BIN [DB] [RUNS]
#   BIN   the customsdesk binary (a Release build: cmake -DCMAKE_BUILD_TYPE=Release)
#   DB    SQLite file to use; built when it does not exist (serve --demo, then load_requests.py:
#         about 2 minutes and 620 MB). Default: bench-servicedesk.sqlite in the current directory.
#   RUNS  repetitions of each measurement (default 3)
# Environment: PORT (default 18690), THREADS server threads (default 16: handlers block, so the
# group committer needs concurrent threads to batch creations), DURATION seconds per wrk run (10).
set -euo pipefail
BIN=$(realpath "${1:?usage: run.sh BIN [DB] [RUNS]}")
DB=${2:-bench-servicedesk.sqlite}
RUNS=${3:-3}
PORT=${PORT:-18690}
THREADS=${THREADS:-16}
DURATION=${DURATION:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
URL=http://127.0.0.1:$PORT
LOG=$(mktemp)
SERVER=
trap 'stop_server; rm -f "$LOG"' EXIT

start_server() {  # start_server [--demo]
    : >"$LOG"
    "$BIN" --db "sqlite:$DB" serve --listen "127.0.0.1:$PORT" --threads "$THREADS" "$@" >"$LOG" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 600); do
        grep -q "event=started" "$LOG" && return 0
        sleep 0.1
    done
    echo "server did not start:" >&2
    cat "$LOG" >&2
    exit 1
}
stop_server() {
    if [ -n "$SERVER" ]; then
        kill "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
        SERVER=
    fi
}
cpu_seconds() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$SERVER/stat"; }
median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

if [ ! -f "$DB" ]; then
    echo "== building $DB (demo data + 1,000,000 requests)"
    start_server --demo
    stop_server
    python3 "$HERE/load_requests.py" "$DB" 1000000 --due-count 500
fi
AGENT=$("$BIN" --db "sqlite:$DB" token create --user agent --name bench | tail -1)
TRADER=$("$BIN" --db "sqlite:$DB" token create --user trader --name bench | tail -1)
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load before: $(cut -d' ' -f1-3 /proc/loadavg)"

declare -A SWEEP SWEEPTOTAL
# The sweep on a running server (warm: connections open, policies cached), as the scheduler runs it
# every 15 s: arm K due requests in the live database, wait for the next event=sla_sweep lines.
start_server
for due in 50 500; do
    for run in $(seq 1 "$RUNS"); do
        seen=$(grep -c "event=sla_sweep" "$LOG" || true)
        python3 "$HERE/make_due.py" "$DB" "$due" >/dev/null
        for _ in $(seq 1 300); do
            [ "$(grep -c "event=sla_sweep" "$LOG" || true)" -gt "$seen" ] && break
            sleep 0.1
        done
        sleep 1  # a backlog over one round (200) is swept in further rounds right after
        line=$(grep "event=sla_sweep" "$LOG" | tail -n +"$((seen + 1))" | tr '\n' ' ')
        echo "sweep, $due due, run $run: $line"
        # Milliseconds of every round of this sweep: the largest is the longest write-lock hold.
        SWEEP[$due]+="$(grep -o 'ms=[0-9.]*' <<<"$line" | cut -d= -f2 | sort -g | tail -1)"$'\n'
        SWEEPTOTAL[$due]+="$(grep -o 'ms=[0-9.]*' <<<"$line" | cut -d= -f2 | awk '{s += $1} END {print s}')"$'\n'
    done
done
stop_server

start_server
run_wrk() {  # run_wrk NAME TOKEN SCRIPT THREADS CONNECTIONS -> "req/s p50 p99 cpu-ms-per-request"
    local before after out rps
    before=$(cpu_seconds)
    out=$(TOKEN=$2 wrk -t"$4" -c"$5" -d"${DURATION}s" -s "$HERE/$3" "$URL")
    after=$(cpu_seconds)
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    local p50 p99 total
    p50=$(grep -o 'p50 [0-9.]*' <<<"$out" | cut -d' ' -f2)
    p99=$(grep -o 'p99 [0-9.]*' <<<"$out" | cut -d' ' -f2)
    total=$(awk '/requests in/ {print $1}' <<<"$out")
    local cpu
    cpu=$(awk -v a="$before" -v b="$after" -v n="$total" 'BEGIN {printf "%.3f", (b - a) * 1000 / n}')
    echo "$1: $rps req/s, p50 $p50 ms, p99 $p99 ms, server CPU $cpu ms/request, non-2xx $(grep -o 'non-2xx [0-9]*' <<<"$out" | cut -d' ' -f2), load $(cut -d' ' -f1 /proc/loadavg)" >&2
    echo "$rps $p50 $p99 $cpu"
}
declare -A RPS P99 CPU
for c in 1 4 16; do
    t=$([ "$c" -ge 2 ] && echo 2 || echo 1)
    for run in $(seq 1 "$RUNS"); do
        read -r rps _ p99 cpu < <(run_wrk "queue, $c connections, run $run" "$AGENT" queue.lua "$t" "$c")
        RPS[q$c]+="$rps"$'\n'; P99[q$c]+="$p99"$'\n'; CPU[q$c]+="$cpu"$'\n'
    done
done
for run in $(seq 1 "$RUNS"); do
    read -r rps _ p99 cpu < <(run_wrk "create, 32 connections, run $run" "$TRADER" create.lua 2 32)
    RPS[c]+="$rps"$'\n'; P99[c]+="$p99"$'\n'; CPU[c]+="$cpu"$'\n'
done
stop_server

echo "== medians of $RUNS runs (load after: $(cut -d' ' -f1-3 /proc/loadavg))"
for due in 50 500; do
    echo "sweep, $due due: longest round $(printf '%s' "${SWEEP[$due]}" | median) ms, all rounds $(printf '%s' "${SWEEPTOTAL[$due]}" | median) ms"
done
for c in 1 4 16; do
    echo "queue, $c connections: p99 $(printf '%s' "${P99[q$c]}" | median) ms, $(printf '%s' "${RPS[q$c]}" | median) req/s, server CPU $(printf '%s' "${CPU[q$c]}" | median) ms/request"
done
echo "create, 32 connections: $(printf '%s' "${RPS[c]}" | median) req/s, p99 $(printf '%s' "${P99[c]}" | median) ms, server CPU $(printf '%s' "${CPU[c]}" | median) ms/request"
