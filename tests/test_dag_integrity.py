"""The nightly DAG parses cleanly and is shaped as promised; the run date mapping is exact.

Airflow is loaded in a subprocess (its configuration is read at import time, and AIRFLOW_HOME
must be a temporary folder), which prints what the tests check as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipelines import dag_tasks

ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "dags"
HEAVY = ["polars", "duckdb", "great_expectations", "pandas", "pyarrow", "numpy", "pipelines.orchestrate"]

INSPECT = r"""
import json, sys
from datetime import datetime
from airflow.dag_processing.dagbag import DagBag
from airflow.serialization.serialized_objects import DagSerialization

bag = DagBag(dag_folder=sys.argv[1], known_pools={"default_pool", sys.argv[2]})
out = {"import_errors": {k: str(v)[-500:] for k, v in bag.import_errors.items()},
       "dag_warnings": sorted(str(getattr(w, "message", w)) for w in bag.dag_warnings),
       "dag_ids": sorted(bag.dags)}
d = bag.dags.get(sys.argv[3])
if d is not None:
    d.check_cycle()                      # raises on a cycle
    order = [t.task_id for t in d.topological_sort()]
    sd = DagSerialization.from_dict(DagSerialization.to_dict(d))   # what the scheduler and backfill use
    window = [datetime.fromisoformat(x) for x in sys.argv[4:6]]
    out.update(
        timetable=type(d.timetable).__name__, expression=d.timetable.expression, timezone=str(d.timezone),
        catchup=d.catchup, max_active_runs=d.max_active_runs, tags=sorted(d.tags), order=order,
        tasks={t.task_id: {"retries": t.retries, "retry_delay": t.retry_delay.total_seconds(), "pool": t.pool,
                           "mapped": type(t).__name__.endswith("MappedOperator"),
                           "trigger_rule": str(getattr(t.trigger_rule, "value", t.trigger_rule)),
                           "is_teardown": bool(getattr(t, "is_teardown", False)),
                           "upstream": sorted(t.upstream_task_ids)} for t in d.tasks},
        backfill_logical_dates=[i.logical_date.isoformat() for i in sd.iter_dagrun_infos_between(*window)],
    )
print("RESULT " + json.dumps(out))
"""


def _airflow_env(tmp: Path) -> dict:
    env = dict(os.environ)
    env.update(AIRFLOW_HOME=str(tmp / "airflow"), AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
               AIRFLOW__CORE__LOAD_EXAMPLES="False", GX_ANALYTICS_ENABLED="False")
    return env


@pytest.fixture(scope="module")
def dag_info(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("dagbag")
    window = dag_tasks.backfill_window(date(2026, 11, 27), date(2026, 11, 28))
    proc = subprocess.run([sys.executable, "-c", INSPECT, str(DAGS), dag_tasks.POOL, dag_tasks.DAG_ID, *window],
                          capture_output=True, text=True, env=_airflow_env(tmp), timeout=300)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line, f"DagBag subprocess failed (rc {proc.returncode}):\n{proc.stderr[-3000:]}"
    return json.loads(line[len("RESULT "):])


def test_dag_imports_without_errors_or_warnings(dag_info):
    assert dag_info["import_errors"] == {}
    assert dag_info["dag_warnings"] == []          # e.g. "references non-existent pools"
    assert dag_info["dag_ids"] == [dag_tasks.DAG_ID]


def test_schedule_time_zone_and_run_limits(dag_info):
    assert dag_info["timetable"] == "CronTriggerTimetable"
    assert dag_info["expression"] == "0 2 * * *"
    assert dag_info["timezone"] == "Asia/Shanghai"
    assert dag_info["catchup"] is False
    assert dag_info["max_active_runs"] == 1
    assert {"lowincome", "nightly"} <= set(dag_info["tags"])


def test_tasks_order_retries_and_pool(dag_info):
    tasks = dag_info["tasks"]
    order = dag_info["order"]
    duckdb_path = ["discover", "on_duckdb", "stage", "load", "link", "rules", "validate_outputs", "publish"]
    assert [t for t in order if t in duckdb_path] == duckdb_path
    assert set(order) == {*duckdb_path, "summary", "release", "on_spark", "night_on_spark", "spark_summary"}
    # the engine picks one path: each branch's first task is a short-circuit on the run's engine
    assert tasks["on_duckdb"]["upstream"] == tasks["on_spark"]["upstream"] == ["discover"]
    assert tasks["stage"]["upstream"] == ["discover", "on_duckdb"] and tasks["stage"]["mapped"]
    assert tasks["night_on_spark"]["upstream"] == ["on_spark"]     # after discover, whose run it pulls
    assert tasks["spark_summary"]["upstream"] == ["discover", "night_on_spark"]
    assert tasks["release"]["is_teardown"] and sorted(tasks["release"]["upstream"]) == ["discover", "load", "publish"]
    for tid in ("load", "link", "rules", "validate_outputs", "publish"):
        assert tasks[tid]["pool"] == dag_tasks.POOL, tid        # every warehouse writer: one slot
    assert tasks["discover"]["pool"] == tasks["night_on_spark"]["pool"] == dag_tasks.POOL   # reads delivery_log; writes
    assert tasks["stage"]["pool"] == "default_pool"              # Parquet only: in parallel
    assert tasks["link"]["upstream"] == ["discover", "load"]
    assert tasks["publish"]["upstream"] == ["discover", "validate_outputs"]
    for tid, t in tasks.items():
        assert t["retries"] == 2 and t["retry_delay"] == 300, tid
    assert tasks["load"]["trigger_rule"] == "none_failed"        # also with nothing to stage


def test_backfill_window_covers_exactly_the_business_dates(dag_info):
    # the logical dates `airflow backfill create` derives from backfill_window(11-27, 11-28)
    as_ofs = [dag_tasks.as_of_for(datetime.fromisoformat(x)) for x in dag_info["backfill_logical_dates"]]
    assert as_ofs == [date(2026, 11, 27), date(2026, 11, 28)]


def test_dag_file_has_no_heavy_top_level_imports(tmp_path):
    code = ("import json, runpy, sys; runpy.run_path(sys.argv[1]); "
            "print('RESULT ' + json.dumps([m for m in json.loads(sys.argv[2]) if m in sys.modules]))")
    proc = subprocess.run([sys.executable, "-c", code, str(DAGS / "lowincome_nightly.py"), json.dumps(HEAVY)],
                          capture_output=True, text=True, env=_airflow_env(tmp_path), timeout=300)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line, proc.stderr[-3000:]
    assert json.loads(line[len("RESULT "):]) == []


# ------------------------------------------------------------------ run date (no Airflow needed)
SHANGHAI = timezone(timedelta(hours=8))


def test_scheduled_run_covers_the_previous_shanghai_day():
    tick = datetime(2026, 11, 29, 2, 0, tzinfo=SHANGHAI)             # 02:00 Shanghai = 2026-11-28T18:00Z
    assert dag_tasks.as_of_for(tick.astimezone(timezone.utc)) == date(2026, 11, 28)
    assert dag_tasks.logical_date_for(date(2026, 11, 28)) == datetime(2026, 11, 28, 18, tzinfo=timezone.utc)
    # `ds` would say 2026-11-28 here too, but not for a run triggered at 09:00 Shanghai on the 29th:
    assert dag_tasks.as_of_for(datetime(2026, 11, 29, 1, 0, tzinfo=timezone.utc)) == date(2026, 11, 28)
    # a bare date given to `airflow dags test` is read as UTC midnight = 08:00 Shanghai the same day
    assert dag_tasks.as_of_for(datetime(2026, 11, 28, tzinfo=timezone.utc)) == date(2026, 11, 27)


def test_missing_logical_date_uses_run_after_and_conf_wins():
    run_after = datetime(2026, 12, 3, 7, 30, tzinfo=timezone.utc)     # 15:30 Shanghai, 3 Dec
    assert dag_tasks.as_of_for(None, run_after) == date(2026, 12, 2)
    assert dag_tasks.as_of_for(None, run_after, {"as_of": "2026-11-20"}) == date(2026, 11, 20)
    with pytest.raises(ValueError):
        dag_tasks.as_of_for(None, None)


class _Run:
    def __init__(self, run_after, conf=None):
        self.run_after, self.conf, self.run_id = run_after, conf or {}, "manual__x"


def test_run_params_from_a_context_without_logical_date():
    ctx = {"dag_run": _Run(datetime(2026, 11, 29, 18, tzinfo=timezone.utc))}   # key absent, as in Airflow 3
    params = dag_tasks.run_params(ctx, variable=lambda key: None)
    assert params["as_of"] == "2026-11-29" and params["logical_date"] is None


def test_paths_come_from_variables_then_environment_then_defaults(tmp_path):
    env = {dag_tasks.ENV_LANDING: str(tmp_path / "env_landing"), dag_tasks.ENV_WAREHOUSE: str(tmp_path / "env.duckdb")}
    variables = {dag_tasks.VAR_LANDING: str(tmp_path / "var_landing")}
    landing, warehouse = dag_tasks.resolve_paths(variables.get, env)
    assert landing == str(tmp_path / "var_landing") and warehouse == str(tmp_path / "env.duckdb")
    assert dag_tasks.resolve_paths(None, {}) == (str(dag_tasks.DEFAULT_LANDING), str(dag_tasks.DEFAULT_WAREHOUSE))


def test_backfill_window_strings():
    assert dag_tasks.backfill_window(date(2026, 11, 27), date(2026, 11, 28)) == (
        "2026-11-28T00:00:00+08:00", "2026-11-29T02:00:00+08:00")


def test_deterministic_failures_skip_retries(tmp_path):
    """No registry delivery: the discover task fails at once, naming it, and Airflow does not retry."""
    landing = tmp_path / "landing"
    (landing / "vehicles" / "2026-11-28").mkdir(parents=True)
    run = {"as_of": "2026-11-28", "landing": str(landing), "warehouse": str(tmp_path / "wh.duckdb")}
    with pytest.raises(Exception) as e:
        dag_tasks.discover(run)
    assert "registry_households: no complete delivery" in str(e.value)
    assert type(e.value).__name__ == "AirflowFailException"       # Airflow does not retry it
