#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests.
#
#   scripts/pg-test-server.sh start DIR   initdb into DIR/data, start on a free 127.0.0.1 port,
#                                         write the connection URL to DIR/url, wait until ready.
#   scripts/pg-test-server.sh stop DIR    stop the cluster and delete DIR.
#
# Idempotent: `start` on a DIR whose server runs just reports it; a stale DIR (killed run) is
# stopped and recreated. Unsafe settings for speed (fsync=off): never point DIR at real data.
# As root, the server runs as an unprivileged user (postgres, or a created customsdesk-test).
# Environment: PG_BIN (default /usr/lib/postgresql/15/bin).
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DB_USER=customsdesk

die() { echo "pg-test-server: $*" >&2; exit 1; }

usage() { die "usage: $0 start|stop DIR"; }

[[ $# -eq 2 ]] || usage
cmd=$1
dir=$2
[[ -n "$dir" && "$dir" != "/" ]] || die "refusing DIR '$dir'"
mkdir -p "$(dirname "$dir")"
dir=$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")

for tool in initdb pg_ctl pg_isready; do
  [[ -x "$PG_BIN/$tool" ]] || die "$PG_BIN/$tool not found: install the PostgreSQL 15 server (Debian: apt-get install postgresql-15) or set PG_BIN"
done

# The user the server runs as, and how to run a command as that user.
run_user=""
if [[ $(id -u) -eq 0 ]]; then
  if id -u postgres >/dev/null 2>&1; then
    run_user=postgres
  else
    if ! id -u customsdesk-test >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin customsdesk-test \
        || die "running as root and cannot create the unprivileged user customsdesk-test (useradd failed)"
    fi
    run_user=customsdesk-test
  fi
  command -v runuser >/dev/null || die "running as root but runuser is missing (util-linux)"
fi
as_server() {
  if [[ -n "$run_user" ]]; then runuser -u "$run_user" -- "$@"; else "$@"; fi
}

# Where the server's own files live (data, socket, log): DIR itself, or, when the server user cannot
# reach DIR (a checkout inside a private folder such as one made by mktemp -d), a folder of its own
# under /tmp whose path is kept in DIR/cluster. The URL is always written to DIR/url.
cluster_dir() {
  if [[ -s "$dir/cluster" ]]; then cat "$dir/cluster"; else echo "$dir"; fi
}

# Running and answering: a killed postmaster can linger as a zombie that pg_ctl status still sees.
running() {
  local cluster
  cluster=$(cluster_dir)
  [[ -f "$cluster/data/postmaster.pid" && -s "$dir/url" ]] || return 1
  local port
  port=$(sed -n 's|.*@127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$dir/url")
  [[ -n "$port" ]] && "$PG_BIN/pg_isready" -q -t 2 -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres
}

stop_cluster() {
  local cluster
  cluster=$(cluster_dir)
  if [[ -d "$cluster/data" ]]; then
    as_server "$PG_BIN/pg_ctl" -D "$cluster/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  [[ "$cluster" != "$dir" && "$cluster" == /tmp/customsdesk-pg.* ]] && rm -rf "$cluster"
  rm -rf "$dir"
}

free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  die "no free port found"
}

start_cluster() {
  if running; then
    echo "pg-test-server: already running: $(cat "$dir/url")"
    return
  fi
  stop_cluster  # stale leftovers of a killed run
  mkdir -p "$dir"
  local cluster="$dir"
  if [[ -n "$run_user" ]]; then
    chown "$run_user" "$dir"
    if ! as_server test -w "$dir"; then
      cluster=$(mktemp -d /tmp/customsdesk-pg.XXXXXX)
      chown "$run_user" "$cluster"
      as_server test -w "$cluster" || die "user $run_user cannot write $cluster"
      echo "$cluster" >"$dir/cluster"
    fi
  fi
  as_server "$PG_BIN/initdb" -D "$cluster/data" -U "$DB_USER" -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }

  local attempt port
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    cat >"$cluster/data/postgresql.auto.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$cluster'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
log_min_messages = warning
CONF
    [[ -n "$run_user" ]] && chown "$run_user" "$cluster/data/postgresql.auto.conf"
    if as_server "$PG_BIN/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 start >/dev/null 2>&1; then
      for _ in $(seq 1 100); do
        if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres; then
          echo "postgresql://$DB_USER@127.0.0.1:$port/postgres" >"$dir/url.tmp"
          mv "$dir/url.tmp" "$dir/url"
          echo "pg-test-server: started $(cat "$dir/url")"
          return
        fi
        sleep 0.1
      done
      as_server "$PG_BIN/pg_ctl" -D "$cluster/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    echo "pg-test-server: start on port $port failed (attempt $attempt), retrying" >&2
  done
  tail -n 30 "$cluster/server.log" >&2 || true
  die "the PostgreSQL server did not start; see $cluster/server.log"
}

case "$cmd" in
  start) start_cluster ;;
  stop) stop_cluster; echo "pg-test-server: stopped, removed $dir" ;;
  *) usage ;;
esac
