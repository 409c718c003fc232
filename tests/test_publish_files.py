"""Push lists: one workbook per department, Chinese headers, sorted by category then county,
identity numbers in full only in the department's own workbook (masked in the summary), no
cell that a spreadsheet would run as a formula; and a publish that fails part-way leaves the
previous tables and files as they were."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

import pipelines.models.inputs as inputs_module
import pipelines.publish as publish_module
from pipelines.orchestrate import NothingTrustworthy, run_for_date
from pipelines.publish.pushlists import neutralise, write_department
from pipelines.rules.catalogue import load_catalogue
from pipelines.store.layout import copy_warehouse, outputs_root_for

from rulezone import RURAL, Person, write_registry, write_source

AS_OF = date(2026, 11, 28)
EVIL = ['=HYPERLINK("http://evil","x")', "+1", "-2", "@SUM(A1)"]
OWNERS = [Person(f"evil{i}", 10 + i, name=name) for i, name in enumerate(EVIL)]
CAT2_URBAN = Person("watch", 20, category="返贫监测")                        # MED_SUBSIDY category 2
CAT1_RURAL = Person("rural", 21, county=RURAL)                             # category 1, county 230123
CAT1_URBAN = Person("urban", 22)                                           # category 1, county 230102
TABLES = ("warnings", "warning_status", "rule_runs", "signals")


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    root = tmp_path_factory.mktemp("push")
    landing = root / "landing"
    people = [*OWNERS, CAT2_URBAN, CAT1_RURAL, CAT1_URBAN]
    write_registry(landing, "2026-11-28", people)
    write_source(landing, "vehicles", "2026-11-28", [(p, {}) for p in OWNERS], AS_OF)
    write_source(landing, "medins_burden", "2026-11-28",
                 [(p, {"premium_subsidy": "无"}) for p in (CAT2_URBAN, CAT1_RURAL, CAT1_URBAN)], AS_OF)
    wh = root / "wh.duckdb"
    summary = run_for_date(landing, wh, AS_OF)
    return landing, wh, summary


def _cells(path: Path) -> list:
    book = openpyxl.load_workbook(path)
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row]


def test_one_workbook_per_department_and_a_summary(ran):
    push = ran[2].published.push_dir
    assert push == outputs_root_for(ran[1]) / "push" / AS_OF.isoformat()
    assert sorted(p.name for p in push.iterdir()) == sorted(
        [f"{d}.xlsx" for d in load_catalogue().departments] + ["汇总.xlsx"])
    assert not list(push.parent.glob(".*"))  # no temporary folder left behind


def test_formulas_are_neutralised(ran):
    book = openpyxl.load_workbook(ran[2].published.push_dir / "民政厅.xlsx")
    header = [c.value for c in book["新增预警"][1]]
    assert header[:7] == ["处置类别", "类别说明", "县区代码", "预警规则", "预警事项", "姓名", "身份证号"]
    names = [row[5].value for row in book["新增预警"].iter_rows(min_row=2)]
    assert sorted(names) == sorted("'" + n for n in EVIL)
    for path in ran[2].published.push_dir.iterdir():
        assert all(c.data_type != "f" for c in _cells(path)), path.name
        assert not any(isinstance(c.value, str) and c.value[:1] in "=+-@\t" for c in _cells(path)), path.name


def test_identity_numbers_in_full_only_in_the_departments_own_workbook(ran):
    push = ran[2].published.push_dir
    values = {p.name: {str(c.value) for c in _cells(p)} for p in push.iterdir()}
    for p in OWNERS:
        assert p.id_number in values["民政厅.xlsx"]
        assert not any(p.id_number in v for name, vs in values.items() if name != "民政厅.xlsx" for v in vs)
    assert CAT1_RURAL.id_number in values["医保局.xlsx"] and CAT1_RURAL.id_number not in values["民政厅.xlsx"]
    masked = CAT1_RURAL.id_number[:6] + "*" * 8 + CAT1_RURAL.id_number[-4:]
    assert masked in values["汇总.xlsx"]
    assert not any(p.id_number in v for p in [*OWNERS, CAT1_RURAL] for v in values["汇总.xlsx"])


def test_sorted_by_category_then_county(ran):
    book = openpyxl.load_workbook(ran[2].published.push_dir / "医保局.xlsx")
    rows = [(r[0], r[2], r[6]) for r in book["新增预警"].iter_rows(min_row=2, values_only=True)]
    assert rows == [(1, "230102", CAT1_URBAN.id_number), (1, "230123", CAT1_RURAL.id_number),
                    (2, "230102", CAT2_URBAN.id_number)]


def test_neutralise_and_read_back(tmp_path):
    frame = pl.DataFrame({"v": ["=1+1", "+1", "-1", "@a", "\tx", "\rx", "ok", None]})
    assert neutralise(frame)["v"].to_list() == ["'=1+1", "'+1", "'-1", "'@a", "'\tx", "'\rx", "ok", None]
    rows = pl.DataFrame({"status": ["new"], "category": [4], "county_code": ["=cmd|' /C calc'!A0"],
                         "rule_code": ["VEHICLE_OWNER"], "title": ["@x"], "name": ["-x"], "id_number": ["+x"],
                         "person_id": ["P1"], "household_id": ["H1"], "first_seen": [AS_OF], "last_seen": [AS_OF],
                         "evidence": ["=x"]})
    write_department(tmp_path / "d.xlsx", rows, {4: "可能不再符合救助条件"})
    cells = [c for c in _cells(tmp_path / "d.xlsx") if c.row == 2 and c.parent.title == "新增预警"]
    assert [c.value for c in cells][2:7] == ["'=cmd|' /C calc'!A0", "VEHICLE_OWNER", "'@x", "'-x", "'+x"]
    assert all(c.data_type in ("s", "n") for c in cells)


def _snapshot(wh: Path) -> dict:
    with duckdb.connect(str(wh), read_only=True) as con:
        return {t: sorted(map(str, con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}


def _files(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.exists() else {}


def test_a_failed_publish_leaves_the_previous_tables_and_files(ran, tmp_path, monkeypatch):
    landing, wh0, summary = ran
    wh = tmp_path / "wh.duckdb"
    copy_warehouse(wh0, wh, outputs=True)
    push = outputs_root_for(wh) / "push"
    before, files = _snapshot(wh), _files(push / AS_OF.isoformat())

    def boom(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(publish_module, "write_summary", boom)
    params = inputs_module.night_params()
    params["vehicle_exempt_types"] = ["小型轿车"]          # tonight's rerun would resolve the vehicles
    monkeypatch.setattr(inputs_module, "night_params", lambda: dict(params))

    with pytest.raises(OSError, match="disk full"):
        run_for_date(landing, wh, AS_OF)
    assert _snapshot(wh) == before
    assert _files(push / AS_OF.isoformat()) == files

    nxt = AS_OF + timedelta(days=1)                         # a new date failing: nothing of it appears
    with pytest.raises(OSError, match="disk full"):
        run_for_date(landing, wh, nxt)
    assert _snapshot(wh) == before
    assert not (push / nxt.isoformat()).exists()
    assert not list(push.glob(".*")) and not list(push.parent.glob(".pending-*"))


def test_a_night_without_registry_publishes_nothing_and_says_so_at_once(tmp_path):
    landing = tmp_path / "landing"
    write_source(landing, "vehicles", "2026-11-28", [(OWNERS[0], {})], AS_OF)
    wh = tmp_path / "wh.duckdb"
    with pytest.raises(NothingTrustworthy, match="registry_households: no complete delivery"):
        run_for_date(landing, wh, AS_OF)
    assert not wh.exists() and not (outputs_root_for(wh) / "push").exists()
    assert not (tmp_path / "wh.staging").exists()          # before anything was read
