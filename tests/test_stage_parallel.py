"""Staging a night's deliveries several at once (separate processes, within a memory budget)
gives what staging them one after the other gives, the registry first."""

from __future__ import annotations

from datetime import date

import polars as pl

import pipelines.deliveries as deliveries
from pipelines.deliveries import discover_step, night_deliveries, stage_all

from rulezone import Person, write_registry, write_source

AS_OF = date(2026, 11, 28)


def test_parallel_staging_equals_sequential(tmp_path, monkeypatch):
    people = [Person(f"p{i}", i) for i in range(1, 30)]
    landing = tmp_path / "landing"
    write_registry(landing, AS_OF.isoformat(), people)
    for source in ("vehicles", "medins_burden", "hrss_unemployed", "dpf_disabled"):
        write_source(landing, source, AS_OF.isoformat(), [(p, {}) for p in people], AS_OF)
    todo = night_deliveries(discover_step(landing, AS_OF))
    order = []
    one = stage_all(todo, tmp_path / "one.duckdb", True, {}, on_done=lambda r, d, t: order.append(r.source), workers=1)
    assert order[:2] == ["registry_households", "registry_persons"] or order[:2] == ["registry_persons",
                                                                                      "registry_households"]
    two = stage_all(todo, tmp_path / "two.duckdb", True, {}, workers=2)
    assert [r.source for r in one] == [r.source for r in two] == [d.source for d in todo]
    for a, b in zip(one, two):
        assert (a.status, a.rows_read, a.rows_loaded, a.fingerprint) == (b.status, b.rows_read, b.rows_loaded,
                                                                          b.fingerprint)
        assert pl.read_parquet(a.data_path).equals(pl.read_parquet(b.data_path))
    # a budget smaller than any delivery still stages everything, one at a time
    monkeypatch.setattr(deliveries, "STAGING_MEMORY", 1)
    three = stage_all(todo, tmp_path / "three.duckdb", True, {}, workers=2)
    assert [r.rows_loaded for r in three] == [r.rows_loaded for r in one]
