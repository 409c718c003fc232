"""Division names: the committed official table is exactly what the maintained jionlp library
generates for the province (regenerated here: a hand edit or a library upgrade fails this test),
it holds every county of Heilongjiang; township and village names come from the registry's
addresses (most common spelling per 9- and 12-digit code, never a house number), and the
`divisions` model runs on the engine over tonight's registry delivery."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.engine.duckdb_engine import DuckDBEngine
from pipelines.publish.divisions import (OFFICIAL_CSV, divisions_frame, model, name_maps, official,
                                         official_csv_text, parse_place, with_place_names)
from pipelines.publish.settings import files_config


def test_the_committed_table_is_what_the_library_generates():
    assert OFFICIAL_CSV.read_text(encoding="utf-8") == official_csv_text(files_config().province_code), \
        "regenerate with: .venv/bin/python -m pipelines.publish.divisions"


def test_the_official_table_holds_the_province_its_prefectures_counties_and_townships():
    off = official()
    levels = dict(off.group_by("level").len().iter_rows())
    assert levels["province"] == 1 and levels["prefecture"] == 13 and levels["county"] >= 120
    assert levels["township"] >= 1500
    counties = off.filter(level="county")
    assert counties["code"].is_unique().all() and counties["code"].str.contains(r"^23\d{4}$").all()
    names = dict(counties.select("code", "name").iter_rows())
    assert names["230102"] == "道里区" and names["230123"] == "依兰县" and names["232701"] == "漠河市"
    towns = off.filter(level="township")
    assert set(towns["parent_code"]) <= set(counties["code"])
    assert "兆麟街道" in towns.filter(parent_code="230102")["name"].to_list()


@pytest.mark.parametrize("county, address, expected", [
    ("230102", "黑龙江省哈尔滨市道里区新阳路街道安静社区", ("新阳路街道", "安静社区", True)),
    ("230102", "哈尔滨市道里区兆麟街道兆麟社区", ("兆麟街道", "兆麟社区", True)),
    ("230123", "依兰县依兰镇东升村", ("依兰镇", "东升村", True)),            # 依兰 is not taken off 依兰镇
    ("230123", "依兰镇东升村", ("依兰镇", "东升村", True)),
    ("230123", "黑龙江依兰县达连河镇新村社区", ("达连河镇", "新村社区", True)),
    ("230123", "依兰县胜利乡胜利新村李家屯", ("胜利乡", "胜利新村", False)),   # not official: parsed by its suffix
    ("230102", "地址", (None, None, False)),
    ("230102", "", (None, None, False)),
])
def test_township_and_village_from_an_address(county, address, expected):
    assert parse_place(county, address) == expected


def registry(rows: list[tuple[str, str]]) -> DuckDBEngine:
    engine = DuckDBEngine()
    engine.put_frame("cur_registry_households", pl.DataFrame(
        {"household_id": [f"H{i}" for i in range(len(rows))], "division_code": [r[0] for r in rows],
         "address": [r[1] for r in rows]}))
    return engine


def test_the_model_takes_the_most_common_spelling_and_never_a_house_number():
    engine = registry([
        ("230102001001", "黑龙江省哈尔滨市道里区兆麟街道安静社区12号楼3单元501室"),
        ("230102001001", "道里区兆麟街道安静社区3号楼1单元101"),
        ("230102001001", "道里区兆麟街道安靜社区１２栋"),                   # another spelling, outvoted
        ("230102001002", "道里区兆麟街道尚志社区五栋二单元"),
        ("230123101201", "依兰县依兰镇东升村三组十五号"),
        ("230123101202", "依兰县依兰镇"),                                  # no village in the address
        ("230123102001", "某某地方"),                                      # nothing parsable
        ("230123102001", None),
    ])
    out = model(engine, ctx=None)
    named = {(r["level"], r["code"]): r for r in out.iter_rows(named=True)}
    town = named[("township", "230102001")]
    assert (town["name"], town["official"], town["households"], town["full_name"]) == \
        ("兆麟街道", True, 4, "哈尔滨市道里区兆麟街道")
    village = named[("village", "230102001001")]
    assert (village["name"], village["spellings"], village["households"]) == ("安静社区", 2, 3)
    assert village["full_name"] == "哈尔滨市道里区兆麟街道安静社区" and village["parent_code"] == "230102001"
    assert named[("village", "230102001002")]["name"] == "尚志社区"
    assert named[("village", "230123101201")]["name"] == "东升村"
    assert named[("village", "230123101202")]["name"] is None
    assert named[("township", "230123102")]["name"] is None and named[("township", "230123102")]["households"] == 1
    assert named[("county", "230102")]["name"] == "道里区" and named[("county", "230102")]["households"] == 4
    assert named[("county", "230102")]["name_source"].startswith("jionlp ")
    assert not out.filter(pl.col("name").str.contains(r"[0-9０-９号栋楼室]")).height
    assert out.height == official().filter(pl.col("level") != "township").height + 3 + 5


def test_names_for_the_files_fall_back_to_codes_and_tell_repeated_counties_apart():
    stems = pl.DataFrame({"division_code": ["230102001001"], "stem": ["道里区兆麟街道安静社区"], "n": [1]})
    names = name_maps(divisions_frame(stems))
    assert names["county"]["230803"] == "佳木斯市向阳区" and names["county"]["230402"] == "鹤岗市向阳区"
    rows = pl.DataFrame({"county_code": ["230102", "999999", None], "township_code": ["230102001", "230102009", None],
                         "village_code": ["230102001001", None, None]})
    out = with_place_names(rows, names)
    assert out["county_name"].to_list() == ["道里区", "999999", None]
    assert out["township_name"].to_list() == ["兆麟街道", "230102009", None]
    assert out["village_name"].to_list() == ["安静社区", None, None]


def test_the_model_is_declared_as_a_night_table_kept_latest():
    from pipelines.models.project import load_project

    m = load_project().models["divisions"]
    assert (m.step, m.materialized, m.retention, m.python) == ("publish", "night", "latest", True)
    assert load_project().sources_of("divisions") == {"registry_households"}
    assert "level" in m.doc and "households" in m.doc
