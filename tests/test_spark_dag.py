"""The nightly DAG with engine spark in CI: Airflow 3 `dag.test()` (scripts/dag_test.py, a
subprocess, retries off) with dag_run.conf {"engine": "spark", "spark_master": "local[2]"}; the
night is submitted through the Apache Spark provider (SparkSubmitOperator → spark-submit
pipelines/spark_night.py, connection lowincome_spark), the DuckDB path is skipped, and the Spark
warehouse's warnings and links equal those of the DuckDB DAG run on the same landing zone
(tests/airflow_runs.py, made once per test session)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from airflow_runs import D1, ROOT, dag_runs  # noqa: F401 (fixture)

pytestmark = [pytest.mark.airflow, pytest.mark.slow, pytest.mark.xdist_group("spark")]


@pytest.fixture(scope="module")
def spark_dag(dag_runs, tmp_path_factory):  # noqa: F811
    root = tmp_path_factory.mktemp("spark_dag")
    env = dict(os.environ)
    env.update(AIRFLOW_HOME=str(root / "airflow"), LOWINCOME_LANDING=dag_runs["landing"],
               LOWINCOME_WAREHOUSE=str(root / "unused.duckdb"), LOWINCOME_SPARK_WAREHOUSE=str(root / "wh-spark"),
               AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW_CONN_LOWINCOME_SPARK=json.dumps({"conn_type": "spark", "host": "local[2]"}),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")   # spark-submit
    env.pop("AIRFLOW__CORE__DAGS_FOLDER", None)
    cmd = [sys.executable, str(ROOT / "scripts" / "dag_test.py"), "--migrate", "--retries", "0",
           "--as-of", D1.isoformat(), "--conf", json.dumps({"engine": "spark", "spark_master": "local[2]"})]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    log = root / "dag_test.log"
    log.write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr, encoding="utf-8")
    runs = [json.loads(ln) for ln in proc.stdout.splitlines() if ln.startswith("{") and "as_of" in ln]
    return {"runs": runs, "log": log, "warehouse": root / "wh-spark", "duck": dag_runs}


def _rows(con, sql: str) -> list:
    """Rows as text, evidence (JSON, the last column of warnings) parsed: numbers may print differently."""
    out = []
    for row in con.execute(sql).fetchall():
        row = list(row)
        if row and isinstance(row[-1], str) and row[-1].startswith("["):
            row[-1] = json.loads(row[-1])
        out.append(repr(row))
    return sorted(out)


def test_the_dag_runs_the_night_on_spark(spark_dag):
    run = spark_dag["runs"][0] if spark_dag["runs"] else {}
    assert run.get("state") == "success", spark_dag["log"].read_text()[-4000:]
    text = spark_dag["log"].read_text()
    assert "spark-submit" in text.lower() and "night_on_spark" in text
    assert (spark_dag["warehouse"] / "warnings" / f"as_of={D1.isoformat()}").is_dir()


def test_spark_dag_tables_equal_the_duckdb_dag(spark_dag):
    assert spark_dag["runs"] and spark_dag["runs"][0]["state"] == "success", spark_dag["log"]
    duck = Path(spark_dag["duck"]["warehouse"]).with_name(f"wh.after-{D1.isoformat()}.duckdb")
    wh = spark_dag["warehouse"]
    for table, cols in (("warnings", "rule_code, person_id, household_id, id_number, category, department, evidence"),
                        ("links", "source, delivery_date, record_no, person_id, method, round(score, 9)")):
        with duckdb.connect(str(duck), read_only=True) as con:
            expected = _rows(con, f"SELECT {cols} FROM {table} WHERE as_of = DATE '{D1.isoformat()}'")
        with duckdb.connect() as con:
            got = _rows(con, f"SELECT {cols} FROM read_parquet('{wh}/{table}/as_of={D1.isoformat()}/*.parquet')")
        assert expected and got == expected, table
