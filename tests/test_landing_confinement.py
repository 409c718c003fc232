"""The landing zone is a boundary: nothing below it that is a symbolic link (or a pipe, a device)
is followed or read; refusals are reported like every other thing discovery does not use."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from pipelines.contracts import load_contracts
from pipelines.ingest.discovery import discover
from pipelines.ingest.errors import DeliveryError
from pipelines.ingest.readers import read_file
from pipelines.staging import stage_delivery

from conftest import add_delivery, csv_bytes

AS_OF = date(2026, 11, 28)
ID = "230102195001010010"
HEADER = ["序号", "姓名", "公民身份号码", "性别", "失业登记日期", "就业援助", "经办机构"]
ROWS = [HEADER] + [[str(i), "王伟", ID, "男", "2024/3/1", "否", "就业局"] for i in range(1, 11)]
SECRET = csv_bytes([["序号", "姓名", "公民身份号码", "就业援助"], ["1", "秘密", "23011319920327883X", "否"]])


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder elsewhere on the machine, holding a readable CSV the pipeline must never read."""
    p = tmp_path / "elsewhere"
    p.mkdir()
    (p / "secret.csv").write_bytes(SECRET)
    (p / "2026-11-20").mkdir()
    (p / "2026-11-20" / "secret.csv").write_bytes(SECRET)
    (p / "2026-11-20" / "_SUCCESS").write_bytes(b"")
    return p


def refusals(d) -> dict[str, str]:
    return {ig.path.name: ig.reason for ig in d.ignored if ig.reason.startswith("refused:")}


def test_a_source_folder_that_is_a_link_is_refused(landing, outside, contracts):
    os.symlink(outside, landing / "hrss_unemployed")
    d = discover(landing, AS_OF, contracts)
    assert "hrss_unemployed" not in d.chosen and "hrss_unemployed" in d.missing
    assert "symbolic link" in refusals(d)["hrss_unemployed"]


def test_a_delivery_folder_that_is_a_link_is_refused(landing, outside, contracts):
    (landing / "hrss_unemployed").mkdir()
    os.symlink(outside / "2026-11-20", landing / "hrss_unemployed" / "2026-11-21")
    d = discover(landing, AS_OF, contracts)
    assert "hrss_unemployed" not in d.chosen
    assert "symbolic link" in refusals(d)["2026-11-21"]


def test_a_data_file_that_is_a_link_is_refused_and_its_delivery_quarantined(landing, outside, contracts, tmp_path):
    """Reading the delivery without the linked part would lose its rows silently."""
    folder = add_delivery(landing, "hrss_unemployed", "2026-11-21", {"part1.csv": csv_bytes(ROWS)})
    os.symlink(outside / "secret.csv", folder / "part2.csv")
    d = discover(landing, AS_OF, contracts)
    assert "symbolic link" in refusals(d)["part2.csv"]
    delivery = d.chosen["hrss_unemployed"]
    assert [p.name for p in delivery.files] == ["part1.csv"]
    res = stage_delivery(delivery, contracts["hrss_unemployed"], tmp_path / "st")
    assert res.status == "quarantined" and res.message.startswith("part2.csv: refused: symbolic link")
    assert "秘密" not in res.message


def test_a_link_that_stays_inside_the_landing_zone_is_refused_too(landing, contracts):
    """Decision: every link below the landing zone is refused, wherever it points: a link inside
    could make one source's delivery read another's files."""
    add_delivery(landing, "vehicles", "2026-11-20", {"a.csv": csv_bytes([["序号"], ["1"]])})
    os.symlink(landing / "vehicles", landing / "hrss_unemployed")
    d = discover(landing, AS_OF, contracts)
    assert "hrss_unemployed" not in d.chosen and "symbolic link" in refusals(d)["hrss_unemployed"]
    assert "vehicles" in d.chosen


def test_a_linked_marker_does_not_complete_a_delivery(landing, outside, contracts):
    folder = add_delivery(landing, "hrss_unemployed", "2026-11-21", {"a.csv": csv_bytes(ROWS)}, complete=False)
    os.symlink(outside / "2026-11-20" / "_SUCCESS", folder / "_SUCCESS")
    d = discover(landing, AS_OF, contracts)
    assert "hrss_unemployed" not in d.chosen
    assert "symbolic link" in refusals(d)["_SUCCESS"]


def test_a_named_pipe_is_refused_without_blocking(landing, contracts, tmp_path):
    folder = add_delivery(landing, "hrss_unemployed", "2026-11-21", {"a.csv": csv_bytes(ROWS)})
    os.mkfifo(folder / "b.csv")
    d = discover(landing, AS_OF, contracts)
    assert "neither a regular file" in refusals(d)["b.csv"]
    res = stage_delivery(d.chosen["hrss_unemployed"], contracts["hrss_unemployed"], tmp_path / "st")
    assert res.status == "quarantined" and res.message.startswith("b.csv: refused")


def test_a_file_swapped_for_a_link_after_discovery_is_not_followed(landing, outside, contracts, tmp_path):
    folder = add_delivery(landing, "hrss_unemployed", "2026-11-21", {"a.csv": csv_bytes(ROWS)})
    delivery = discover(landing, AS_OF, contracts).chosen["hrss_unemployed"]
    (folder / "a.csv").unlink()
    os.symlink(outside / "secret.csv", folder / "a.csv")
    with pytest.raises(DeliveryError, match="refused: the file is a symbolic link"):
        read_file(folder / "a.csv", contracts["hrss_unemployed"])
    res = stage_delivery(delivery, contracts["hrss_unemployed"], tmp_path / "st")
    assert res.status == "quarantined" and "symbolic link" in res.message and "秘密" not in res.message


def test_refusals_reach_run_ignored(tmp_path, outside):
    """End to end: the refusal is in the run's summary and in the run_ignored table."""
    import duckdb

    from pipelines.orchestrate import run_for_date

    landing = tmp_path / "landing"
    hh = [["家庭编号", "户主姓名", "户主身份证号", "行政区划代码", "详细地址", "城乡类别", "救助类别", "状态", "纳入日期",
           "月救助金额", "家庭人口数", "家庭月人均收入", "取暖救助"],
          ["HH1", "王伟", ID, "230102001001", "地址", "城市", "低保", "有效", "2020-01-01", "600", "1", "300", "已发放"]]
    persons = [["家庭编号", "成员编号", "姓名", "身份证号", "性别", "出生日期", "与户主关系", "单独纳入", "劳动能力", "健康状况",
                "残疾等级", "就业状况"], ["HH1", "P1", "王伟", ID, "男", "1950-01-01", "本人", "否", "无", "健康", "", "无业"]]
    add_delivery(landing, "registry_households", "2026-11-28", {"家庭.csv": csv_bytes(hh, "utf-8-sig")})
    add_delivery(landing, "registry_persons", "2026-11-28", {"成员.csv": csv_bytes(persons, "utf-8-sig")})
    os.symlink(outside, landing / "hrss_unemployed")
    wh = tmp_path / "wh.duckdb"
    summary = run_for_date(landing, wh, AS_OF)
    assert any(ig.reason.startswith("refused:") for ig in summary.discovery.ignored)
    con = duckdb.connect(str(wh), read_only=True)
    try:
        reasons = [r[0] for r in con.execute("SELECT reason FROM run_ignored WHERE path LIKE '%hrss_unemployed'").fetchall()]
    finally:
        con.close()
    assert reasons and reasons[0].startswith("refused: symbolic link")
