"""A run's ingest half on a small landing zone: accounting, quarantine, idempotence, masking."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.orchestrate import run_for_date

from conftest import add_delivery, csv_bytes, write_xlsx

AS_OF = date(2026, 11, 28)
PERSON_ID = "230102195001010010"

HOUSEHOLDS = [
    ["家庭编号", "户主姓名", "户主身份证号", "行政区划代码", "详细地址", "城乡类别", "救助类别", "状态", "纳入日期",
     "月救助金额", "家庭人口数", "家庭月人均收入", "取暖救助"],
    ["HH1", "王伟", PERSON_ID, "230102001001", "地址", "城市", "低保", "有效", "2020-01-01", "600", "1", "300", "已发放"],
]
PERSONS = [
    ["家庭编号", "成员编号", "姓名", "身份证号", "性别", "出生日期", "与户主关系", "单独纳入", "劳动能力", "健康状况",
     "残疾等级", "就业状况"],
    ["HH1", "P1", "王伟", PERSON_ID, "男", "1950-01-01", "本人", "否", "无", "健康", "", "无业"],
]
VEHICLES = [
    ["序号", "所有人姓名", "所有人证件号码", "车辆类型", "初次登记日期", "车辆状态"],
    ["1", "王伟", PERSON_ID, "小型轿车", "2021/2/3", "正常"],
    ["", "李娜", "230102195001010026", "小型轿车", "2021/2/3", "正常"],        # no 序号: rejected
    ["", "", "", "", "", ""],                                                 # empty row: rejected
    ["4", "张丽", "2.30102E+17", "飞行汽车", "2021-02-30", "正常"],           # loaded, two value issues
]


def landing_zone(root: Path) -> Path:
    landing = root / "landing"
    add_delivery(landing, "registry_households", "2026-11-28", {"家庭.csv": csv_bytes(HOUSEHOLDS, "utf-8-sig")})
    add_delivery(landing, "registry_persons", "2026-11-28", {"成员.csv": csv_bytes(PERSONS, "utf-8-sig")})
    add_delivery(landing, "vehicles", "2026-11-27", {"机动车.csv": csv_bytes(VEHICLES, "utf-8")})
    folder = add_delivery(landing, "dpf_disabled", "2026-11-20", {})
    good = write_xlsx(root / "ok.xlsx", [["序号", "姓名", "身份证号码", "残疾类别", "残疾等级"], [1, "王伟", PERSON_ID, "肢体", "一级"]])
    (folder / "残疾人.xlsx").write_bytes(good.read_bytes()[:300])  # truncated in transfer
    dup = [["序号", "姓名", "公民身份号码", "注销原因", "注销日期", "迁往地"],
           ["1", "王伟", PERSON_ID, "死亡", "2026-11-01", ""], ["１.0", "李娜", PERSON_ID, "迁出", "2026-11-01", "辽宁省"]]  # the same 序号, typed otherwise
    add_delivery(landing, "mps_cancellations", "2026-11-25", {"注销.csv": csv_bytes(dup, "gb18030")})
    return landing


@pytest.fixture
def ran(tmp_path: Path):
    landing = landing_zone(tmp_path)
    wh = tmp_path / "wh.duckdb"
    summary = run_for_date(landing, wh, AS_OF)
    con = duckdb.connect(str(wh), read_only=True)
    yield summary, con, landing, wh
    con.close()


def test_bad_deliveries_are_quarantined_and_the_rest_loads(ran):
    summary, con, *_ = ran
    status = dict(con.execute("SELECT source, status FROM run_sources WHERE as_of = ?", [AS_OF]).fetchall())
    assert status["dpf_disabled"] == "quarantined"
    assert status["mps_cancellations"] == "quarantined"
    assert status["vehicles"] == "loaded" and status["registry_persons"] == "loaded"
    assert status["housing"] == "missing"
    assert "cannot read the workbook" in summary.staged["dpf_disabled"].message
    assert "残疾人.xlsx" in summary.staged["dpf_disabled"].message
    msg = summary.staged["mps_cancellations"].message
    assert "duplicate 序号 '1'" in msg and "row 3" in msg and "注销.csv" in msg
    assert not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'stg_dpf_disabled'").fetchone()[0]


def test_every_row_is_accounted_for(ran):
    _, con, *_ = ran
    read, loaded, rejected = con.execute(
        "SELECT rows_read, rows_loaded, rows_rejected FROM delivery_log WHERE source = 'vehicles'").fetchone()
    assert (read, loaded, rejected) == (4, 2, 2)
    assert con.execute("SELECT count(*) FROM stg_vehicles").fetchone()[0] == loaded
    rejects = con.execute(
        "SELECT file, \"row\", reason FROM rejects WHERE source = 'vehicles' ORDER BY \"row\"").fetchall()
    assert rejects == [("机动车.csv", 3, "序号 is blank"), ("机动车.csv", 4, "empty row")]
    issues = con.execute(
        "SELECT \"row\", \"column\", problem, value FROM data_issues WHERE source = 'vehicles' ORDER BY 2").fetchall()
    assert issues == [(5, "registered_on", "not a date", "2021-02-30"), (5, "vehicle_type", "unknown value", "飞行汽车")]
    quarantined = con.execute("SELECT reason FROM rejects WHERE source = 'dpf_disabled'").fetchone()[0]
    assert quarantined.startswith("delivery quarantined: 残疾人.xlsx")


def test_rerun_gives_the_same_tables(ran):
    summary, con, landing, wh = ran
    con.close()
    before = _snapshot(wh)
    run_for_date(landing, wh, AS_OF, reuse=False)
    assert _snapshot(wh) == before


def test_a_moved_warehouse_still_finds_its_staged_rows(ran, tmp_path):
    """delivery_log keeps staged files relative to <warehouse>.staging/, so the pair can move."""
    summary, con, landing, wh = ran
    names = [r[0] for r in con.execute("SELECT data_path FROM delivery_log WHERE status = 'loaded'").fetchall()]
    con.close()
    assert names and all(not Path(n).is_absolute() for n in names)
    moved = tmp_path / "elsewhere" / "wh.duckdb"
    moved.parent.mkdir()
    for part in ("wh.duckdb", "wh.staging", "wh.data"):
        wh.with_name(part).rename(moved.with_name(part))
    run_for_date(landing, moved, AS_OF)                   # the next night on the moved warehouse
    with duckdb.connect(str(moved), read_only=True) as c:
        assert c.execute("SELECT count(*) FROM stg_vehicles").fetchone()[0] == 2
        assert str(moved.parent) in c.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'stg_vehicles'").fetchone()[0]


def _snapshot(wh: Path) -> dict:
    with duckdb.connect(str(wh), read_only=True) as c:
        return {t: sorted(map(str, c.execute(f"SELECT * EXCLUDE ({ex}) FROM {t}").fetchall())) for t, ex in [
            ("stg_vehicles", "delivery_date"),
            ("rejects", "delivery_date"), ("data_issues", "delivery_date"), ("run_sources", "message"),
        ]}


def test_identity_numbers_are_masked_in_messages(ran):
    summary, con, *_ = ran
    text = " ".join(r.message for r in summary.staged.values())
    text += " ".join(str(r) for r in con.execute("SELECT * FROM rejects").fetchall())
    text += " ".join(str(r) for r in con.execute("SELECT * FROM data_issues").fetchall())
    assert PERSON_ID not in text and "230102195001010026" not in text


def test_normalised_columns_are_typed(ran):
    _, con, *_ = ran
    row = con.execute(
        "SELECT id_number, id_number_status, id_number_birth, name_pinyin, registered_on FROM stg_vehicles WHERE record_no = '1'"
    ).fetchone()
    assert row == (PERSON_ID, "valid", date(1950, 1, 1), "wang wei", date(2021, 2, 3))
    covered = con.execute("SELECT DISTINCT typeof(monthly_benefit) FROM stg_registry_households").fetchone()[0]
    assert covered.startswith("DECIMAL")


def test_a_new_shared_header_alias_invalidates_staged_deliveries(tmp_path):
    """Staged files are reused only while the contract is the same, including the aliases shared
    through schemas/_common.yaml (an alias can rescue a delivery quarantined for a missing column)."""
    import shutil

    import yaml

    from pipelines import paths
    from pipelines.contracts import load_contracts
    from pipelines.ingest.discovery import Delivery
    from pipelines.staging import delivery_fingerprint

    schemas = tmp_path / "schemas"              # a new folder: load_contracts caches per folder
    shutil.copytree(paths.SCHEMAS, schemas)
    delivery = Delivery("vehicles", AS_OF, tmp_path, ())
    before = delivery_fingerprint(delivery, load_contracts(paths.SCHEMAS)["vehicles"])
    assert delivery_fingerprint(delivery, load_contracts(schemas)["vehicles"]) == before   # location alone: same
    schemas = tmp_path / "changed"
    shutil.copytree(paths.SCHEMAS, schemas)
    common = yaml.safe_load((schemas / "_common.yaml").read_text(encoding="utf-8"))
    group = next(iter(common["alias_groups"]))
    common["alias_groups"][group].append("新别名")
    (schemas / "_common.yaml").write_text(yaml.safe_dump(common, allow_unicode=True), encoding="utf-8")
    assert delivery_fingerprint(delivery, load_contracts(schemas)["vehicles"]) != before
