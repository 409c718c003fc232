"""Push lists as outputs.md says, read back with openpyxl: dated names, one per department even when
empty, title line with the date and counts, ONE header row (预警编号 and the feedback reply
columns by their contract names) that a clerk's filled-in copy is read back by, only tonight's
pushed rows, urgent first, Chinese wording (rule, 匹配方式, 预警依据 with department, date and 序号),
real dates, drop-downs, print setup, identity numbers in full only in the department's own
workbook, formulas neutralised; the province summary masked and without restricted rules' rows."""

from __future__ import annotations

from datetime import datetime, timedelta

import openpyxl
import polars as pl
import pytest

from pipelines.publish import PublishSummary, write_push_lists
from pipelines.publish.divisions import divisions_frame, name_maps
from pipelines.publish.pushlists import push_file_name, summary_file_name
from pipelines.publish.rows import prepare
from pipelines.publish.settings import files_config
from pipelines.rules.catalogue import load_catalogue

from publishrows import AS_OF, all_text, evidence, frame, row, sheet_rows, table

MCA, NHSA = "民政厅", "医保局"


def names():
    stems = pl.DataFrame({"division_code": ["230102001001", "230123101201"],
                          "stem": ["黑龙江省哈尔滨市道里区兆麟街道安静社区", "依兰县依兰镇东升村"], "n": [3, 2]})
    return name_maps(divisions_frame(stems))


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    rows = [
        row(MCA, "VEHICLE_OWNER", 4, name="=HYPERLINK(\"http://x\",\"y\")"),
        row(MCA, "DECEASED", 4, urgent=True, evidence_records=[
            evidence("registry_persons", None, 救助类别="低保"),
            evidence("mps_cancellations", "37", 注销原因="死亡", 注销日期="2026-11-20")]),
        row(MCA, "VEHICLE_OWNER", 4, status="open", pushed=False),                   # not pushed again
        row(MCA, "VEHICLE_OWNER", 4, status="resolved", pushed=True),               # told, listed last
        row(MCA, "STAFF_RELATIVE", 4, evidence_records=[
            evidence("staff_roster", "5", 姓名="赵干部", 身份证号="230102197001010016", 职务="村委会主任")]),
        row(NHSA, "MED_SUBSIDY", 1, county="230123", township="230123101", village="230123101201",
            match="fuzzy_name", evidence_records=[evidence("medins_burden", "37", 参保资助类型="无")]),
        row(NHSA, "MED_SUBSIDY", 2, pushed=True, status="open", overdue=True, first_seen=AS_OF - timedelta(days=20),
            reply={"result": "属实", "handler": "王经办", "date": AS_OF - timedelta(days=1)}, followup="verified"),
        row("县级协调机制", "MULTI_HARDSHIP", 3, match="registry"),
    ]
    prepared = prepare(frame(rows), names())
    folder = tmp_path_factory.mktemp("push") / "push" / AS_OF.isoformat()
    summary = PublishSummary(AS_OF)
    write_push_lists(prepared, folder, AS_OF, summary)
    return rows, folder, summary


def test_one_dated_workbook_per_department_even_empty_and_a_dated_summary(night):
    _, folder, summary = night
    expected = {push_file_name(d, AS_OF) for d in load_catalogue().departments} | {summary_file_name(AS_OF)}
    assert {p.name for p in folder.iterdir()} == expected == set(summary.files)
    assert push_file_name(MCA, AS_OF) == "民政厅_2026-11-28.xlsx"
    empty = folder / push_file_name("教育厅", AS_OF)
    rows = sheet_rows(empty)
    assert "2026-11-28" in rows[0][0] and "本次推送 0 条" in rows[1][0]
    assert table(empty) == []
    assert rows[2][:2] == ("序号", "预警编号") and files_config().reply_headers == list(rows[2][-5:])


def test_title_header_and_only_pushed_rows_urgent_first(night):
    rows, folder, _ = night
    path = folder / push_file_name(MCA, AS_OF)
    lines = sheet_rows(path)
    assert lines[0][0] == "民政厅 低收入人口动态监测预警推送清单（2026-11-28）"
    assert lines[1][0].startswith("本次推送 4 条：新增 3 条，持续 0 条，今日解除 1 条（列在最后，供知悉）；"
                                  "在办预警中急难 1 条、逾期 0 条。")
    header = list(lines[2])
    assert header[:19] == ["序号", "预警编号", "部门", "处置类别", "规则名称", "核查要点", "县（市、区）", "乡镇（街道）",
                           "村（社区）", "姓名", "身份证号", "家庭编号", "预警状态", "首次发现", "处置时限", "急难",
                           "逾期", "匹配方式", "预警依据"]
    assert header[19:] == ["核查结果", "处理情况", "经办人", "办结日期", "备注"]
    listed = table(path)
    mca = [r for r in rows if r["department"] == MCA and r["pushed"]]
    assert [r["预警编号"] for r in listed] == [mca[i]["warning_id"] for i in (1, 0, 3, 2)]
    assert [r["序号"] for r in listed] == [1, 2, 3, 4] and listed[3]["预警状态"] == "已解除"
    assert listed[0]["急难"] == "是" and listed[1]["急难"] is None
    first = listed[1]
    assert first["处置类别"] == "4类：可能不再符合救助条件" and first["规则名称"] == "名下有非豁免机动车"
    assert first["县（市、区）"] == "道里区" and first["乡镇（街道）"] == "兆麟街道" and first["村（社区）"] == "安静社区"
    assert first["匹配方式"] == "身份证号一致" and first["核查要点"] == "核查名下有非豁免机动车"
    assert first["首次发现"] == datetime(2026, 11, 28) and first["处置时限"] == datetime(2026, 12, 13)
    assert first["姓名"] == "'" + mca[0]["name"]                                  # formula neutralised


def test_evidence_is_readable_chinese_one_line_per_record(night):
    _, folder, _ = night
    urgent = table(folder / push_file_name(MCA, AS_OF))[0]
    lines = urgent["预警依据"].split("\n")
    assert lines == ["民政厅 低收入人口数据库 成员 2026-11-28: 救助类别=低保",
                     "公安厅 2026-11-28 第37行: 注销原因=死亡，注销日期=2026-11-20"]
    nhsa = table(folder / push_file_name(NHSA, AS_OF))
    assert nhsa[0]["预警依据"] == "医保局 2026-11-28 第37行: 参保资助类型=无"
    assert nhsa[0]["匹配方式"] == "姓名出生日期比对" and nhsa[0]["县（市、区）"] == "依兰县"
    assert nhsa[0]["乡镇（街道）"] == "依兰镇" and nhsa[0]["村（社区）"] == "东升村"


def test_identity_numbers_full_only_in_the_departments_own_workbook(night):
    rows, folder, _ = night
    texts = {p.name: all_text(p) for p in folder.iterdir()}
    for r in rows:
        own = push_file_name(r["department"], AS_OF)
        shown = {name for name, text in texts.items() if r["id_number"] in text}
        assert shown <= {own}, (r["rule_code"], shown)
        if r["pushed"] and r["department"] not in files_config().masked_push_lists:
            assert own in shown
    coordination = table(folder / push_file_name("县级协调机制", AS_OF))
    assert coordination[0]["身份证号"].count("*") == 8                             # masked: counties get their own
    staff = "230102197001010016"                                                  # evidence names another person
    assert not any(staff in t for t in texts.values())
    assert "230102********0016" in texts[push_file_name(MCA, AS_OF)]


def test_reply_columns_drop_downs_dates_and_standing_reply(night):
    rows, folder, _ = night
    path = folder / push_file_name(NHSA, AS_OF)
    ws = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in ws[3]]
    col = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(header)}
    lists = {dv.formula1: str(dv.sqref) for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert lists == {'"属实,不属实,无法核实"': f"{col['核查结果']}4:{col['核查结果']}5",
                     '"已落实救助,已终止救助,已转介,无需处理,其他"': f"{col['处理情况']}4:{col['处理情况']}5"}
    dates = [str(dv.sqref) for dv in ws.data_validations.dataValidation if dv.type == "date"]
    assert dates == [f"{col['办结日期']}4:{col['办结日期']}5"]
    standing = table(path)[1]                      # overdue, pushed again, with its standing reply
    assert standing["逾期"] == "是" and standing["核查结果"] == "属实" and standing["经办人"] == "王经办"
    assert standing["办结日期"] == datetime(2026, 11, 27)
    cell = ws[f"{col['办结日期']}5"]
    assert cell.is_date and cell.number_format == "yyyy-mm-dd"
    assert ws["B5"].fill.fgColor.rgb.endswith("FFC7CE") and not ws["B4"].fill.fgColor.rgb.endswith("FFC7CE")


def test_the_same_night_written_twice_is_the_same_file(night, tmp_path):
    rows, folder, _ = night
    again = tmp_path / "again"
    write_push_lists(prepare(frame(rows), names()), again, AS_OF, PublishSummary(AS_OF))
    for path in folder.iterdir():
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def test_print_setup_frozen_header_autofilter(night):
    _, folder, _ = night
    for path in folder.iterdir():
        for ws in openpyxl.load_workbook(path).worksheets:
            header = next(i for i, r in enumerate(ws.iter_rows(values_only=True), start=1)
                          if r[0] in ("序号", "预警编号", "部门", "县级区划代码"))
            assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9, path.name
            assert ws.print_title_rows == f"$1:${header}"
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (1, None)
            assert ws.page_setup.fitToHeight == 0
            assert ws.freeze_panes == f"A{header + 1}"
            assert ws.auto_filter.ref.startswith(f"A{header}:")


def test_a_filled_in_copy_reads_back_by_its_header(night, tmp_path):
    """What the feedback reader does with the returned workbook: find the header row by 预警编号
    and the reply columns, read the typed values."""
    _, folder, _ = night
    path = folder / push_file_name(MCA, AS_OF)
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    header = [c.value for c in ws[3]]
    typed = {"核查结果": "不属实", "处理情况": "无需处理", "经办人": "李四", "办结日期": datetime(2026, 11, 30), "备注": "车辆已过户"}
    for k, v in typed.items():
        ws.cell(row=4, column=header.index(k) + 1, value=v)
    returned = tmp_path / "民政厅_2026-11-28.xlsx"
    book.save(returned)
    back = table(returned)
    assert {k: back[0][k] for k in typed} == typed
    assert back[0]["预警编号"] == table(path)[0]["预警编号"] and back[0]["部门"] == MCA


def test_the_feedback_contract_columns_are_in_the_header(night):
    """The reply column names are sources.md's feedback columns (and the contract file's, once it exists)."""
    from pipelines import paths
    import yaml

    _, folder, _ = night
    header = sheet_rows(folder / push_file_name(MCA, AS_OF))[2]
    assert {"预警编号", "核查结果", "处理情况", "经办人", "办结日期", "备注", "部门"} <= set(header)
    contract = paths.SCHEMAS / "feedback.yaml"
    if contract.exists():
        doc = yaml.safe_load(contract.read_text(encoding="utf-8"))
        for column in doc["columns"]:
            if column.get("required"):
                assert set(column["headers"]) & set(header), column["name"]


def test_restriction_from_the_catalogue_when_the_model_does_not_say(tmp_path):
    """An older push_rows without departments_visible: the catalogue's restricted_to decides."""
    rows = frame([row(MCA, "STAFF_RELATIVE", 4), row(MCA, "VEHICLE_OWNER", 4)]).drop("departments_visible")
    prepared = prepare(rows, names())
    assert prepared["departments_visible"].to_list() == [MCA, None]
    write_push_lists(prepared, tmp_path, AS_OF, PublishSummary(AS_OF))
    assert len(table(tmp_path / push_file_name(MCA, AS_OF))) == 2
    assert len(table(tmp_path / summary_file_name(AS_OF), "在办预警")) == 1


def test_summary_is_masked_counts_all_and_lists_no_restricted_rule(night):
    rows, folder, summary = night
    path = folder / summary_file_name(AS_OF)
    text = all_text(path)
    assert not any(r["id_number"] in text for r in rows)
    current = table(path, "在办预警")
    staff = next(r for r in rows if r["rule_code"] == "STAFF_RELATIVE")
    assert staff["warning_id"] not in text and staff["name"] not in text
    assert {r["预警编号"] for r in current} == {r["warning_id"] for r in rows
                                               if r["status"] != "resolved" and r["rule_code"] != "STAFF_RELATIVE"}
    assert [r["预警编号"] for r in table(path, "今日解除")] == [r["warning_id"] for r in rows if r["status"] == "resolved"]
    stats = sheet_rows(path, "统计")
    mca4 = next(r for r in stats if r[0] == MCA and r[1] == "4类：可能不再符合救助条件")
    assert mca4[2:] == (4, 3, 1, 1, 1, 0, 0)          # 推送 新增 持续 已解除 急难 逾期 已反馈 (restricted counted)
    assert summary.counts["by_department"][MCA] == {"new": 3, "open": 1, "resolved": 1}
