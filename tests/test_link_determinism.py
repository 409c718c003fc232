"""Linking the same date twice gives the same model and the same links (a rerun changes nothing)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from pipelines.demo import DemoConfig, generate
from pipelines.orchestrate import discover_step, link_step, load_step, stage_step

AS_OF = date(2026, 11, 28)


def test_two_link_runs_are_identical(tmp_path: Path):
    generate(tmp_path, DemoConfig(households=600))
    wh = tmp_path / "wh.duckdb"
    discovery = discover_step(tmp_path / "landing", AS_OF)
    load_step(wh, discovery, {s: stage_step(d, wh) for s, d in discovery.chosen.items()})

    def snapshot():
        link_step(wh, AS_OF)
        with duckdb.connect(str(wh), read_only=True) as con:
            model = con.execute("SELECT model FROM link_models WHERE as_of = ?", [AS_OF]).fetchall()
            links = con.execute("SELECT * FROM links ORDER BY ALL").fetchall()
            review = con.execute("SELECT * FROM review ORDER BY ALL").fetchall()
        return model, links, review

    first = snapshot()
    assert first[1], "the demo links records"
    assert snapshot() == first
