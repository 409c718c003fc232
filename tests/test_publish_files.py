"""Files for people through a real night: dated push lists per department, the province summary,
county workbooks, Chinese headers and place names, sorted by category then county, identity
numbers in full only in the department's own workbook and the county's own workbook (masked in
the summary), no cell that a spreadsheet would run as a formula, the divisions table published;
and a publish that fails part-way leaves the previous tables and files as they were."""

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
from pipelines.publish.divisions import name_maps
from pipelines.publish.excel import neutralise
from pipelines.publish.pushlists import push_file_name, summary_file_name, write_department
from pipelines.publish.rows import prepare
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


def _table(path: Path) -> list[dict]:
    rows = list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if "预警编号" in r)
    return [dict(zip(rows[at], r)) for r in rows[at + 1:] if r[1] is not None]


def _push(ran, department: str) -> Path:
    return ran[2].published.push_dir / push_file_name(department, AS_OF)


def test_one_dated_workbook_per_department_a_summary_and_county_workbooks(ran):
    push = ran[2].published.push_dir
    assert push == outputs_root_for(ran[1]) / "push" / AS_OF.isoformat()
    assert sorted(p.name for p in push.iterdir()) == sorted(
        [push_file_name(d, AS_OF) for d in load_catalogue().departments] + [summary_file_name(AS_OF)])
    county = outputs_root_for(ran[1]) / "county" / AS_OF.isoformat()
    assert sorted(p.name for p in county.iterdir()) == ["230102_2026-11-28.xlsx", "230123_2026-11-28.xlsx"]
    assert ran[2].published.county_files == ["230102_2026-11-28.xlsx", "230123_2026-11-28.xlsx"]
    assert not list(push.parent.glob(".*")) and not list(county.parent.glob(".*"))  # no temporary folder left


def test_formulas_are_neutralised(ran):
    rows = _table(_push(ran, "民政厅"))
    assert sorted(r["姓名"] for r in rows) == sorted("'" + n for n in EVIL)
    for folder in (ran[2].published.push_dir, outputs_root_for(ran[1]) / "county" / AS_OF.isoformat()):
        for path in folder.iterdir():
            assert all(c.data_type != "f" for c in _cells(path)), path.name
            assert not any(isinstance(c.value, str) and c.value[:1] in "=+-@\t" for c in _cells(path)), path.name


def test_identity_numbers_in_full_only_in_the_departments_and_the_countys_own_workbooks(ran):
    out = outputs_root_for(ran[1])
    files = [*ran[2].published.push_dir.iterdir(), *(out / "county" / AS_OF.isoformat()).iterdir()]
    values = {p.name: " ".join(str(c.value) for c in _cells(p)) for p in files}
    mca, nhsa = push_file_name("民政厅", AS_OF), push_file_name("医保局", AS_OF)
    for p in OWNERS:
        assert {n for n, v in values.items() if p.id_number in v} == {mca, "230102_2026-11-28.xlsx"}
    assert {n for n, v in values.items() if CAT1_RURAL.id_number in v} == {nhsa, "230123_2026-11-28.xlsx"}
    masked = CAT1_RURAL.id_number[:6] + "*" * 8 + CAT1_RURAL.id_number[-4:]
    assert masked in values[summary_file_name(AS_OF)]


def test_sorted_by_category_then_county_with_place_names(ran):
    rows = [(r["处置类别"][:1], r["县（市、区）"], r["身份证号"]) for r in _table(_push(ran, "医保局"))]
    assert rows == [("1", "道里区", CAT1_URBAN.id_number), ("1", "依兰县", CAT1_RURAL.id_number),
                    ("2", "道里区", CAT2_URBAN.id_number)]


def test_the_divisions_table_is_published_for_analysts(ran):
    with duckdb.connect(str(ran[1]), read_only=True) as con:
        counties = dict(con.execute("SELECT code, name FROM divisions WHERE level = 'county' AND as_of = ?",
                                    [AS_OF]).fetchall())
        villages = con.execute("SELECT code, households FROM divisions WHERE level = 'village' ORDER BY code").fetchall()
    assert counties["230102"] == "道里区" and counties["230123"] == "依兰县"
    assert villages == [("230102001001", 6), ("230123001001", 1)]


def test_neutralise_and_read_back(tmp_path):
    frame = pl.DataFrame({"v": ["=1+1", "+1", "-1", "@a", "\tx", "\rx", "ok", None]})
    assert neutralise(frame)["v"].to_list() == ["'=1+1", "'+1", "'-1", "'@a", "'\tx", "'\rx", "ok", None]
    rows = prepare(pl.DataFrame({
        "department": ["民政厅"], "status": ["new"], "category": [4], "county_code": ["=cmd|' /C calc'!A0"],
        "rule_code": ["VEHICLE_OWNER"], "title": ["@x"], "name": ["-x"], "id_number": ["+x"], "person_id": ["P1"],
        "household_id": ["H1"], "first_seen": [AS_OF], "last_seen": [AS_OF], "evidence": ["=x"]}), name_maps())
    write_department(tmp_path / "d.xlsx", "民政厅", rows, AS_OF)
    row = _table(tmp_path / "d.xlsx")[0]
    assert [row[k] for k in ("县（市、区）", "规则名称", "姓名", "身份证号", "预警依据")] == \
        ["'=cmd|' /C calc'!A0", "'@x", "'-x", "'+x", "'=x"]
    assert all(c.data_type in ("s", "n", "d") for c in _cells(tmp_path / "d.xlsx"))


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
    monkeypatch.setenv("LOWINCOME_PUBLISH_WORKERS", "1")   # the patch lives in this process (workers: test_faults)
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
