#!/usr/bin/env bash
# A private PostgreSQL cluster for the test suite: its own data directory and port
# under build/, on loopback only, run as the `postgres` system user (initdb refuses
# to run as root). Usage: scripts/pg.sh start|stop|url
#
# A streaming replica of it, for the read-replica test (docs/adr/0009-read-replicas.md):
#   start-replica  a hot standby in build/pg-replica on port SHINCHOKU_PG_REPLICA_PORT (54331),
#                  copied afresh from the running primary (pg_basebackup -R) whenever it is not
#                  running, so it never lags behind a primary that was re-created or ran long
#   replica-url    its URL (the same database name as `url`)
#   stop           stops the replica too
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PGROOT="$ROOT/build/pg"
DATA="$PGROOT/data"
PORT="${SHINCHOKU_PG_PORT:-54329}"
REPLICA_ROOT="$ROOT/build/pg-replica"
REPLICA_DATA="$REPLICA_ROOT/data"
REPLICA_PORT="${SHINCHOKU_PG_REPLICA_PORT:-54331}"
# A test cluster: nothing here needs to survive a crash of the machine.
FAST="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"

as_pg() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "${1:-}" in
  start)
    [ -n "$BIN" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)." >&2; exit 1; }
    mkdir -p "$PGROOT"
    if [ "$(id -u)" = "0" ]; then
      chown postgres:postgres "$PGROOT"
      # postgres must be able to reach the data directory through the checkout's parents.
      d="$PGROOT"; while [ "$d" != "/" ]; do d="$(dirname "$d")"; chmod o+x "$d" 2>/dev/null || true; done
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
      as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      echo "PostgreSQL already running on port $PORT"
    else
      if ! as_pg "$BIN/pg_ctl" -D "$DATA" -l "$PGROOT/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGROOT $FAST" start >/dev/null; then
        echo "PostgreSQL did not start on 127.0.0.1:$PORT; the end of $PGROOT/server.log:" >&2
        tail -n 5 "$PGROOT/server.log" >&2
        echo "(Another test cluster on this port? Stop it, or choose another with SHINCHOKU_PG_PORT.)" >&2
        exit 1
      fi
      echo "PostgreSQL started on 127.0.0.1:$PORT (data in $DATA)"
    fi
    ;;
  start-replica)
    [ -n "$BIN" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)." >&2; exit 1; }
    if ! as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      echo "The primary is not running: scripts/pg.sh start first." >&2
      exit 1
    fi
    # initdb --auth=trust writes "host replication all 127.0.0.1/32 trust"; a cluster made
    # otherwise gets the line here (pg_hba.conf is read again on reload).
    if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$DATA/pg_hba.conf"; then
      echo "host replication all 127.0.0.1/32 trust" | as_pg tee -a "$DATA/pg_hba.conf" >/dev/null
      as_pg "$BIN/pg_ctl" -D "$DATA" reload >/dev/null
    fi
    mkdir -p "$REPLICA_ROOT"
    if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$REPLICA_ROOT"; fi
    if [ -f "$REPLICA_DATA/PG_VERSION" ] && as_pg "$BIN/pg_ctl" -D "$REPLICA_DATA" status >/dev/null 2>&1; then
      echo "PostgreSQL replica already running on port $REPLICA_PORT"
    else
      rm -rf "$REPLICA_DATA"
      # -R writes standby.signal and primary_conninfo: the copy starts as a hot standby that
      # streams from the primary. -X stream: the WAL written during the copy comes along.
      if ! as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PORT" -U postgres -D "$REPLICA_DATA" -R -X stream \
        --checkpoint=fast >"$REPLICA_ROOT/basebackup.log" 2>&1; then
        echo "pg_basebackup from 127.0.0.1:$PORT failed:" >&2
        tail -n 5 "$REPLICA_ROOT/basebackup.log" >&2
        exit 1
      fi
      if ! as_pg "$BIN/pg_ctl" -D "$REPLICA_DATA" -l "$REPLICA_ROOT/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $REPLICA_PORT -k $REPLICA_ROOT -c hot_standby=on $FAST" start >/dev/null; then
        echo "The PostgreSQL replica did not start on 127.0.0.1:$REPLICA_PORT; the end of $REPLICA_ROOT/server.log:" >&2
        tail -n 5 "$REPLICA_ROOT/server.log" >&2
        echo "(Another cluster on this port? Choose another with SHINCHOKU_PG_REPLICA_PORT.)" >&2
        exit 1
      fi
      echo "PostgreSQL replica started on 127.0.0.1:$REPLICA_PORT (streaming from port $PORT, data in $REPLICA_DATA)"
    fi
    ;;
  replica-url)
    echo "postgres://postgres@127.0.0.1:$REPLICA_PORT/shinchoku"
    ;;
  stop)
    if [ -f "$REPLICA_DATA/PG_VERSION" ] && [ -n "$BIN" ]; then
      if as_pg "$BIN/pg_ctl" -D "$REPLICA_DATA" status >/dev/null 2>&1; then
        as_pg "$BIN/pg_ctl" -D "$REPLICA_DATA" -m fast -w stop >/dev/null 2>&1 || true
        echo "PostgreSQL replica stopped"
      fi
    fi
    if [ -f "$DATA/PG_VERSION" ] && [ -n "$BIN" ]; then
      as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
      echo "PostgreSQL stopped"
    fi
    ;;
  url)
    echo "postgres://postgres@127.0.0.1:$PORT/shinchoku"
    ;;
  *)
    echo "usage: $0 start|stop|url|start-replica|replica-url" >&2; exit 2 ;;
esac
