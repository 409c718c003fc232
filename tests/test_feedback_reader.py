"""Reading a returned push list (feedback contract, header_row: find): the header is found below a
title, on every sheet that continues the first; rows keep the number a person sees in the sheet;
a workbook without a header among its first rows is refused naming the columns; a contract that
does not say `find` still wants its header in row 1; a CSV reply has its header first."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from pipelines.ingest.errors import DeliveryError
from pipelines.ingest.readers import HEADER_SEARCH_ROWS, read_file
from pipelines.normalise.frame import normalise_frame

from conftest import csv_bytes

HEADER = ["预警编号", "部门", "规则名称", "姓名", "身份证号", "核查结果", "处理情况", "经办人", "办结日期", "备注"]
TITLE = ["民政厅 低收入人口动态监测预警推送清单（2026-11-02）"]
COUNTS = ["本次推送 3 条（新增 3 条）"]
ROWS = [
    ["VH-7K3QZ2XA", "民政厅", "名下有非豁免机动车", "赵建国", "230102198005170011", "不属实", None, "李四",
     datetime(2026, 11, 9), "车已过户"],
    ["VH-9ZZ1ABCD", "民政厅", "名下有非豁免机动车", "钱秀英", "230102198005170029", None, None, None, None, None],
]


def workbook(path: Path, sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def test_the_header_is_found_below_the_title_rows(tmp_path: Path, contracts):
    path = workbook(tmp_path / "民政厅_2026-11-02.xlsx",
                    {"推送清单": [TITLE, COUNTS, HEADER, *ROWS], "选项": [["属实"], ["不属实"]]}, hidden=("选项",))
    raw = read_file(path, contracts["feedback"])
    frame = raw.frame
    assert frame["warning_id"].to_list() == ["VH-7K3QZ2XA", "VH-9ZZ1ABCD"]
    assert frame["_row"].to_list() == [4, 5]                     # as the clerk sees them in the sheet
    assert frame["result"].to_list() == ["不属实", None]
    assert "身份证号" in raw.unknown_headers and "identity" not in str(frame.columns)
    assert "id_number" not in frame.columns                       # nothing but the reply is staged
    typed = normalise_frame(contracts["feedback"], frame, date(2026, 11, 10)).data
    assert typed["done_on"].to_list() == [date(2026, 11, 9), None]
    assert any("hidden sheet" in n for n in raw.notes)


def test_a_continuation_sheet_has_its_own_title_and_header(tmp_path: Path, contracts):
    path = workbook(tmp_path / "人社厅_2026-11-02.xlsx",
                    {"新增": [TITLE, HEADER, ROWS[0]], "持续": [TITLE, COUNTS, [], HEADER, ROWS[1]]})
    frame = read_file(path, contracts["feedback"]).frame
    assert frame["warning_id"].to_list() == ["VH-7K3QZ2XA", "VH-9ZZ1ABCD"]
    assert frame["_row"].to_list() == [3, 5]
    assert frame["_file"].to_list() == ["人社厅_2026-11-02.xlsx", "人社厅_2026-11-02.xlsx[持续]"]


def test_no_header_among_the_first_rows_is_refused_naming_the_columns(tmp_path: Path, contracts):
    filler = [["说明"]] * HEADER_SEARCH_ROWS
    path = workbook(tmp_path / "民政厅_x.xlsx", {"推送清单": [*filler, HEADER, *ROWS]})
    with pytest.raises(DeliveryError) as e:
        read_file(path, contracts["feedback"])
    assert "预警编号" in str(e.value) and "核查结果" in str(e.value) and "no header row" in str(e.value)
    # a header that lacks a required column is no header either
    partial = workbook(tmp_path / "民政厅_y.xlsx", {"推送清单": [TITLE, HEADER[:-1], ROWS[0][:-1]]})
    with pytest.raises(DeliveryError):
        read_file(partial, contracts["feedback"])


def test_other_contracts_still_want_the_header_in_row_one(tmp_path: Path, contracts):
    head = ["序号", "学生姓名", "身份证件号", "学校名称", "学段", "资助项目", "资助金额", "学年"]
    path = workbook(tmp_path / "学生.xlsx", {"学生资助名单": [TITLE, head, [1, "王伟", "230102195001010010"]]})
    assert contracts["edu_students"].header_row == "first" and contracts["feedback"].header_row == "find"
    with pytest.raises(DeliveryError):   # the title is taken for the header: refused, as before
        read_file(path, contracts["edu_students"])


def test_a_csv_reply_has_its_header_first(tmp_path: Path, contracts):
    head = ["预警编号", "核查结果", "处理情况", "经办人", "办结日期", "备注"]
    path = tmp_path / "医保局_反馈.csv"
    path.write_bytes(csv_bytes([head, ["MS-7K3QZ2XA", "属实", "已落实救助", "王五", "2026/11/9", ""]], "gb18030"))
    frame = read_file(path, contracts["feedback"]).frame
    assert frame.select("warning_id", "result", "action", "_row").row(0) == ("MS-7K3QZ2XA", "属实", "已落实救助", 2)
