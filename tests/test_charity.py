"""The charity needs list (慈善帮扶需求清单): only county, need type, household size, age band and
signals reach it — every cell is scanned for the night's names, identity numbers, household ids
and person ids — small county × need type groups are left out even if the model let them
through, and a cell that would identify someone stops the night instead of being published."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.publish.charity import IdentifyingCell, check_cells, write_charity
from pipelines.publish.divisions import name_maps

from publishrows import AS_OF, all_text, frame, row, sheet_rows


def needs(county: str, need: str, n: int, **extra) -> list[dict]:
    return [{"county_code": county, "need_type": need, "household_size": 1 + i % 4, "age_band": "60岁及以上",
             "signals": ["重病", "重度残疾"] if i % 2 else ["失业", "受灾房屋倒塌", "重病"], **extra} for i in range(n)]


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    warnings = [row("县级协调机制", "MULTI_HARDSHIP", 3, county) for county in ("230102", "230123") for _ in range(6)]
    identifiers = {str(w[c]) for w in warnings for c in ("name", "id_number", "household_id", "person_id")}
    # the model's rows as 12a may shape them, with identifying columns it must never pass on
    rows = [*needs("230102", "医疗", 6), *needs("230102", "住房", 3), *needs("230123", "医疗", 5)]
    for r, w in zip(rows, warnings * 2):
        r.update(name=w["name"], id_number=w["id_number"], household_id=w["household_id"],
                 person_id=w["person_id"], village_code=w["village_code"], address=w["address"])
    path = tmp_path_factory.mktemp("charity") / "charity" / f"{AS_OF.isoformat()}.xlsx"
    written = write_charity(path, pl.DataFrame(rows), AS_OF, name_maps()["county"], identifiers)
    return warnings, identifiers, path, written


def test_only_the_configured_columns_are_written(night):
    _, _, path, written = night
    lines = sheet_rows(path)
    assert lines[0][0] == "慈善帮扶需求清单（2026-11-28）"
    assert lines[2] == ("县（市、区）", "县级区划代码", "需求类型", "家庭人口数", "年龄段", "困难情形")
    assert written == 11 and len(lines) == 3 + 11
    assert {r[0] for r in lines[3:]} == {"道里区", "依兰县"}
    assert lines[3][5] in ("重病、重度残疾", "失业、受灾房屋倒塌、重病")


def test_nothing_identifying_in_any_cell(night):
    warnings, identifiers, path, _ = night
    text = all_text(path)
    for value in identifiers:
        assert value not in text
    for w in warnings:
        assert w["village_code"] not in text and w["address"] not in text
    assert "村" not in text.replace("村（社区）", "")


def test_small_groups_are_left_out(night):
    _, _, path, _ = night
    rows = sheet_rows(path)[3:]
    assert {(r[1], r[2]) for r in rows} == {("230102", "医疗"), ("230123", "医疗")}     # 住房 had 3 households
    stats = sheet_rows(path, "统计")
    assert stats[2:] == [("依兰县", "医疗", 5), ("道里区", "医疗", 6)]


def test_the_models_household_count_decides_in_its_shape(tmp_path):
    """charity_needs as the model gives it: one row per need, signals as text, `households` the
    group's distinct households (two needs of one family count once)."""
    rows = [{**r, "signals": "重病、失业", "households": 4} for r in needs("230102", "医疗", 6)] + \
           [{**r, "signals": "重病", "households": 5} for r in needs("230123", "医疗", 5)]
    path = tmp_path / "c.xlsx"
    assert write_charity(path, pl.DataFrame(rows), AS_OF, name_maps()["county"], set()) == 5
    listed = sheet_rows(path)[3:]
    assert {r[1] for r in listed} == {"230123"} and listed[0][5] == "重病"
    assert "households" not in str(sheet_rows(path)[2])


def test_a_cell_that_identifies_someone_stops_the_list(tmp_path):
    w = row("县级协调机制", "MULTI_HARDSHIP", 3)
    for leak in (w["name"], f"见 {w['id_number']}", f"户 {w['household_id']}", "230102198001010036"):
        bad = pl.DataFrame(needs("230102", "医疗", 5, signals=leak))
        with pytest.raises(IdentifyingCell, match="row 1, column signals"):
            write_charity(tmp_path / "c.xlsx", bad, AS_OF, {}, {w["name"], w["id_number"], w["household_id"]})
    assert not (tmp_path / "c.xlsx").exists()
    check_cells(pl.DataFrame({"signals": ["重病"]}), {w["name"]})         # ordinary text passes


def test_a_model_without_a_configured_column_fails_naming_it(tmp_path):
    with pytest.raises(KeyError, match="age_band"):
        write_charity(tmp_path / "c.xlsx", pl.DataFrame(needs("230102", "医疗", 5)).drop("age_band"), AS_OF, {}, set())


def test_the_push_row_frame_helper_matches_the_model_columns():
    assert frame([row()]).height == 1
