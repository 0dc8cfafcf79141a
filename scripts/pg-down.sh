#!/usr/bin/env bash
# Stop and remove the cluster started by scripts/pg-up.sh (needs PGTMP).
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
if [ "$(id -u)" = 0 ]; then AS="runuser -u postgres --"; else AS=""; fi
$AS "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w stop >/dev/null && rm -rf "$PGTMP"
