#!/usr/bin/env bash
# Airflow for lowincome-monitor, locally: its components on 127.0.0.1, in one process group.
#
#   scripts/airflow.sh setup                  db migrate, the one-slot pool, Variables from LOWINCOME_*, DAGs serialized
#   scripts/airflow.sh start                  setup, then api-server, scheduler, dag-processor and triggerer in the
#                                             background (one process group); waits until healthy
#   scripts/airflow.sh stop                   stops the whole process group
#   scripts/airflow.sh status                 health JSON (exit 1 when not running)
#   scripts/airflow.sh backfill FIRST LAST    backfill business dates FIRST..LAST (YYYY-MM-DD), wait, print run states;
#                                             never hangs: a date already running, nothing to run, another backfill
#                                             active, no scheduler → a message and an exit (scripts/airflow_backfill.py):
#                                             0 all ran and succeeded, 1 a run failed, 2 usage, 3 not every date was
#                                             run (each date says why), 4 gave up waiting (LOWINCOME_BACKFILL_TIMEOUT)
#   scripts/airflow.sh runs                   the DAG's runs
#   eval "$(scripts/airflow.sh env)"          the environment in your shell, to use the airflow CLI yourself
#
# Environment (defaults in brackets). Everything listens on 127.0.0.1 only:
#   AIRFLOW_HOME [<repo>/airflow-home]   airflow.cfg, the SQLite metadata DB, logs, airflow.log
#   LOWINCOME_AIRFLOW_PORT [8080]        API server and UI: http://127.0.0.1:$LOWINCOME_AIRFLOW_PORT ([api] host/port;
#                                        AIRFLOW_PORT is read too, the old name)
#   LOWINCOME_AIRFLOW_WORKER_LOG_PORT [8793]   [logging] worker_log_server_port
#   LOWINCOME_AIRFLOW_TRIGGER_LOG_PORT [8794]  [logging] trigger_log_server_port
#                                        Airflow's own log servers bind every interface (no setting for their
#                                        address), so `start` runs the scheduler and triggerer with --skip-serve-logs:
#                                        the API server reads task logs from $AIRFLOW_HOME/logs on this machine.
#                                        The ports are set for anything else that reads the configuration.
#   LOWINCOME_AIRFLOW_SCHEDULER_HEALTH_PORT [8974]  [scheduler] health check server (off; 127.0.0.1 if enabled)
#   LOWINCOME_BACKFILL_TIMEOUT [21600]   seconds `backfill` waits for its runs before it gives up (exit 4)
#   LOWINCOME_LANDING, LOWINCOME_WAREHOUSE  written to the Airflow Variables lowincome_landing /
#                                        lowincome_warehouse by `setup` when set (the DAG's defaults
#                                        are <repo>/demo/landing and <repo>/demo/warehouse.duckdb)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DAG_ID=lowincome_nightly
POOL=lowincome_warehouse
HOST=127.0.0.1   # never 0.0.0.0

export AIRFLOW_HOME="${AIRFLOW_HOME:-$ROOT/airflow-home}"
export LOWINCOME_AIRFLOW_PORT="${LOWINCOME_AIRFLOW_PORT:-${AIRFLOW_PORT:-8080}}"
export LOWINCOME_AIRFLOW_WORKER_LOG_PORT="${LOWINCOME_AIRFLOW_WORKER_LOG_PORT:-8793}"
export LOWINCOME_AIRFLOW_TRIGGER_LOG_PORT="${LOWINCOME_AIRFLOW_TRIGGER_LOG_PORT:-8794}"
export LOWINCOME_AIRFLOW_SCHEDULER_HEALTH_PORT="${LOWINCOME_AIRFLOW_SCHEDULER_HEALTH_PORT:-8974}"
export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__EXECUTOR=LocalExecutor
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-4}"      # suits 2 cores
export AIRFLOW__API__HOST=$HOST
export AIRFLOW__API__PORT="$LOWINCOME_AIRFLOW_PORT"
export AIRFLOW__API__BASE_URL="http://$HOST:$LOWINCOME_AIRFLOW_PORT"      # tasks reach {BASE_URL}/execution/
export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT="$LOWINCOME_AIRFLOW_WORKER_LOG_PORT"
export AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT="$LOWINCOME_AIRFLOW_TRIGGER_LOG_PORT"
export AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK=False
export AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST=$HOST
export AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT="$LOWINCOME_AIRFLOW_SCHEDULER_HEALTH_PORT"
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="${AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL:-30}"
export GX_ANALYTICS_ENABLED=False
export PATH="$ROOT/.venv/bin:$PATH"
PGID_FILE="$AIRFLOW_HOME/airflow.pgid"
LOG="$AIRFLOW_HOME/airflow.log"
URL="http://$HOST:$LOWINCOME_AIRFLOW_PORT"
ENV_VARS=(AIRFLOW_HOME AIRFLOW__CORE__DAGS_FOLDER AIRFLOW__CORE__LOAD_EXAMPLES AIRFLOW__CORE__EXECUTOR
          AIRFLOW__CORE__PARALLELISM AIRFLOW__API__HOST AIRFLOW__API__PORT AIRFLOW__API__BASE_URL
          AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT
          AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST
          AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL
          GX_ANALYTICS_ENABLED PATH)

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
  # the DAGs in the metadata DB now, not when a dag-processor gets to them: backfill checks read them
  airflow dags reserialize >"$AIRFLOW_HOME/reserialize.log" 2>&1 || { cat "$AIRFLOW_HOME/reserialize.log" >&2; exit 1; }
  say "AIRFLOW_HOME=$AIRFLOW_HOME migrated; pool $POOL has 1 slot; DAGs serialized"
}

running() { [ -f "$PGID_FILE" ] && pgrep -g "$(cat "$PGID_FILE")" >/dev/null 2>&1; }

start() {
  if running; then say "already running (process group $(cat "$PGID_FILE"))"; return 0; fi
  if curl -fsS -o /dev/null "$URL/api/v2/monitor/health" 2>/dev/null; then
    # another Airflow (another AIRFLOW_HOME) holds the port: its API would reject our tasks'
    # tokens ("Invalid auth token"), so refuse instead of starting a second one
    say "port $LOWINCOME_AIRFLOW_PORT is taken by another Airflow; stop it or set LOWINCOME_AIRFLOW_PORT"; exit 1
  fi
  setup
  # what `airflow standalone` runs, with the flags it cannot take: the API server on $HOST, no
  # log servers (they would listen on every interface). setsid: one process group we stop
  # together; when one component exits, the group stops (start/backfill then say so).
  setsid bash -c '
    run() { name=$1; shift; airflow "$@" 2>&1 | sed -u "s/^/$name | /" & }
    run api-server    api-server --host "$AIRFLOW__API__HOST" --port "$AIRFLOW__API__PORT"
    run scheduler     scheduler --skip-serve-logs
    run dag-processor dag-processor
    run triggerer     triggerer --skip-serve-logs
    wait -n
    echo "airflow.sh | a component exited; stopping the others"
    kill -TERM 0' >"$LOG" 2>&1 </dev/null &
  echo $! >"$PGID_FILE"
  say "components started, process group $(cat "$PGID_FILE"), log $LOG"
  local t0=$SECONDS
  until healthy; do
    running || { say "a component exited; see $LOG"; exit 1; }
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

backfill() {
  local first=$1 last=$2
  [ -f "$AIRFLOW_HOME/airflow.db" ] || setup
  # first what would run (metadata DB only): nothing to run, every date already running, or
  # another backfill active → say so and exit now (2 or 3), without starting anything
  python "$ROOT/scripts/airflow_backfill.py" check "$first" "$last" || exit $?
  running && healthy || start
  local t0=$SECONDS
  until airflow dags unpause "$DAG_ID" >/dev/null 2>&1; do   # fails until the DAG is stored
    [ $((SECONDS - t0)) -lt 180 ] || { say "$DAG_ID not parsed after 180 s; airflow dags list-import-errors"; exit 1; }
    sleep 2
  done
  exec python "$ROOT/scripts/airflow_backfill.py" run "$first" "$last"
}

case "${1:-help}" in
  env)
    for v in "${ENV_VARS[@]}"; do printf 'export %s=%q\n' "$v" "${!v}"; done ;;
  setup) setup ;;
  start) start ;;
  stop) stop ;;
  status) curl -fsS "$URL/api/v2/monitor/health"; echo ;;
  backfill) [ $# -eq 3 ] || { echo "usage: $0 backfill FIRST_AS_OF LAST_AS_OF" >&2; exit 2; }; backfill "$2" "$3" ;;
  runs) airflow dags list-runs "$DAG_ID" ;;
  *) sed -n '2,34p' "$0"; exit 2 ;;
esac
