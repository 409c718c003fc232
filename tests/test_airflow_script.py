"""scripts/airflow.sh (issue 9 item 9): everything it starts listens on 127.0.0.1 on ports the
environment sets, and `backfill` never hangs: a date whose run is already active, a window with
nothing due, another active backfill, or a backfill that made no run → a message and an exit,
without starting Airflow. Checked against a real `airflow db migrate`d SQLite home with a queued
run made by `airflow dags trigger` (no scheduler, no API server)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipelines.dag_tasks import logical_date_for

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "airflow.sh"
PORT_VARS = ("LOWINCOME_AIRFLOW_PORT", "AIRFLOW_PORT", "LOWINCOME_AIRFLOW_WORKER_LOG_PORT",
             "LOWINCOME_AIRFLOW_TRIGGER_LOG_PORT", "LOWINCOME_AIRFLOW_SCHEDULER_HEALTH_PORT")


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW") and k not in PORT_VARS}
    env.update(extra)
    return env


def script(*args: str, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    """The script, bounded in time: a hang fails the test instead of blocking it."""
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=timeout)


def exports(env: dict) -> dict[str, str]:
    out = script("env", env=env, timeout=30)
    assert out.returncode == 0, out.stderr
    return dict(re.findall(r"^export (\w+)=(.*)$", out.stdout, re.M))


def test_everything_binds_to_loopback_on_the_ports_the_environment_sets(tmp_path):
    default = exports(clean_env(AIRFLOW_HOME=str(tmp_path)))
    assert default["AIRFLOW__API__HOST"] == "127.0.0.1"
    assert default["AIRFLOW__API__PORT"] == "8080"
    assert default["AIRFLOW__API__BASE_URL"] == "http://127.0.0.1:8080"
    assert default["AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST"] == "127.0.0.1"
    assert default["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "False"
    custom = exports(clean_env(AIRFLOW_HOME=str(tmp_path), LOWINCOME_AIRFLOW_PORT="18080",
                               LOWINCOME_AIRFLOW_WORKER_LOG_PORT="18793", LOWINCOME_AIRFLOW_TRIGGER_LOG_PORT="18794",
                               LOWINCOME_AIRFLOW_SCHEDULER_HEALTH_PORT="18974"))
    assert custom["AIRFLOW__API__HOST"] == "127.0.0.1"
    assert custom["AIRFLOW__API__PORT"] == "18080" and custom["AIRFLOW__API__BASE_URL"] == "http://127.0.0.1:18080"
    assert custom["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] == "18793"
    assert custom["AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT"] == "18794"
    assert custom["AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT"] == "18974"
    assert exports(clean_env(AIRFLOW_HOME=str(tmp_path), AIRFLOW_PORT="9090"))["AIRFLOW__API__PORT"] == "9090"


def test_start_runs_no_server_that_would_listen_on_every_interface():
    """Airflow's log servers bind all interfaces (no setting for their address): `start` runs the
    scheduler and triggerer without them, and the API server with --host from [api] host."""
    text = SCRIPT.read_text(encoding="utf-8")
    launched = re.findall(r"^\s*run (\S+)\s+(.*)$", text, re.M)
    assert {name for name, _ in launched} == {"api-server", "scheduler", "dag-processor", "triggerer"}
    cmd = dict(launched)
    assert "--skip-serve-logs" in cmd["scheduler"] and "--skip-serve-logs" in cmd["triggerer"]
    assert '--host "$AIRFLOW__API__HOST"' in cmd["api-server"] and '--port "$AIRFLOW__API__PORT"' in cmd["api-server"]
    assert "airflow standalone" not in text.replace("`airflow standalone`", "")


def test_backfill_refuses_bad_dates_at_once(tmp_path):
    env = clean_env(AIRFLOW_HOME=str(tmp_path))
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "airflow_backfill.py"), "check", "2026-11-21",
                          "2026-11-19"], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 2 and "after LAST" in out.stderr
    assert script("backfill", "2026-11-21", env=env, timeout=30).returncode == 2


@pytest.mark.airflow
@pytest.mark.slow
def test_backfill_never_waits_for_runs_that_will_not_come(tmp_path):
    home = tmp_path / "airflow-home"
    env = clean_env(AIRFLOW_HOME=str(home), LOWINCOME_AIRFLOW_PORT="18081")
    setup = script("setup", env=env)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    airflow = str(ROOT / ".venv" / "bin" / "airflow") if (ROOT / ".venv" / "bin" / "airflow").exists() else "airflow"
    active = date.today() - timedelta(days=10)
    full_env = {**env, **exports(env)}
    trig = subprocess.run([airflow, "dags", "trigger", "lowincome_nightly", "--logical-date",
                           logical_date_for(active).isoformat()], capture_output=True, text=True, env=full_env,
                          timeout=300)
    assert trig.returncode == 0, trig.stdout + trig.stderr      # a queued run: what a scheduled run in flight looks like

    # 1. the date's run is already active: say so, exit 3, start nothing
    out = script("backfill", active.isoformat(), active.isoformat(), env=env)
    said = out.stdout + out.stderr
    assert out.returncode == 3, said
    assert f"as_of {active}: not backfilled: a run for this date is already active: manual__" in said
    assert "nothing to run" in said
    assert not (home / "airflow.pgid").exists()                    # nothing was started

    # 2. nothing due in the window: exit 3 at once
    future = date.today() + timedelta(days=30)
    out = script("backfill", future.isoformat(), (future + timedelta(days=1)).isoformat(), env=env)
    assert out.returncode == 3 and "not due yet" in out.stdout + out.stderr
    assert not (home / "airflow.pgid").exists()

    # 3. a backfill whose only date is in flight when it is created (the race after the check):
    #    Airflow records it with no run; the helper says so, closes it, and waits for nothing.
    #    Then a backfill of another date, made and never run (no scheduler), stays active.
    other = active - timedelta(days=3)
    helper = ("import sys, json; sys.path.insert(0, 'scripts'); import airflow_backfill as b; from datetime import date;"
              f"d, o = date.fromisoformat('{active}'), date.fromisoformat('{other}');"
              "bid, runs, skipped = b.create(d, d);"
              "print(json.dumps({'runs': runs, 'skipped': {str(k): v for k, v in skipped.items()}}));"
              "print('ACTIVE', b.plan(d, d).active_backfill);"
              "print('OTHER', len(b.create(o, o)[1]))")
    made = subprocess.run([sys.executable, "-c", helper], capture_output=True, text=True, env=full_env, cwd=ROOT,
                          timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    assert '"runs": []' in made.stdout and "in flight" in made.stdout
    assert "ACTIVE None" in made.stdout                            # closed: it blocks no later backfill
    assert "OTHER 1" in made.stdout

    # 4. another backfill of the DAG still active: exit 3 and name it, start nothing
    out = script("backfill", (other - timedelta(days=1)).isoformat(), (other - timedelta(days=1)).isoformat(), env=env)
    said = out.stdout + out.stderr
    assert out.returncode == 3, said
    assert "is still active" in said and "one backfill per DAG" in said
    assert not (home / "airflow.pgid").exists()
