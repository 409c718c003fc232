"""A run fed hostile deliveries that put identity numbers (18- and 15-digit, full-width, Arabic-Indic,
card numbers, Excel's scientific form) into headers, values, sheet names, file names and exception
messages: no table or file the ingest side writes for people, and no log line, carries one.

Only `stg_<source>` (and its data.parquet) holds numbers in full, by design: it is the warehouse's
working copy that linking reads."""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import xlsxwriter

from pipelines import deliveries, staging
from pipelines.normalise.idnumbers import check_char

from conftest import add_delivery, csv_bytes

AS_OF = date(2026, 11, 28)
DAY = "2026-11-28"


def _id(birth: str, seq: str) -> str:
    first = "230102" + birth + seq
    return first + check_char(first)


# Distinctive birth dates: finding one of them anywhere means a number escaped.
REGISTRY_ID = _id("19500101", "001")
PLANTED = {
    "18": _id("19370707", "123"),
    "18x": _id("19410813", "456"),
    "15": "230102" + "520919" + "789",
    "card": _id("19330222", "321") + "21",
    "arabic": _id("19290317", "654"),
    "fullwidth": _id("19460511", "987"),
    "sci": _id("19550604", "111"),
}
BIRTHS = ["19370707", "19410813", "520919", "19330222", "19290317", "19460511"]
FULL = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _landing(root: Path, outside: Path) -> Path:
    landing = root / "landing"
    hh = [["家庭编号", "户主姓名", "户主身份证号", "行政区划代码", "详细地址", "城乡类别", "救助类别", "状态", "纳入日期",
           "月救助金额", "家庭人口数", "家庭月人均收入", "取暖救助"],
          ["HH1", "王伟", REGISTRY_ID, "230102001001", f"地址 {PLANTED['18']}", "城市", "低保", "有效", PLANTED["15"],
           PLANTED["card"], "1", "300", "已发放"]]
    persons = [["家庭编号", "成员编号", "姓名", "身份证号", "性别", "出生日期", "与户主关系", "单独纳入", "劳动能力", "健康状况",
                "残疾等级", "就业状况"], ["HH1", "P1", "王伟", REGISTRY_ID, "男", "1950-01-01", "本人", "否", "无", "健康", "", "无业"]]
    add_delivery(landing, "registry_households", DAY, {"家庭.csv": csv_bytes(hh, "utf-8-sig")})
    add_delivery(landing, "registry_persons", DAY, {"成员.csv": csv_bytes(persons, "utf-8-sig")})
    # a file without its header line: its first record used to be printed in full
    add_delivery(landing, "hrss_unemployed", DAY, {"失业.csv": csv_bytes([
        ["1", "赵六", PLANTED["18x"], "男", "2024/3/1", "否", PLANTED["card"]],
        ["2", "钱七", PLANTED["15"], "女", "2024/3/1", "否", "就业局"]])})
    # values in the wrong columns: each one is a data issue or a reject
    header = ["序号", "所有人姓名", "所有人证件号码", "车辆类型", "初次登记日期", "车辆状态"]
    vehicles = [header] + [[str(i), "孙八", REGISTRY_ID, "小型轿车", "2021-02-03", "正常"] for i in range(1, 21)]
    vehicles[2][3] = PLANTED["fullwidth"].translate(FULL)
    vehicles[3][4] = PLANTED["arabic"].translate(ARABIC)
    vehicles[4][5] = PLANTED["card"]
    vehicles[5][4] = "2.30102" + PLANTED["sci"][6:14] + "E+17"
    vehicles[6][0] = PLANTED["18"] + "号"
    folder = add_delivery(landing, "vehicles", DAY, {"机动车.csv": csv_bytes(vehicles)})
    (folder / f"{PLANTED['18x']}.jpg").write_bytes(b"scan")                  # a stray file named by a number
    os.symlink(outside, folder.parent / f"{PLANTED['18']}")                   # a refused link named by one
    # a workbook whose second sheet, named by a number, holds rows under no header
    dpf = add_delivery(landing, "dpf_disabled", DAY, {})
    wb = xlsxwriter.Workbook(str(dpf / "残疾.xlsx"))
    head = ["序号", "姓名", "身份证号码", "残疾类别", "残疾等级", "残疾人证号"]
    first, second = wb.add_worksheet("数据"), wb.add_worksheet(PLANTED["18"][:18])
    first.write_row(0, 0, head)
    first.write_row(1, 0, [1, "周九", REGISTRY_ID, "肢体", "一级", REGISTRY_ID + "11"])
    second.write_row(0, 0, [2, "吴十", PLANTED["18x"], "肢体", "一级", PLANTED["card"]])
    wb.close()
    # a bug reached by one source's data, its message carrying a number
    add_delivery(landing, "mps_cancellations", DAY, {"注销.csv": csv_bytes([
        ["序号", "姓名", "公民身份号码", "注销原因", "注销日期", "迁往地"], ["1", "郑一", REGISTRY_ID, "死亡", "2026-11-01", ""]],
        "gb18030")})
    return landing


def _escaped(text: str) -> list[str]:
    """Birth dates of planted numbers found in `text`, whatever digits and separators it uses."""
    folded = "".join(str(int(c)) if c.isdecimal() else c for c in text)
    folded = re.sub(r"(?<=\d)[\s\-\u3000]+(?=\d)", "", folded)
    folded = re.sub(r"\b[0-9a-f]{16,64}\b", "", folded)        # fingerprints and hashes
    return [b for b in BIRTHS if b in folded]


def test_no_number_escapes_the_ingest_outputs(tmp_path, monkeypatch, caplog):
    from pipelines.orchestrate import run_for_date

    outside = tmp_path / "outside"
    outside.mkdir()
    landing = _landing(tmp_path, outside)
    real = staging.normalise_frame

    def buggy(contract, raw, delivery_date):
        if contract.source == "mps_cancellations":
            raise ValueError(f"conversion failed for value '{PLANTED['18']}' (and {PLANTED['15']})")
        return real(contract, raw, delivery_date)

    monkeypatch.setattr(staging, "normalise_frame", buggy)

    monkeypatch.setattr(deliveries, "STAGING_WORKERS", 1)   # staged in this process, patched
    wh = tmp_path / "wh.duckdb"
    with caplog.at_level(logging.DEBUG):
        summary = run_for_date(landing, wh, AS_OF)
    states = {s: r.status for s, r in summary.staged.items()}
    assert states["hrss_unemployed"] == states["dpf_disabled"] == states["mps_cancellations"] == "quarantined"
    assert states["vehicles"] == states["registry_households"] == "staged"

    texts = {"messages": " ".join(r.message for r in summary.staged.values()),
             "ignored": " ".join(f"{ig.path} {ig.reason}" for ig in summary.discovery.ignored),
             "log": "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)}
    con = duckdb.connect(str(wh), read_only=True)
    try:
        for table in ("delivery_log", "rejects", "data_issues", "run_sources", "run_ignored"):
            texts[table] = json.dumps(con.execute(f"SELECT * FROM {table}").fetchall(), default=str, ensure_ascii=False)
    finally:
        con.close()
    for p in sorted((tmp_path / "wh.staging").rglob("*")):
        if p.is_file() and p.name != "data.parquet":
            texts[str(p.relative_to(tmp_path))] = (pl.read_parquet(p).write_json() if p.suffix == ".parquet"
                                                    else p.read_text(encoding="utf-8", errors="replace"))
    leaks = {where: found for where, text in texts.items() if (found := _escaped(text))}
    assert not leaks, leaks
    # and the evidence is there, masked: the issues and the quarantine reasons name what happened
    assert "230102********" in texts["data_issues"] and "230102***********321" in texts["data_issues"]
    assert "[230102********1238]" in summary.staged["dpf_disabled"].message
    assert "not a header row" in texts["messages"] and "internal error" in texts["messages"]
    assert "refused: symbolic link" in texts["run_ignored"]
