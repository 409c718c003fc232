"""Warnings across nights: first_seen carried, resolution with the last date seen, a rule
skipped for a night (its source quarantined) carried across, a rerun that changes nothing, and
a backfill that gives the nightly answer without touching the later date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.orchestrate import run_for_date

from rulezone import Person, write_registry, write_source

D1, D2, D3 = date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 28)
A, B, C, E = Person("a", 1), Person("b", 2), Person("c", 3), Person("e", 4)
TABLES = ("warnings", "warning_status", "rule_runs", "signals")


def landing_zone(root: Path) -> Path:
    landing = root / "landing"
    write_registry(landing, "2026-11-26", [A, B, C, E])
    write_source(landing, "vehicles", "2026-11-26", [(A, {}), (B, {})], D1)
    write_source(landing, "vehicles", "2026-11-27", [(A, {}), (B, {}), (C, {})], D2)
    write_source(landing, "vehicles", "2026-11-28", [(A, {}), (C, {"vehicle_status": "报废"})], D3)
    write_source(landing, "mps_cancellations", "2026-11-26", [(E, {"reason": "死亡"})], D1)
    # the 27th's delivery repeats a 序号: quarantined, so DECEASED is skipped that night
    write_source(landing, "mps_cancellations", "2026-11-27", [(E, {"reason": "死亡"})], D2,
                 raw=[["1", "某某", "", "其他", "2026-11-01", ""]])
    write_source(landing, "mps_cancellations", "2026-11-28", [(E, {"reason": "死亡"})], D3)
    return landing


def snapshot(wh: Path, day: date) -> dict[str, list]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return {t: sorted(map(str, con.execute(f"SELECT * FROM {t} WHERE as_of = ?", [day]).fetchall()))
                for t in TABLES}


def status(wh: Path, day: date) -> dict[tuple[str, str], tuple]:
    with duckdb.connect(str(wh), read_only=True) as con:
        rows = con.execute("SELECT rule_code, person_id, status, first_seen, last_seen FROM warning_status "
                           "WHERE as_of = ?", [day]).fetchall()
    return {(r, p): (s, f, last) for r, p, s, f, last in rows}


@pytest.fixture(scope="module")
def nightly(tmp_path_factory):
    root = tmp_path_factory.mktemp("nightly")
    landing = landing_zone(root)
    wh = root / "wh.duckdb"
    runs = {day: run_for_date(landing, wh, day) for day in (D1, D2, D3)}
    return landing, wh, runs


def test_first_seen_is_carried_and_new_ones_are_new(nightly):
    _, wh, _ = nightly
    assert status(wh, D1) == {("VEHICLE_OWNER", A.person_id): ("new", D1, D1),
                              ("VEHICLE_OWNER", B.person_id): ("new", D1, D1),
                              ("DECEASED", E.person_id): ("new", D1, D1)}
    assert status(wh, D2) == {("VEHICLE_OWNER", A.person_id): ("open", D1, D2),
                              ("VEHICLE_OWNER", B.person_id): ("open", D1, D2),
                              ("VEHICLE_OWNER", C.person_id): ("new", D2, D2)}


def test_no_longer_found_is_resolved_with_the_last_date_seen(nightly):
    _, wh, _ = nightly
    assert status(wh, D3) == {("VEHICLE_OWNER", A.person_id): ("open", D1, D3),
                              ("VEHICLE_OWNER", B.person_id): ("resolved", D1, D2),
                              ("VEHICLE_OWNER", C.person_id): ("resolved", D2, D2),
                              ("DECEASED", E.person_id): ("open", D1, D3)}
    with duckdb.connect(str(wh), read_only=True) as con:
        current = con.execute("SELECT rule_code, person_id, first_seen FROM warnings WHERE as_of = ?", [D3]).fetchall()
    assert sorted(current) == sorted([("VEHICLE_OWNER", A.person_id, D1), ("DECEASED", E.person_id, D1)])


def test_a_rule_whose_source_is_quarantined_is_skipped_and_says_why(nightly):
    _, wh, runs = nightly
    reason = runs[D2].rules.skipped["DECEASED"]
    assert "mps_cancellations" in reason and "quarantined" in reason and "序号" in reason
    assert set(runs[D2].rules.skipped) == {"DECEASED", "MOVED_AWAY"} | {
        r for r in runs[D1].rules.skipped}  # and every rule whose source never came
    assert runs[D2].published.skipped["DECEASED"] == reason
    with duckdb.connect(str(wh), read_only=True) as con:
        row = con.execute("SELECT status, reason FROM rule_runs WHERE as_of = ? AND rule_code = 'DECEASED'",
                          [D2]).fetchone()
        missing = con.execute("SELECT reason FROM rule_runs WHERE as_of = ? AND rule_code = 'EDU_AID'", [D2]).fetchone()
    assert row == ("skipped", reason)
    assert missing[0].startswith("edu_students missing")


def _listed(book, sheet: str, column: str) -> list:
    rows = list(book[sheet].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if "预警编号" in r)
    return [r[rows[at].index(column)] for r in rows[at + 1:]]


def _masked(number: str) -> str:
    return number[:6] + "*" * 8 + number[-4:]


def test_push_lists_hold_what_is_pushed_and_the_summary_every_state(nightly):
    landing, wh, runs = nightly
    push = runs[D3].published.push_dir
    mca = openpyxl.load_workbook(push / "民政厅_2026-11-28.xlsx", read_only=True)
    with duckdb.connect(str(wh), read_only=True) as con:   # what warning_status says is pushed tonight
        pushed = [r[0] for r in con.execute("SELECT id_number FROM warning_status WHERE as_of = ? AND pushed "
                                            "AND department = '民政厅'", [D3]).fetchall()]
    assert sorted(_listed(mca, mca.sheetnames[0], "身份证号")) == sorted(pushed)
    first = openpyxl.load_workbook(runs[D1].published.push_dir / "民政厅_2026-11-26.xlsx", read_only=True)
    assert sorted(_listed(first, first.sheetnames[0], "身份证号")) == sorted([A.id_number, B.id_number, E.id_number])
    summary = openpyxl.load_workbook(push / "全省汇总_2026-11-28.xlsx", read_only=True)
    assert sorted(_listed(summary, "在办预警", "身份证号")) == sorted(_masked(p.id_number) for p in (A, E))
    assert sorted(_listed(summary, "今日解除", "身份证号")) == sorted(_masked(p.id_number) for p in (B, C))
    counts = runs[D3].published.counts["by_department"]["民政厅"]
    assert counts == {"new": 0, "open": 2, "resolved": 2}
    assert runs[D3].published.counts["by_category"][4] == {"new": 0, "open": 2, "resolved": 2}


def test_a_rerun_changes_nothing(nightly):
    landing, wh, _ = nightly
    before = {day: snapshot(wh, day) for day in (D1, D2, D3)}
    run_for_date(landing, wh, D2)
    assert {day: snapshot(wh, day) for day in (D1, D2, D3)} == before


def test_a_backfill_gives_the_nightly_answer_and_leaves_later_dates_alone(nightly, tmp_path):
    landing, nightly_wh, _ = nightly
    wh = tmp_path / "backfill.duckdb"
    run_for_date(landing, wh, D1)
    run_for_date(landing, wh, D3)
    later = snapshot(wh, D3)
    assert status(wh, D3)[("VEHICLE_OWNER", B.person_id)] == ("resolved", D1, D1)  # D2 not yet known
    run_for_date(landing, wh, D2)
    assert snapshot(wh, D2) == snapshot(nightly_wh, D2)
    assert snapshot(wh, D3) == later
