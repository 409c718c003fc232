"""Which delivery a run uses: newest complete one on or before the logical date; the rest reported."""

from __future__ import annotations

from datetime import date

from pipelines.ingest.discovery import discover

from conftest import add_delivery

CSV = "序号,姓名\n1,王伟\n".encode()


def reasons(d):
    return {(ig.path.parent.name + "/" + ig.path.name): ig.reason for ig in d.ignored}


def test_newest_complete_on_or_before_the_date(landing, contracts):
    add_delivery(landing, "vehicles", "2026-10-01", {"a.csv": CSV})
    add_delivery(landing, "vehicles", "2026-11-20", {"a.csv": CSV})
    add_delivery(landing, "vehicles", "2026-11-29", {"a.csv": CSV})             # late: after D
    add_delivery(landing, "vehicles", "2026-11-25", {"a.csv": CSV}, complete=False)  # still copying
    d = discover(landing, date(2026, 11, 28), contracts)
    assert d.chosen["vehicles"].delivery_date == date(2026, 11, 20)
    r = reasons(d)
    assert "after the logical date" in r["vehicles/2026-11-29"]
    assert "_SUCCESS" in r["vehicles/2026-11-25"]
    assert [s.delivery_date for s in d.superseded] == [date(2026, 10, 1)]


def test_delivery_on_the_date_itself_counts(landing, contracts):
    add_delivery(landing, "vehicles", "2026-11-28", {"a.csv": CSV})
    assert discover(landing, date(2026, 11, 28), contracts).chosen["vehicles"].delivery_date == date(2026, 11, 28)


def test_backfill_date_sees_only_what_had_arrived(landing, contracts):
    add_delivery(landing, "vehicles", "2026-11-20", {"a.csv": CSV})
    d = discover(landing, date(2026, 11, 19), contracts)
    assert "vehicles" in d.missing and "vehicles" not in d.chosen


def test_missing_unknown_and_stray_are_reported_not_fatal(landing, contracts):
    add_delivery(landing, "vehicles", "2026-11-20", {"a.csv": CSV, "readme.txt": b"hello"})
    add_delivery(landing, "tax_bureau", "2026-11-20", {"a.csv": CSV})
    (landing / "notes.docx").write_bytes(b"x")
    (landing / "housing" / "latest").mkdir(parents=True)
    d = discover(landing, date(2026, 11, 28), contracts)
    assert set(d.missing) == set(contracts) - {"vehicles"}
    r = reasons(d)
    assert "unknown source" in r["landing/tax_bureau"]
    assert "stray file at the top" in r["landing/notes.docx"]
    assert "stray file in a delivery" in r["2026-11-20/readme.txt"]
    assert "not a YYYY-MM-DD" in r["housing/latest"]
    assert [p.name for p in d.chosen["vehicles"].files] == ["a.csv"]


def test_parts_of_one_delivery_are_kept_together(landing, contracts):
    add_delivery(landing, "hrss_contributions", "2026-11-20", {"part2.csv": CSV, "part1.csv": CSV})
    d = discover(landing, date(2026, 11, 28), contracts)
    assert [p.name for p in d.chosen["hrss_contributions"].files] == ["part1.csv", "part2.csv"]
