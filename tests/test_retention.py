"""Bounded growth (outputs.md, "Night after night"): per-night detail older than the retention
window is pruned (with the staged rows of deliveries no kept night uses), superseded files go
after their grace period, warnings and their history stay for every night, nothing is stored
twice, and what is pruned can no longer be read."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

import pipelines.store.night as night_module
from pipelines.orchestrate import run_for_date
from pipelines.store.layout import layout

from rulezone import Person, write_registry, write_source

FIRST = date(2026, 11, 20)
NIGHTS = [FIRST + timedelta(days=i) for i in range(6)]
A = Person("a", 1)


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    root = tmp_path_factory.mktemp("retention")
    landing = root / "landing"
    write_registry(landing, FIRST.isoformat(), [A])
    for day in NIGHTS:                                      # a new vehicles delivery every night
        write_source(landing, "vehicles", day.isoformat(), [(A, {})], day)
    wh = root / "wh.duckdb"
    cfg = dict(night_module.warehouse_config())
    cfg.update(detail_nights=2, superseded_grace_hours=0)
    mp = pytest.MonkeyPatch()
    mp.setattr(night_module, "warehouse_config", lambda: cfg)
    for day in NIGHTS:
        run_for_date(landing, wh, day)
    run_for_date(landing, wh, NIGHTS[-1])                   # a rerun of the last night: its old files go
    mp.undo()
    return wh


def q(wh, sql, params=()):
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_detail_is_kept_for_the_window_only(kept):
    newest = NIGHTS[-1]
    window = {newest - timedelta(days=i) for i in range(3)}
    for table in ("links", "link_explanations", "review", "signals", "link_models", "validation_results"):
        nights = {d for (d,) in q(kept, "SELECT as_of FROM _datasets WHERE table_name = ? AND state = 'published'",
                                  [table])}
        assert nights == window, table
        assert {d for (d,) in q(kept, f"SELECT DISTINCT as_of FROM {table}")} <= window, table
    assert {d for (d,) in q(kept, "SELECT DISTINCT as_of FROM links")} == window
    assert {d for (d,) in q(kept, "SELECT DISTINCT as_of FROM registry_facts")} == {newest}


def test_warnings_and_their_history_are_kept_for_every_night(kept):
    assert {d for (d,) in q(kept, "SELECT DISTINCT as_of FROM warning_status")} == set(NIGHTS)
    assert {d for (d,) in q(kept, "SELECT DISTINCT as_of FROM rule_runs")} == set(NIGHTS)
    assert q(kept, "SELECT first_seen FROM warnings WHERE as_of = ? AND rule_code = 'VEHICLE_OWNER'",
             [NIGHTS[-1]]) == [(FIRST,)]


def test_files_on_disk_are_exactly_what_the_catalog_reads(kept):
    lay = layout(kept)
    on_disk = {p.relative_to(lay.data).as_posix() for p in lay.data.rglob("*") if p.is_file()}
    listed = {p for (p,) in q(kept, "SELECT path FROM _datasets WHERE state = 'published'")}
    superseded = {p for (p,) in q(kept, "SELECT path FROM _datasets WHERE state = 'superseded'")}
    # superseded files of the last run wait for the next run's clean-up (grace 0 makes them due)
    assert listed <= on_disk and on_disk - listed <= superseded
    assert len(listed) == len({(t, d) for t, d in q(kept, "SELECT table_name, as_of FROM _datasets "
                                                          "WHERE state = 'published'")}), "one file per table and night"


def test_staged_deliveries_no_kept_night_uses_are_pruned(kept):
    lay = layout(kept)
    staged = {p.name for p in (lay.staging / "vehicles").iterdir() if p.is_dir()}
    states = dict(q(kept, "SELECT delivery_date, status FROM delivery_log WHERE source = 'vehicles'"))
    newest = NIGHTS[-1]
    for day, status in states.items():
        assert status == ("pruned" if day < newest - timedelta(days=2) else "loaded"), day
    pruned = {d.isoformat() for d, s in states.items() if s == "pruned"}
    # the folders of deliveries pruned before this run are gone; this run's prunings go next run
    assert len(staged & pruned) <= 1
    assert q(kept, "SELECT count(*) FROM data_issues WHERE source = 'vehicles' AND delivery_date < ?",
             [newest - timedelta(days=2)]) == [(0,)]


def test_data_docs_pages_are_kept_for_the_window_and_the_quality_reports_for_ever(kept):
    out = layout(kept).out
    pages = sorted(p.name for p in (out / "data_docs").iterdir() if p.is_dir() and p.name[0].isdigit())
    # GC at the rerun's start: newest published night NIGHTS[-1], window 2 nights
    assert pages == [d.isoformat() for d in NIGHTS[-3:]]
    index = (out / "data_docs" / "index.html").read_text(encoding="utf-8")
    assert NIGHTS[-1].isoformat() in index and NIGHTS[0].isoformat() not in index
    assert all((out / "quality" / f"{d.isoformat()}.md").exists() for d in NIGHTS)
