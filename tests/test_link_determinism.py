"""Linking the same night twice gives the same model and the same links (a rerun changes nothing)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines.orchestrate import Night, discover_step, link_step, load_step, new_run_id, stage_step
from pipelines.store.layout import layout
from pipelines.store.night import begin, tonight_views
from synthetic import DemoConfig, generate

AS_OF = date(2026, 11, 28)


def test_two_link_runs_are_identical(tmp_path: Path):
    generate(tmp_path, DemoConfig(households=600))
    wh = tmp_path / "wh.duckdb"
    discovery = discover_step(tmp_path / "landing", AS_OF)
    staged = {s: stage_step(d, wh) for s, d in discovery.chosen.items()}
    nt = Night(layout(wh), AS_OF, new_run_id())
    begin(nt.lay, nt.run_id)
    load_step(nt, discovery, staged)

    def snapshot():
        link_step(nt)
        with nt.engine() as eng:
            tonight_views(eng, nt.lay, AS_OF)   # night models are read from the night's files
            return (eng.rows("SELECT model FROM link_models"), eng.rows("SELECT * FROM links ORDER BY ALL"),
                    eng.rows("SELECT * FROM review ORDER BY ALL"))

    first = snapshot()
    assert first[1], "the demo links records"
    assert snapshot() == first
