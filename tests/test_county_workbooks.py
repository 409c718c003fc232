"""County workbooks: each county's own warnings only (nothing of another county in any cell), no
STAFF_RELATIVE warning, nothing already handled or found false, grouped by township then village
(group lines with counts, an outline, a page break per township), urgent first, overdue rows
filled and written out, full numbers of the county's own people, masked numbers in evidence and
on the resolved sheet; print-ready."""

from __future__ import annotations

from datetime import timedelta

import openpyxl
import polars as pl
import pytest

from pipelines.publish.county import county_file_name, write_county_workbooks
from pipelines.publish.divisions import divisions_frame, name_maps
from pipelines.publish.rows import prepare

from publishrows import AS_OF, all_text, evidence, frame, row, sheet_rows, table

HARBIN, YILAN = "230102", "230123"


def names():
    stems = pl.DataFrame({"division_code": ["230102001001", "230102001002", "230102002001", "230123101201"],
                          "stem": ["哈尔滨市道里区兆麟街道安静社区", "道里区兆麟街道兆麟社区", "道里区新阳路街道新阳社区",
                                   "依兰县依兰镇东升村"], "n": [5, 3, 2, 4]})
    return name_maps(divisions_frame(stems))


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    late = AS_OF - timedelta(days=20)
    rows = {
        "plain": row("民政厅", "VEHICLE_OWNER", 4, HARBIN, "230102001", "230102001001"),
        "urgent": row("县级协调机制", "MULTI_HARDSHIP", 3, HARBIN, "230102002", "230102002001", urgent=True),
        "overdue": row("医保局", "MED_SUBSIDY", 1, HARBIN, "230102001", "230102001002", status="open", pushed=False,
                       overdue=True, first_seen=late),
        "verified": row("民政厅", "DECEASED", 4, HARBIN, "230102001", "230102001001", status="open", pushed=False,
                        followup="verified", reply={"result": "属实"}),
        "handled": row("民政厅", "VEHICLE_OWNER", 4, HARBIN, "230102001", "230102001001", status="open",
                       pushed=False, followup="handled"),
        "false": row("民政厅", "VEHICLE_OWNER", 4, HARBIN, "230102001", "230102001001", status="open",
                     pushed=False, followup="false_alarm"),
        "staff": row("民政厅", "STAFF_RELATIVE", 4, HARBIN, "230102001", "230102001001", evidence_records=[
            evidence("staff_roster", "3", 姓名="钱干部", 职务="社区工作人员", 任职区划代码="230102001001")]),
        "resolved": row("民政厅", "VEHICLE_OWNER", 4, HARBIN, "230102001", "230102001001", status="resolved",
                        pushed=False),
        "yilan": row("医保局", "MED_SUBSIDY", 2, YILAN, "230123101", "230123101201", evidence_records=[
            evidence("medins_burden", "9", 参保资助类型="无", 备注="同户 230102198001010036")]),
        "no_village": row("民政厅", "DECEASED", 4, YILAN, None, None),
    }
    folder = tmp_path_factory.mktemp("county") / "county" / AS_OF.isoformat()
    files = write_county_workbooks(prepare(frame(list(rows.values())), names()), folder, AS_OF)
    return rows, folder, files


def test_one_workbook_per_county_named_by_code_and_date(night):
    _, folder, files = night
    assert files == [county_file_name(HARBIN, AS_OF), county_file_name(YILAN, AS_OF)] == \
        ["230102_2026-11-28.xlsx", "230123_2026-11-28.xlsx"]
    assert sorted(p.name for p in folder.iterdir()) == files


def test_each_county_sees_its_own_people_only(night):
    rows, folder, _ = night
    texts = {code: all_text(folder / county_file_name(code, AS_OF)) for code in (HARBIN, YILAN)}
    for r in rows.values():
        other = YILAN if r["county_code"] == HARBIN else HARBIN
        for value in (r["id_number"], r["name"], r["warning_id"], r["household_id"]):
            assert value not in texts[other]
    harbin = table(folder / county_file_name(HARBIN, AS_OF))
    assert {r["预警编号"] for r in harbin} == {rows[k]["warning_id"] for k in ("plain", "urgent", "overdue", "verified")}
    assert {r["身份证号"] for r in harbin} == {rows[k]["id_number"] for k in ("plain", "urgent", "overdue", "verified")}


def test_staff_relative_never_in_a_county_workbook(night):
    rows, folder, _ = night
    text = all_text(folder / county_file_name(HARBIN, AS_OF))
    staff = rows["staff"]
    assert staff["warning_id"] not in text and staff["id_number"] not in text and staff["name"] not in text
    assert "钱干部" not in text and "村（社区）干部" not in text


def test_handled_and_false_alarms_are_not_visited_resolved_listed_masked(night):
    rows, folder, _ = night
    path = folder / county_file_name(HARBIN, AS_OF)
    text = all_text(path)
    for k in ("handled", "false"):
        assert rows[k]["warning_id"] not in text
    done = table(path, "今日解除")
    assert [r["预警编号"] for r in done] == [rows["resolved"]["warning_id"]]
    number = rows["resolved"]["id_number"]
    assert done[0]["身份证号"] == number[:6] + "*" * 8 + number[-4:] and number not in text


def test_grouped_by_township_and_village_urgent_first_overdue_marked(night):
    rows, folder, _ = night
    path = folder / county_file_name(HARBIN, AS_OF)
    lines = sheet_rows(path)
    assert lines[0][0] == "道里区（230102）低收入人口预警走访核查清单（2026-11-28）"
    body = [(r[0], r[1]) for r in lines[3:]]
    groups = [r[0] for r in body if r[1] is None]
    assert lines[2][:3] == ("序号", "预警编号", "责任部门")
    assert groups == ["新阳路街道（230102002）：1 条，急难 1 条", "新阳社区（230102002001）：1 条，急难 1 条",
                      "兆麟街道（230102001）：3 条，逾期 1 条", "安静社区（230102001001）：2 条",
                      "兆麟社区（230102001002）：1 条，逾期 1 条"]
    ids = [r[1] for r in body if r[1] is not None]
    assert [r[0] for r in body if r[1] is not None] == [1, 2, 3, 4]
    assert ids == [rows[k]["warning_id"] for k in ("urgent", "plain", "verified", "overdue")]
    records = table(path)
    overdue = next(r for r in records if r["预警编号"] == rows["overdue"]["warning_id"])
    assert overdue["逾期"] == "已逾期5天" and overdue["跟进状态"] == "未反馈"
    assert next(r for r in records if r["预警编号"] == rows["verified"]["warning_id"])["跟进状态"] == "已核实待处理"
    ws = openpyxl.load_workbook(path).worksheets[0]
    at = next(c.row for c in ws["B"] if c.value == rows["overdue"]["warning_id"])
    assert ws.cell(at, 2).fill.fgColor.rgb.endswith("FFC7CE")
    urgent_at = next(c.row for c in ws["B"] if c.value == rows["urgent"]["warning_id"])
    assert ws.cell(urgent_at, 2).fill.fgColor.rgb.endswith("FFEB9C")
    assert ws.row_dimensions[at].outline_level == 2
    assert [b.id for b in ws.row_breaks.brk] == [next(c.row for c in ws["A"] if str(c.value).startswith("兆麟街道")) - 1]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$3" and ws.freeze_panes == "A4"


def test_unknown_places_get_a_group_and_evidence_numbers_are_masked(night):
    rows, folder, _ = night
    path = folder / county_file_name(YILAN, AS_OF)
    groups = [r[0] for r in sheet_rows(path)[3:] if r[1] is None]
    assert groups == ["依兰镇（230123101）：1 条", "东升村（230123101201）：1 条", "未标注乡镇（街道）（—）：1 条",
                      "未标注村（社区）（—）：1 条"]
    text = all_text(path)
    assert "230102198001010036" not in text and "230102********0036" in text
    stats = sheet_rows(path, "统计")
    assert stats[1] == ("乡镇（街道）", "村（社区）", "合计", "急难", "逾期", "第1类", "第2类", "第3类", "第4类")
    assert stats[2:] == [("依兰镇", "东升村", 1, 0, 0, 0, 1, 0, 0), ("未标注乡镇（街道）", "未标注村（社区）", 1, 0, 0, 0, 0, 0, 1)]
