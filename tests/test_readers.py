"""Readers on generated files in every encoding and Excel, and on malformed deliveries."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines.ingest.errors import DeliveryError
from pipelines.ingest.readers import read_file
from pipelines.normalise.idnumbers import normalise_ids

from conftest import csv_bytes, write_xlsx

HEADER = ["序号", "姓名", "公民身份号码", "性别", "失业登记日期", "就业援助", "经办机构"]
ROWS = [
    [1, "王伟", "230102195001010010", "男", "2024/3/1", "否", "哈尔滨市道里区就业服务局"],
    [2, "張麗", "２３０１０２１９５００１０１００１０", "女", "2024年3月1日", "是", "宾县公共就业服务中心"],
    [3, "努尔兰•买买提", "", "男", "20240301", "否", "依兰县"],
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_is_detected_and_read(tmp_path: Path, contracts, encoding):
    path = tmp_path / f"失业_{encoding}.csv"
    path.write_bytes(csv_bytes([HEADER, *ROWS], encoding))
    raw = read_file(path, contracts["hrss_unemployed"])
    assert raw.encoding == encoding
    assert raw.frame["name"].to_list() == ["王伟", "張麗", "努尔兰•买买提"]
    assert raw.frame["_row"].to_list() == [2, 3, 4]
    assert raw.frame["_file"].unique().to_list() == [path.name]
    assert raw.frame["record_no"].dtype == pl.String and raw.frame["id_number"][0] == "230102195001010010"


def test_header_aliases_map_to_canonical_names(tmp_path: Path, contracts):
    header = ["序号", "姓名", "身份证号码", "性别", "失业登记日期", "就业援助", "经办机构", "备注"]
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([header, [*ROWS[0], "x"]]))
    raw = read_file(path, contracts["hrss_unemployed"])
    assert "id_number" in raw.frame.columns and raw.unknown_headers == ["备注"]


def test_excel_identity_numbers_stay_text_and_numeric_cells_show_lost_digits(tmp_path: Path, contracts):
    rows = [["序号", "姓名", "身份证号码", "残疾类别", "残疾等级", "残疾人证号", "困难残疾人生活补贴", "重度残疾人护理补贴"],
            [1, "王伟", "23011319920327883X", "肢体", "一级", "23011319920327883X11", "未享受", "未享受"],
            [2, "李娜", 230102195001010000.0, "视力", "二级", None, "已享受", "未享受"]]
    path = write_xlsx(tmp_path / "残疾人.xlsx", rows)
    raw = read_file(path, contracts["dpf_disabled"])
    assert raw.encoding == "xlsx"
    assert raw.frame["id_number"][0] == "23011319920327883X"
    ids = normalise_ids(raw.frame["id_number"])
    assert ids["id_status"].to_list() == ["valid", "mangled"]
    assert ids["id_lo"][1] <= 230102195001010000 <= ids["id_hi"][1]  # only an interval survives


def test_excel_date_cells_read_as_text_the_date_parser_understands(tmp_path: Path, contracts):
    rows = [["序号", "姓名", "身份证号", "病种", "临床分期", "确诊日期", "确诊医院", "已获救助"],
            [1, "李娜", "230102195001010026", "乳腺癌", "IIA", date(2024, 3, 1), "医院", "否"]]
    raw = read_file(write_xlsx(tmp_path / "两癌.xlsx", rows), contracts["acwf_two_cancers"])
    assert raw.frame["diagnosed_on"][0].startswith("2024-03-01")


def expect_error(path: Path, contract, *fragments: str, row: int | None = None) -> DeliveryError:
    with pytest.raises(DeliveryError) as info:
        read_file(path, contract)
    err = info.value
    assert path.name in str(err)
    for f in fragments:
        assert f in str(err)
    if row is not None:
        assert err.row == row
    return err


def test_undecodable_bytes_name_the_row(tmp_path: Path, contracts):
    good = csv_bytes([HEADER, *ROWS], "gb18030")
    lines = good.split(b"\r\n")
    lines[2] = lines[2] + b"\xff\xff"  # row 3 of the file
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\r\n".join(lines))
    expect_error(path, contracts["hrss_unemployed"], "neither UTF-8 nor GB18030", row=3)


def test_missing_required_column(tmp_path: Path, contracts):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([[h for h in HEADER if h != "公民身份号码"], [1, "王伟", "男", "2024/3/1", "否", "x"]]))
    expect_error(path, contracts["hrss_unemployed"], "missing required column", "公民身份号码")


def test_ragged_csv_line_is_located(tmp_path: Path, contracts):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([HEADER, ROWS[0], [*ROWS[1], "extra", "fields"], ROWS[2]]))
    expect_error(path, contracts["hrss_unemployed"], "9 field(s) where the header has 7", row=3)


def test_empty_file(tmp_path: Path, contracts):
    path = tmp_path / "a.csv"
    path.write_bytes(b"")
    expect_error(path, contracts["hrss_unemployed"], "empty")
    xl = tmp_path / "b.xlsx"
    xl.write_bytes(b"")
    expect_error(xl, contracts["dpf_disabled"], "empty")


def test_truncated_workbook(tmp_path: Path, contracts):
    rows = [["序号", "姓名", "身份证号码", "残疾类别", "残疾等级"], [1, "王伟", "x", "肢体", "一级"]]
    full = write_xlsx(tmp_path / "full.xlsx", rows).read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(full[: len(full) // 2])
    expect_error(path, contracts["dpf_disabled"], "cannot read the workbook")


def test_password_protected_workbook(tmp_path: Path, contracts):
    from msoffcrypto.format.ooxml import OOXMLFile

    rows = [["序号", "姓名", "身份证号码", "残疾类别", "残疾等级"], [1, "王伟", "x", "肢体", "一级"]]
    plain = write_xlsx(tmp_path / "plain.xlsx", rows)
    path = tmp_path / "locked.xlsx"
    with plain.open("rb") as src, path.open("wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    expect_error(path, contracts["dpf_disabled"], "password-protected")


def test_duplicate_headers(tmp_path: Path, contracts):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([HEADER + ["姓名"], [*ROWS[0], "x"]]))
    expect_error(path, contracts["hrss_unemployed"], "duplicate column header", row=1)


def test_two_headers_for_one_column(tmp_path: Path, contracts):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([HEADER + ["身份证号"], [*ROWS[0], "x"]]))
    expect_error(path, contracts["hrss_unemployed"], "both map to id_number", row=1)
