#!/usr/bin/env bash
# Airflow for lowincome-monitor, locally: standalone on 127.0.0.1 in its own process group.
#
#   scripts/airflow.sh setup                  db migrate, the one-slot pool, Variables from LOWINCOME_*
#   scripts/airflow.sh start                  setup, then airflow standalone in the background; waits until healthy
#   scripts/airflow.sh stop                   stops the whole standalone process group
#   scripts/airflow.sh status                 health JSON (exit 1 when not running)
#   scripts/airflow.sh backfill FIRST LAST    backfill business dates FIRST..LAST (YYYY-MM-DD), wait, print run states
#   scripts/airflow.sh runs                   the DAG's runs
#   eval "$(scripts/airflow.sh env)"          the environment in your shell, to use the airflow CLI yourself
#
# Environment (defaults in brackets):
#   AIRFLOW_HOME [<repo>/airflow-home]   airflow.cfg, the SQLite metadata DB, logs, standalone.log
#   AIRFLOW_PORT [8080]                  UI and API at http://127.0.0.1:$AIRFLOW_PORT
#   LOWINCOME_LANDING, LOWINCOME_WAREHOUSE  written to the Airflow Variables lowincome_landing /
#                                        lowincome_warehouse by `setup` when set (the DAG's defaults
#                                        are <repo>/demo/landing and <repo>/demo/warehouse.duckdb)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DAG_ID=lowincome_nightly
POOL=lowincome_warehouse

export AIRFLOW_HOME="${AIRFLOW_HOME:-$ROOT/airflow-home}"
export AIRFLOW_PORT="${AIRFLOW_PORT:-8080}"
export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-4}"      # suits 2 cores
export AIRFLOW__API__HOST=127.0.0.1                                         # never 0.0.0.0
export AIRFLOW__API__PORT="$AIRFLOW_PORT"
export AIRFLOW__API__BASE_URL="http://127.0.0.1:$AIRFLOW_PORT"              # tasks reach {BASE_URL}/execution/
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="${AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL:-30}"
export GX_ANALYTICS_ENABLED=False
export PATH="$ROOT/.venv/bin:$PATH"
PGID_FILE="$AIRFLOW_HOME/standalone.pgid"
LOG="$AIRFLOW_HOME/standalone.log"
URL="http://127.0.0.1:$AIRFLOW_PORT"

say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

healthy() {
  curl -fsS "$URL/api/v2/monitor/health" 2>/dev/null | python3 -c '
import json, sys
h = json.load(sys.stdin)
sys.exit(0 if all(h.get(k, {}).get("status") == "healthy" for k in ("metadatabase", "scheduler", "dag_processor")) else 1)' 2>/dev/null
}

setup() {
  mkdir -p "$AIRFLOW_HOME"
  airflow db migrate >"$AIRFLOW_HOME/migrate.log" 2>&1 || { cat "$AIRFLOW_HOME/migrate.log" >&2; exit 1; }
  airflow pools set "$POOL" 1 "lowincome-monitor: the DuckDB warehouse takes one writer at a time" >/dev/null
  if [ -n "${LOWINCOME_LANDING:-}" ]; then airflow variables set lowincome_landing "$LOWINCOME_LANDING" >/dev/null; fi
  if [ -n "${LOWINCOME_WAREHOUSE:-}" ]; then airflow variables set lowincome_warehouse "$LOWINCOME_WAREHOUSE" >/dev/null; fi
  say "AIRFLOW_HOME=$AIRFLOW_HOME migrated; pool $POOL has 1 slot"
}

running() { [ -f "$PGID_FILE" ] && pgrep -g "$(cat "$PGID_FILE")" >/dev/null 2>&1; }

start() {
  if running; then say "already running (process group $(cat "$PGID_FILE"))"; return 0; fi
  if curl -fsS -o /dev/null "$URL/api/v2/monitor/health" 2>/dev/null; then
    # another Airflow (another AIRFLOW_HOME) holds the port: its API would reject our tasks'
    # tokens ("Invalid auth token"), so refuse instead of starting a second one
    say "port $AIRFLOW_PORT is taken by another Airflow; stop it or set AIRFLOW_PORT"; exit 1
  fi
  setup
  # setsid: standalone and all its children (scheduler, dag-processor, api-server, triggerer,
  # executor workers) form one process group we can stop together; it ignores Ctrl-C otherwise.
  setsid airflow standalone >"$LOG" 2>&1 </dev/null &
  echo $! >"$PGID_FILE"
  say "standalone started, process group $(cat "$PGID_FILE"), log $LOG"
  local t0=$SECONDS
  until healthy; do
    running || { say "standalone exited; see $LOG"; exit 1; }
    [ $((SECONDS - t0)) -lt 300 ] || { say "not healthy after 300 s; see $LOG"; exit 1; }
    sleep 2
  done
  say "healthy after $((SECONDS - t0)) s: $URL (user admin, password in $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated)"
}

stop() {
  if ! [ -f "$PGID_FILE" ]; then say "not running"; return 0; fi
  local pgid; pgid=$(cat "$PGID_FILE")
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for _ in $(seq 30); do pgrep -g "$pgid" >/dev/null 2>&1 || break; sleep 1; done
  kill -KILL -- "-$pgid" 2>/dev/null || true
  rm -f "$PGID_FILE"
  say "stopped process group $pgid"
}

token() {
  local pw
  pw=$(python3 -c "import json;print(json.load(open('$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated'))['admin'])")
  curl -fsS -X POST "$URL/auth/token" -H 'Content-Type: application/json' \
       -d "{\"username\":\"admin\",\"password\":\"$pw\"}" | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])'
}

backfill() {
  local first=$1 last=$2
  running && healthy || start
  read -r from to < <(python3 - "$first" "$last" <<'EOF'
import sys
from datetime import date, timedelta
a, b = (date.fromisoformat(x) for x in sys.argv[1:3])
# the run covering business date D fires at 02:00 Shanghai on D+1 (pipelines/dag_tasks.py)
print(f"{a + timedelta(days=1)}T00:00:00+08:00", f"{b + timedelta(days=1)}T02:00:00+08:00")
EOF
)
  local t0=$SECONDS
  until airflow dags unpause "$DAG_ID" >/dev/null 2>&1; do   # fails until the dag-processor stored the DAG
    [ $((SECONDS - t0)) -lt 180 ] || { say "$DAG_ID not parsed after 180 s; airflow dags list-import-errors"; exit 1; }
    sleep 2
  done
  say "backfill of as_of $first..$last: logical dates $from .. $to"
  # --max-active-runs 1: a backfill ignores the DAG's max_active_runs (default 10).
  # --reprocess-behavior completed: a re-delivered date is run again even if it ran before.
  airflow backfill create --dag-id "$DAG_ID" --from-date "$from" --to-date "$to" \
      --max-active-runs 1 --reprocess-behavior completed >"$AIRFLOW_HOME/backfill_create.log" 2>&1 \
      || { cat "$AIRFLOW_HOME/backfill_create.log" >&2; exit 1; }
  local tok; tok=$(token)
  while :; do
    local j s
    j=$(curl -fsS -H "Authorization: Bearer $tok" "$URL/api/v2/dags/$DAG_ID/dagRuns?run_type=backfill&limit=100&order_by=logical_date")
    s=$(echo "$j" | python3 -c 'import json,sys; r=json.load(sys.stdin)["dag_runs"]; print(" ".join(x["state"] for x in r))')
    say "backfill runs: [$s]"
    if [ -n "$s" ] && ! echo " $s " | grep -qE " (queued|running) "; then break; fi
    sleep 5
  done
  echo "$j" | python3 -c '
import json, sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
bad = 0
for x in json.load(sys.stdin)["dag_runs"]:
    ld = datetime.fromisoformat(x["logical_date"].replace("Z", "+00:00"))
    as_of = ld.astimezone(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=1)
    state, run_id = x["state"], x["dag_run_id"]
    print(f"as_of {as_of}  {state:8s} {run_id}")
    bad += x["state"] != "success"
sys.exit(1 if bad else 0)'
}

case "${1:-help}" in
  env)
    for v in AIRFLOW_HOME AIRFLOW__CORE__DAGS_FOLDER AIRFLOW__CORE__LOAD_EXAMPLES AIRFLOW__CORE__PARALLELISM \
             AIRFLOW__API__HOST AIRFLOW__API__PORT AIRFLOW__API__BASE_URL GX_ANALYTICS_ENABLED PATH; do
      printf 'export %s=%q\n' "$v" "${!v}"
    done ;;
  setup) setup ;;
  start) start ;;
  stop) stop ;;
  status) curl -fsS "$URL/api/v2/monitor/health"; echo ;;
  backfill) [ $# -eq 3 ] || { echo "usage: $0 backfill FIRST_AS_OF LAST_AS_OF" >&2; exit 2; }; backfill "$2" "$3" ;;
  runs) airflow dags list-runs "$DAG_ID" ;;
  *) sed -n '2,19p' "$0"; exit 2 ;;
esac
