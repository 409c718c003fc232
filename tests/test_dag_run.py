"""The nightly DAG end to end in CI: Airflow 3 `dag.test()` on demo data (in a subprocess,
AIRFLOW_HOME in a temporary folder, `airflow db migrate` first, retries off), and its tables
equal those of `lowincome run --as-of` on the same date."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from airflow_runs import D1, assert_same_tables, dag_runs, lowincome_run, snapshot  # noqa: F401 (fixture)

pytestmark = [pytest.mark.airflow, pytest.mark.slow]


def test_nightly_dag_run_succeeds(dag_runs):
    first = dag_runs["runs"][0] if dag_runs["runs"] else {}
    assert first.get("state") == "success", f"see {dag_runs['log']}:\n" + Path(dag_runs["log"]).read_text()[-4000:]
    assert first["as_of"] == D1.isoformat()
    assert first["logical_date"] == "2026-11-28T18:00:00+00:00"      # the 02:00 Shanghai run of 11-29


def test_nightly_dag_tables_equal_lowincome_run(dag_runs, tmp_path):
    assert dag_runs["runs"] and dag_runs["runs"][0]["state"] == "success", dag_runs["log"]
    after_d1 = Path(dag_runs["warehouse"]).with_name(f"wh.after-{D1.isoformat()}.duckdb")
    cli = tmp_path / "cli.duckdb"
    lowincome_run(dag_runs["landing"], cli, D1)
    dag_tables = snapshot(after_d1)
    assert {"warnings", "links", "validation_results", "run_sources", "delivery_log"} <= set(dag_tables)
    assert_same_tables(dag_tables, snapshot(cli))
    with duckdb.connect(str(after_d1), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM warnings WHERE as_of = ?", [D1]).fetchone()[0] > 0
        delivered = con.execute("SELECT count(*) FROM run_sources WHERE as_of = ? AND status <> 'missing'",
                                [D1]).fetchone()[0]
        suites = con.execute("SELECT count(DISTINCT suite) FROM validation_results WHERE as_of = ?", [D1]).fetchone()[0]
        assert delivered >= 16 and suites == delivered + 1          # one suite per delivery, and the outputs gate's


def test_nightly_dag_writes_data_docs_and_quality_report(dag_runs):
    out = Path(dag_runs["warehouse"]).with_name("wh.out")
    assert (out / "data_docs" / D1.isoformat() / "index.html").exists()
    assert (out / "data_docs" / "index.html").exists()
    report = json.loads((out / "quality" / f"{D1.isoformat()}.json").read_text(encoding="utf-8"))
    assert report["quarantined"] == {} and report["outputs_failed"] == []
