#!/usr/bin/env python
"""Run the nightly DAG in one process (`dag.test()`, no scheduler) for business dates, in order.

    .venv/bin/python scripts/dag_test.py --as-of 2026-12-01 --as-of 2026-12-02 [--retries 0] [--migrate]
                                         [--conf '{"engine": "spark", "spark_master": "local[2]"}']

For each as_of it runs the DAG with the logical date the scheduler would give the run that
covers it (02:00 Asia/Shanghai the next day), i.e. what `airflow backfill create` does for that
range, one run after the other. Prints one JSON line per run ({"as_of", "logical_date", "state",
"seconds"}) and exits 1 unless every run succeeded.

Environment: AIRFLOW_HOME (default: <repo>/airflow-home), LOWINCOME_LANDING, LOWINCOME_WAREHOUSE.
DAGS_FOLDER is set to <repo>/dags (dag.test only runs DAGs from the configured folder).
--retries N overrides every task's retries: dag.test really sleeps retry_delay (5 min) between
tries, so tests pass 0. --migrate runs `airflow db migrate` first (needed once per AIRFLOW_HOME).
--keep-copies copies the warehouse file after each run to <warehouse stem>.after-<as_of>.duckdb.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def airflow_env(env: dict | None = None) -> dict:
    """The environment the project runs Airflow with (see scripts/airflow.sh)."""
    env = dict(os.environ if env is None else env)
    env.setdefault("AIRFLOW_HOME", str(ROOT / "airflow-home"))
    env["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__CORE__PARALLELISM", "4")
    env.setdefault("GX_ANALYTICS_ENABLED", "False")
    return env


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--as-of", action="append", required=True, type=date.fromisoformat)
    ap.add_argument("--retries", type=int, default=None)
    ap.add_argument("--migrate", action="store_true")
    ap.add_argument("--keep-copies", action="store_true")
    ap.add_argument("--conf", type=json.loads, default=None,
                    help='dag_run.conf for every run, e.g. \'{"engine": "spark", "spark_master": "local[2]"}\'')
    args = ap.parse_args(argv)

    os.environ.update(airflow_env())
    Path(os.environ["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    if args.migrate:
        t0 = time.perf_counter()
        subprocess.run([str(Path(sys.executable).with_name("airflow")), "db", "migrate"], check=True,
                       stdout=subprocess.DEVNULL, env=os.environ.copy())
        print(json.dumps({"migrated_seconds": round(time.perf_counter() - t0, 1)}), flush=True)

    import pendulum
    from airflow.dag_processing.dagbag import DagBag

    from pipelines.dag_tasks import DAG_ID, logical_date_for

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    if bag.import_errors:
        print(json.dumps({"import_errors": bag.import_errors}), flush=True)
        return 1
    dag = bag.get_dag(DAG_ID)
    if args.retries is not None:
        for t in dag.tasks:
            t.retries = args.retries
    ok = True
    for as_of in args.as_of:
        logical = pendulum.instance(logical_date_for(as_of))
        t0 = time.perf_counter()
        dr = dag.test(logical_date=logical, run_conf=args.conf)
        state = str(getattr(dr.state, "value", dr.state))
        ok &= state == "success"
        seconds = round(time.perf_counter() - t0, 1)
        if args.keep_copies:
            from pipelines.dag_tasks import resolve_paths
            from pipelines.store.layout import copy_warehouse

            wh = Path(resolve_paths()[1])
            if wh.is_file():   # with its staged files (a Spark warehouse is a folder: not copied)
                copy_warehouse(wh, wh.with_name(f"{wh.stem}.after-{as_of.isoformat()}.duckdb"))
        print(json.dumps({"as_of": as_of.isoformat(), "logical_date": logical.isoformat(), "state": state,
                          "seconds": seconds}), flush=True)
        if state != "success":
            break
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
