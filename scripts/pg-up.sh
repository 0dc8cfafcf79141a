#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on 127.0.0.1 and a free port; print the shell exports to use it.
# Usage: eval "$(scripts/pg-up.sh)"   ...   PGTMP=... scripts/pg-down.sh
# PG_OPTS replaces the server options (default: unsafe but fast settings for throwaway tests).
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGTMP=$(mktemp -d /tmp/attend-pg.XXXXXX)
if [ "$(id -u)" = 0 ]; then AS="runuser -u postgres --"; chown postgres:postgres "$PGTMP"; else AS=""; fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$AS "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$PGTMP/initdb.log"
$AS "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 30 \
  -o "-h 127.0.0.1 -p $PORT -k $PGTMP ${PG_OPTS:--c fsync=off -c synchronous_commit=off -c full_page_writes=off -c jit=off}" \
  start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres attend
echo "export PGTMP=$PGTMP PGPORT=$PORT DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/attend"
