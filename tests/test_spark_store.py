"""The Spark warehouse's night-after-night guarantees that hold without a Spark job: a publication
is committed by renaming its journal and finished by whoever runs next, a night not committed
leaves the published datasets as they were, retention prunes by night, and a call about a Spark
warehouse reaches spark_store through night.py's functions."""

from __future__ import annotations

import inspect
import json
from datetime import date, timedelta

import polars as pl
import pytest

from pipelines.store import bookkeeping, night, spark_store
from pipelines.store.layout import layout
from pipelines.store.spark_store import JOURNAL, SparkWarehouse, finish_publication


def _part(root, rel: str, rows: list[dict]) -> None:
    folder = root / rel
    folder.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows).write_parquet(folder / "part-0.parquet")


def _rows(root, rel: str) -> list[dict]:
    return pl.read_parquet(root / rel / "part-0.parquet").to_dicts()


@pytest.fixture
def lay(tmp_path):
    lay = layout(tmp_path / "wh", "spark")
    lay.published.mkdir()
    lay.work.mkdir()
    _part(lay.published, "warnings/as_of=2026-11-27", [{"rule_code": "OLD"}])
    _part(lay.published, "warnings/as_of=2026-11-28", [{"rule_code": "BEFORE"}])
    return lay


def _plan(lay, moves, removals=(), run_id="r1"):
    (lay.work / "publish.plan.json").write_text(json.dumps(
        {"run_id": run_id, "as_of": "2026-11-28", "moves": moves, "removals": list(removals),
         "retention": {"warnings": "keep"}}), encoding="utf-8")


def test_a_committed_publication_is_finished_after_a_crash(lay):
    _part(lay.work / "pending", "warnings/as_of=2026-11-28", [{"rule_code": "AFTER"}])
    _part(lay.work / "pending", "links/as_of=2026-11-28", [{"source": "x"}])
    _plan(lay, [["pending/warnings/as_of=2026-11-28", "warnings/as_of=2026-11-28"],
                ["pending/links/as_of=2026-11-28", "links/as_of=2026-11-28"]], ["warnings/as_of=2026-11-27"])
    # the commit point, then a crash before any rename
    (lay.work / "publish.plan.json").rename(lay.published / JOURNAL)
    assert _rows(lay.published, "warnings/as_of=2026-11-28") == [{"rule_code": "BEFORE"}]
    spark_store.begin(lay, "next-run")          # the next run finishes it before anything else
    assert _rows(lay.published, "warnings/as_of=2026-11-28") == [{"rule_code": "AFTER"}]
    assert _rows(lay.published, "links/as_of=2026-11-28") == [{"source": "x"}]
    assert not (lay.published / "warnings/as_of=2026-11-27").exists()
    assert not (lay.published / JOURNAL).exists()
    assert json.loads((lay.published / "_retention.json").read_text())["warnings"] == "keep"
    trashed = sorted(p.relative_to(spark_store.trash_root(lay)).as_posix()
                     for p in spark_store.trash_root(lay).rglob("part-0.parquet"))
    assert len(trashed) == 2                     # the replaced and the pruned night, kept for readers a while


def test_finishing_is_idempotent_when_a_crash_came_midway(lay):
    _part(lay.work / "pending", "warnings/as_of=2026-11-28", [{"rule_code": "AFTER"}])
    _part(lay.work / "pending", "links/as_of=2026-11-28", [{"source": "x"}])
    _plan(lay, [["pending/warnings/as_of=2026-11-28", "warnings/as_of=2026-11-28"],
                ["pending/links/as_of=2026-11-28", "links/as_of=2026-11-28"]])
    (lay.work / "publish.plan.json").rename(lay.published / JOURNAL)
    # the first rename happened, then the process died
    (lay.published / "warnings/as_of=2026-11-28").rename(lay.work / "replaced")
    (lay.work / "pending/warnings/as_of=2026-11-28").rename(lay.published / "warnings/as_of=2026-11-28")
    finish_publication(lay)
    assert _rows(lay.published, "warnings/as_of=2026-11-28") == [{"rule_code": "AFTER"}]
    assert _rows(lay.published, "links/as_of=2026-11-28") == [{"source": "x"}]


def test_a_night_not_committed_changes_nothing(lay):
    _part(lay.work / "pending", "warnings/as_of=2026-11-28", [{"rule_code": "AFTER"}])
    _plan(lay, [["pending/warnings/as_of=2026-11-28", "warnings/as_of=2026-11-28"]])
    spark_store.begin(lay, "next-run")          # the crash came before swap(): the plan is dropped
    assert _rows(lay.published, "warnings/as_of=2026-11-28") == [{"rule_code": "BEFORE"}]
    assert not (lay.work / "pending").exists() and not (lay.work / "publish.plan.json").exists()


def test_retention_prunes_detail_and_keeps_the_latest_only(lay, monkeypatch):
    monkeypatch.setitem(spark_store._cfg(), "detail_nights", 2)
    wh = SparkWarehouse(lay)
    newest = date(2026, 11, 28)
    for back in range(4):
        day = (newest - timedelta(days=back)).isoformat()
        _part(lay.published, f"links/as_of={day}", [{"n": back}])
        _part(lay.published, f"registry_facts/as_of={day}", [{"n": back}])
    spark_store._apply_retention(wh, newest, {"links": "detail", "registry_facts": "latest", "warnings": "keep"}, [])
    assert sorted(wh.removals()) == ["links/as_of=2026-11-25", *[f"registry_facts/as_of=2026-11-2{d}" for d in (5, 6, 7)]]


def test_the_bookkeeping_tables_see_tonight_over_the_published(lay):
    wh = SparkWarehouse(lay)
    _part(lay.published, "run_sources/as_of=2026-11-27", [{"source": "a", "delivery_date": date(2026, 11, 27),
                                                             "status": "loaded", "message": None}])
    _part(lay.published, "run_sources/as_of=2026-11-28", [{"source": "a", "delivery_date": date(2026, 11, 27),
                                                             "status": "loaded", "message": None}])
    wh.put_part("run_sources", {"as_of": date(2026, 11, 28)},
                pl.DataFrame({"source": ["a"], "delivery_date": [date(2026, 11, 28)], "status": ["quarantined"],
                              "message": ["bad"]}))
    got = wh.bookkeeping("run_sources").sort("as_of")
    assert got.select("as_of", "status").rows() == [(date(2026, 11, 27), "loaded"), (date(2026, 11, 28), "quarantined")]


def test_every_store_function_has_its_spark_twin():
    for module in (night, bookkeeping):
        for name, fn in vars(module).items():
            if getattr(fn, "per_engine", False):
                twin = getattr(spark_store, name)
                assert list(inspect.signature(twin).parameters) == list(inspect.signature(fn).parameters), name


def test_a_warehouse_of_the_other_engine_is_refused(tmp_path):
    from pipelines.orchestrate import engine_layout

    (tmp_path / "wh.duckdb").write_bytes(b"")
    (tmp_path / "folder").mkdir()
    with pytest.raises(ValueError, match="--engine duckdb"):
        engine_layout(tmp_path / "wh.duckdb", "spark")
    with pytest.raises(ValueError, match="--engine spark"):
        engine_layout(tmp_path / "folder", "duckdb")
