"""Shared by the Airflow tests: one real run of the nightly DAG for two business dates (a
backfill, in order, as `airflow backfill create --max-active-runs 1` runs it) on a small demo,
done once per test session even under xdist, plus table-by-table warehouse comparison.

The DAG runs in a subprocess (`scripts/dag_test.py`: `airflow db migrate`, then `dag.test()`
per date with retries off) with AIRFLOW_HOME in a temporary folder. The demo landing zone has a
vehicles delivery on D2 (so D2's row-count bound comes from D1's delivery) and, planted, a
health_serious_illness delivery on D2 whose identity numbers are mostly garbage (quarantined).
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.contracts import load_contracts, normalise_header

ROOT = Path(__file__).resolve().parent.parent
D1, D2 = date(2026, 11, 28), date(2026, 11, 29)
PLANTED = "health_serious_illness"   # quarantined on D2 (DIBAO_SINGLE and MULTI_HARDSHIP need it)
HOUSEHOLDS = 300
# Columns whose values differ between two runs of the same date by design (clock times,
# durations).
VOLATILE = {("runs", "summary")}


def build_landing(root: Path) -> Path:
    from synthetic import DemoConfig, generate

    generate(root / "demo", DemoConfig(households=HOUSEHOLDS, as_of=D1, newer_delivery={"vehicles": 1}))
    landing = root / "landing"
    shutil.copytree(root / "demo" / "landing", landing)
    src = sorted((landing / PLANTED).iterdir())[-1]
    dst = landing / PLANTED / D2.isoformat()
    shutil.copytree(src, dst)
    for p in dst.glob("*.csv"):
        p.rename(p.with_name(p.stem + "_重报" + p.suffix))
    corrupt_ids(dst, PLANTED, 0.6)
    return landing


def corrupt_ids(folder: Path, source: str, share: float) -> int:
    """Overwrite `share` of the identity numbers of a CSV delivery with text; returns how many."""
    contract = load_contracts()[source]
    wanted = {normalise_header(h) for h in contract.column("id_number").headers}
    (path,) = [p for p in folder.iterdir() if p.suffix == ".csv"]
    raw = path.read_bytes()
    for enc in ("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    rows = list(csv.reader(io.StringIO(text)))
    col = next(i for i, h in enumerate(rows[0]) if normalise_header(h) in wanted)
    n = int((len(rows) - 1) * share)
    for r in rows[1:n + 1]:
        r[col] = "身份证号不详"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(enc))
    return n


def run_dag(root: Path, landing: Path) -> dict:
    env = dict(os.environ)
    env.update(AIRFLOW_HOME=str(root / "airflow"), LOWINCOME_LANDING=str(landing),
               LOWINCOME_WAREHOUSE=str(root / "dag" / "wh.duckdb"), AIRFLOW__CORE__LOAD_EXAMPLES="False")
    env.pop("AIRFLOW__CORE__DAGS_FOLDER", None)
    cmd = [sys.executable, str(ROOT / "scripts" / "dag_test.py"), "--migrate", "--retries", "0", "--keep-copies",
           "--as-of", D1.isoformat(), "--as-of", D2.isoformat()]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    (root / "dag_test.log").write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr, encoding="utf-8")
    runs = [json.loads(ln) for ln in proc.stdout.splitlines() if ln.startswith("{")]
    return {"rc": proc.returncode, "runs": [r for r in runs if "as_of" in r],
            "migrated_seconds": next((r["migrated_seconds"] for r in runs if "migrated_seconds" in r), None),
            "log": str(root / "dag_test.log"), "warehouse": str(root / "dag" / "wh.duckdb"),
            "landing": str(landing), "root": str(root)}


@pytest.fixture(scope="session")
def dag_runs(tmp_path_factory, worker_id) -> dict:
    """The two DAG runs, made once: the first xdist worker to get here runs them, others wait."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if worker_id != "master" else base
    root = shared / "airflow_dag_runs"
    with open(shared / "airflow_dag_runs.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = root / "done.json"
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            result = run_dag(root, build_landing(root))
            done.write_text(json.dumps(result), encoding="utf-8")
        return json.loads(done.read_text(encoding="utf-8"))


def lowincome_run(landing: Path | str, warehouse: Path, *days: date) -> None:
    """`lowincome run --as-of` for each day, in order, through the real CLI entry point."""
    from typer.testing import CliRunner

    from pipelines.cli import app

    for day in days:
        res = CliRunner().invoke(app, ["run", "--landing", str(landing), "--warehouse", str(warehouse),
                                       "--as-of", day.isoformat()])
        assert res.exit_code == 0, res.output


def snapshot(path: Path | str, as_of: date | None = None) -> dict[str, list[str]]:
    """Every table's rows (sorted), without clock times and durations. With `as_of`: only that
    date's rows of tables keyed by as_of, and only the deliveries the date used elsewhere."""
    out: dict[str, list[str]] = {}
    with duckdb.connect(str(path), read_only=True) as con:
        used = dict(con.execute("SELECT source, delivery_date FROM run_sources WHERE as_of = ? AND "
                                "delivery_date IS NOT NULL", [as_of]).fetchall()) if as_of else {}
        # every table and view but the catalog's own bookkeeping of files (paths name the run)
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY 1").fetchall()]
        for t in tables:
            cols = con.execute(f'DESCRIBE "{t}"').fetchall()
            names = [c[0] for c in cols]
            keep = [c[0] for c in cols if not c[1].startswith("TIMESTAMP") and "seconds" not in c[0]
                    and (t, c[0]) not in VOLATILE]
            sql = f"SELECT {', '.join(chr(34) + k + chr(34) for k in keep)} FROM \"{t}\""
            params: list = []
            if as_of and "as_of" in names:
                sql += " WHERE as_of = ?"
                params = [as_of]
            elif as_of and "source" in names and "delivery_date" in names:
                pairs = " OR ".join(f"(source = '{s}' AND delivery_date = DATE '{d}')" for s, d in used.items())
                sql += f" WHERE {pairs or 'false'}"
            elif as_of and t.startswith("stg_") and "delivery_date" in names:
                day = used.get(t[4:])
                sql += f" WHERE delivery_date = DATE '{day}'" if day else " WHERE false"
            rows = sorted(map(repr, con.execute(sql, params).fetchall()))
            if rows or not as_of:  # for one date, a table with none of its rows is as good as absent
                out[t] = rows
    return out


def assert_same_tables(actual: dict, expected: dict) -> None:
    assert sorted(actual) == sorted(expected), set(actual) ^ set(expected)
    diffs = []
    for t in sorted(expected):
        if actual[t] != expected[t]:
            a, e = set(actual[t]), set(expected[t])
            diffs.append(f"{t}: {len(actual[t])} vs {len(expected[t])} rows; "
                         f"only DAG: {sorted(a - e)[:2]}; only CLI: {sorted(e - a)[:2]}")
    assert not diffs, "\n".join(diffs)
