#!/usr/bin/env bash
# A private PostgreSQL cluster for the test suite: its own data directory and port
# under build/, on loopback only, run as the `postgres` system user (initdb refuses
# to run as root). Usage: scripts/pg.sh start|stop|url
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PGROOT="$ROOT/build/pg"
DATA="$PGROOT/data"
PORT="${SHINCHOKU_PG_PORT:-54329}"
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
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGROOT -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
        echo "PostgreSQL did not start on 127.0.0.1:$PORT; the end of $PGROOT/server.log:" >&2
        tail -n 5 "$PGROOT/server.log" >&2
        echo "(Another test cluster on this port? Stop it, or choose another with SHINCHOKU_PG_PORT.)" >&2
        exit 1
      fi
      echo "PostgreSQL started on 127.0.0.1:$PORT (data in $DATA)"
    fi
    ;;
  stop)
    if [ -f "$DATA/PG_VERSION" ] && [ -n "$BIN" ]; then
      as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
      echo "PostgreSQL stopped"
    fi
    ;;
  url)
    echo "postgres://postgres@127.0.0.1:$PORT/shinchoku"
    ;;
  *)
    echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
