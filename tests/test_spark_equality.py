"""Same answers on both engines: the planted demo (every rule's planted cases and near misses, the
e2e demo's configuration) run by `lowincome run` on DuckDB and on local Spark; warnings (every
column, evidence compared as parsed JSON), warning_status, links, review, the push-list rows and
the files for people must be equal, and the Spark warehouse must hold exactly the planted warnings.

One local Spark session for the test run (the process's); the Spark warehouse is read back with
DuckDB from its Parquet datasets, as an analyst would.
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.orchestrate import run_for_date
from synthetic import DemoConfig, generate

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark")]
CFG = DemoConfig(households=500, seed=4242, plant_cases=True, excel_workers=0)
JSON_COLUMNS = {"evidence", "candidates", "ties", "explanation", "detail"}
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("spark_equality")
    generate(out, CFG)
    t = time.perf_counter()
    duck = run_for_date(out / "landing", out / "duck.duckdb", CFG.as_of)
    TIMINGS["duckdb"] = time.perf_counter() - t
    t = time.perf_counter()
    # the process's one Spark session, whichever test made it first (conftest: local[2])
    spark = run_for_date(out / "landing", out / "spark", CFG.as_of, engine="spark")
    TIMINGS["spark"] = time.perf_counter() - t
    return {"root": out, "duck": duck, "spark": spark}


def duck_table(root: Path, table: str, as_of: date) -> pl.DataFrame:
    with duckdb.connect(str(root / "duck.duckdb"), read_only=True) as con:
        cols = [r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()]
        where = " WHERE as_of = ?" if "as_of" in cols else ""
        return con.sql(f'SELECT * FROM "{table}"{where}', params=[as_of] if where else None).pl()


def spark_table(root: Path, table: str, as_of: date) -> pl.DataFrame:
    folder = root / "spark" / table / f"as_of={as_of.isoformat()}"
    assert folder.is_dir(), f"{table} has no partition for {as_of} in the Spark warehouse"
    with duckdb.connect() as con:
        frame = con.sql(f"SELECT * FROM read_parquet('{folder}/*.parquet')").pl()
    return frame.with_columns(pl.lit(as_of).alias("as_of"))


def comparable(frame: pl.DataFrame, columns: list[str]) -> list[tuple]:
    """Rows in a canonical form: JSON text parsed (key order kept), numbers as floats, sorted."""
    def value(c, v):
        if c in JSON_COLUMNS and isinstance(v, str):
            return json.dumps(json.loads(v), ensure_ascii=False, sort_keys=False)
        if isinstance(v, float):
            return round(v, 9)
        return v if v is None or isinstance(v, (str, int, bool, date)) else str(v)

    rows = [tuple(value(c, r[c]) for c in columns) for r in frame.select(columns).iter_rows(named=True)]
    return sorted(rows, key=repr)


@pytest.mark.parametrize("table", ["warnings", "warning_status", "links", "review"])
def test_tables_are_equal(runs, table):
    d = duck_table(runs["root"], table, CFG.as_of)
    s = spark_table(runs["root"], table, CFG.as_of)
    assert d.height > 0
    assert set(d.columns) == set(s.columns), set(d.columns) ^ set(s.columns)
    columns = sorted(d.columns)
    only_duck = set(comparable(d, columns)) - set(comparable(s, columns))
    only_spark = set(comparable(s, columns)) - set(comparable(d, columns))
    assert not only_duck and not only_spark, (sorted(only_duck, key=repr)[:3], sorted(only_spark, key=repr)[:3])
    assert comparable(d, columns) == comparable(s, columns)


def test_spark_finds_exactly_the_planted_warnings(runs):
    truth = pl.read_parquet(runs["root"] / "truth" / "planted_warnings.parquet").filter("expect_fire")
    found = spark_table(runs["root"], "warnings", CFG.as_of)
    key = lambda f: set(f.select("rule_code", pl.coalesce("person_id", "id_number")).iter_rows())  # noqa: E731
    assert key(found) == key(truth)
    assert not runs["spark"].rules.skipped


def provide(engine, project, model: str, read, root: Path, done: set[str]) -> None:
    """The inputs of `model` on `engine`: night tables read from that engine's warehouse; a model
    the night does not keep (temp, table: standing_replies …) computed there from its own inputs."""
    for table in sorted(set(project.models[model].inputs) - done):
        done.add(table)
        source = project.models.get(table)
        if source is not None and source.materialized in ("temp", "ephemeral", "table"):
            provide(engine, project, table, read, root, done)
            engine.put_frame(table, engine.frame(source.sql))
        else:
            engine.put_frame(table, read(root, table, CFG.as_of).drop("as_of"))


def test_push_rows_are_equal(runs):
    from types import SimpleNamespace

    from pipelines.engine.duckdb_engine import DuckDBEngine
    from pipelines.engine.spark_engine import SparkEngine
    from pipelines.models.project import SEEDS, load_project
    from pipelines.models.runner import seed_tables

    project = load_project()
    sql = project.models["push_rows"].sql
    rows = {}
    for name, engine in (("duck", DuckDBEngine()), ("spark", SparkEngine(readers={}))):
        with engine:
            seed_tables(engine, SimpleNamespace(params={}))     # rule_catalogue, categories: the catalogue's
            provide(engine, project, "push_rows", duck_table if name == "duck" else spark_table, runs["root"],
                    set(SEEDS))
            rows[name] = engine.frame(sql)
    assert rows["duck"].height > 0
    assert comparable(rows["duck"], rows["duck"].columns) == comparable(rows["spark"], rows["duck"].columns)


def _cells(path: Path) -> list[tuple]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    return [(ws.title, tuple(row)) for ws in book.worksheets for row in ws.iter_rows(values_only=True)]


def test_files_for_people_are_equal(runs):
    root = runs["root"]
    duck_out, spark_out = root / "duck.out", root / "spark.out"
    books = sorted(p.relative_to(duck_out) for p in duck_out.rglob("*.xlsx"))
    assert any(p.parts[0] == "push" for p in books)
    assert books == sorted(p.relative_to(spark_out) for p in spark_out.rglob("*.xlsx"))
    differ = [str(p) for p in books if _cells(duck_out / p) != _cells(spark_out / p)]
    assert not differ


def test_spark_is_timed(runs):
    """Not a check of speed: the figures of this run, for the CI log (pytest -rA shows them)."""
    print(json.dumps({k: round(v, 1) for k, v in TIMINGS.items()}))
    assert TIMINGS["spark"] > 0 and TIMINGS["duckdb"] > 0
