"""The rules as a whole, on a published night: the warnings table is the contract of outputs.md,
evidence names its records, the assistance chain tells a household's story, every rule has a
model, a catalogue entry and its unit tests (tests/rules/), and thresholds are configuration.
Each rule's own cases and near misses are in tests/rules/test_<rule>.py."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

import pipelines.models.inputs as inputs_module
from pipelines import paths
from pipelines.orchestrate import run_for_date
from pipelines.rules.catalogue import load_catalogue

from rulezone import Person, write_registry, write_source

AS_OF = date(2026, 11, 28)
CAR = Person("car", 1)                                  # 低保, a car: VEHICLE_OWNER (category 4)
OLD = Person("old", 2, birth=date(1966, 5, 1))          # 60 on the night: too old for EMPLOYMENT_AID
COLD = Person("cold", 3, heating="未发放")                # HEATING_AID: the season includes 11-28


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rules")
    landing = root / "landing"
    write_registry(landing, AS_OF.isoformat(), [CAR, OLD, COLD])
    write_source(landing, "vehicles", AS_OF.isoformat(), [(CAR, {})], AS_OF)
    write_source(landing, "hrss_unemployed", AS_OF.isoformat(), [(OLD, {"employment_aid": "否"})], AS_OF)
    wh = root / "wh.duckdb"
    run_for_date(landing, wh, AS_OF)
    return landing, wh


def _rows(wh: Path, sql: str, params=()) -> list[dict]:
    with duckdb.connect(str(wh), read_only=True) as con:
        cur = con.execute(sql, list(params))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


def test_warnings_table_is_the_contract(night):
    with duckdb.connect(str(night[1]), read_only=True) as con:
        cols = [(r[0], r[1]) for r in con.execute("DESCRIBE warnings").fetchall()]
    assert cols[:12] == [
        ("as_of", "DATE"), ("rule_code", "VARCHAR"), ("category", "INTEGER"), ("category_code", "VARCHAR"),
        ("department", "VARCHAR"), ("person_id", "VARCHAR"), ("household_id", "VARCHAR"), ("id_number", "VARCHAR"),
        ("name", "VARCHAR"), ("county_code", "VARCHAR"), ("evidence", "VARCHAR"), ("first_seen", "DATE")]


def test_evidence_names_source_delivery_record_and_values(night):
    (w,) = _rows(night[1], "SELECT * FROM warnings WHERE rule_code = 'VEHICLE_OWNER'")
    ev = json.loads(w["evidence"])
    assert ev[0]["source"] == "registry_persons" and ev[0]["fields"]["救助类别"] == "低保"
    (car,) = [e for e in ev if e["source"] == "vehicles"]
    assert car["delivery_date"] == AS_OF.isoformat() and car["序号"] == "1"
    assert car["fields"]["车辆类型"] == "小型轿车" and car["fields"]["车辆状态"] == "正常"
    assert (w["person_id"], w["id_number"], w["name"], w["household_id"], w["county_code"], w["category"]) == (
        CAR.person_id, CAR.id_number, CAR.display_name, CAR.household_id, CAR.county, 4)


def test_assistance_chain_tells_a_household_story(night):
    rows = _rows(night[1], "SELECT entry_type, code, source FROM assistance_chain WHERE household_id = ?",
                 [CAR.household_id])
    kinds = {(r["entry_type"], r["code"], r["source"]) for r in rows}
    assert ("assistance", "dibao", "registry_households") in kinds
    assert ("warning", "VEHICLE_OWNER", "warnings") in kinds


def test_every_rule_has_a_model_a_catalogue_entry_and_unit_tests():
    models = {p.stem for p in (paths.SQL / "models" / "rules").glob("*.sql")}
    codes = {r.code.lower() for r in load_catalogue().rules}
    tests = {p.stem.removeprefix("test_") for p in (paths.PROJECT_ROOT / "tests" / "rules").glob("test_*.py")}
    assert models == codes
    assert codes <= tests, f"rules without unit tests: {sorted(codes - tests)}"


def test_thresholds_are_configuration(night, tmp_path, monkeypatch):
    """Changing a parameter (not code) moves a boundary: age 60 becomes eligible, the heating
    season ends before the night."""
    landing, _ = night
    found = {r["rule_code"] for r in _rows(night[1], "SELECT rule_code FROM warnings")}
    assert "HEATING_AID" in found and "EMPLOYMENT_AID" not in found
    params = inputs_module.night_params()
    params["employment_age_max"] = 60
    params["heating_season_start"], params["heating_season_end"] = "12-01", "03-31"
    monkeypatch.setattr(inputs_module, "night_params", lambda: dict(params))
    wh = tmp_path / "wh.duckdb"
    run_for_date(landing, wh, AS_OF)
    found = {r["rule_code"] for r in _rows(wh, "SELECT rule_code FROM warnings")}
    assert "EMPLOYMENT_AID" in found and "HEATING_AID" not in found
