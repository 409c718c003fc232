"""Every rule of rules.md on a small landing zone written in code (tests/rulezone.py): each
planted case fires with the right category and department, each near miss does not, and
nothing else fires. One pipeline run for the module."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.demo.plant_cases import build_cases
from pipelines.orchestrate import run_for_date
from pipelines.rules import apply_rules
from pipelines.rules.catalogue import load_catalogue, load_params
from pipelines.warehouse import Warehouse, copy_warehouse

from rulezone import build_zone

AS_OF = date(2026, 11, 28)
CASES = build_cases(AS_OF, load_params())
CATALOGUE = load_catalogue()


def _key(rule: str, person_id, id_number, name, county) -> tuple[str, str]:
    if rule == "MONITORING_INTAKE":
        return rule, id_number or f"name:{name}|{county}"
    return rule, person_id


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    root = tmp_path_factory.mktemp("rules")
    zone = build_zone(root / "landing", AS_OF)
    wh = root / "wh.duckdb"
    summary = run_for_date(root / "landing", wh, AS_OF)
    con = duckdb.connect(str(wh), read_only=True)
    cols = [r[0] for r in con.execute("DESCRIBE warnings").fetchall()]
    rows = [dict(zip(cols, r)) for r in con.execute("SELECT * FROM warnings WHERE as_of = ?", [AS_OF]).fetchall()]
    found = {_key(r["rule_code"], r["person_id"], r["id_number"], r["name"], r["county_code"]): r for r in rows}
    assert len(found) == len(rows), "two warnings of one rule for one subject"
    yield zone, summary, found, con, wh
    con.close()


def test_every_rule_has_a_firing_case_and_a_near_miss():
    for rule in CATALOGUE.rules:
        mine = [e for c in CASES for e in c.expect if e.rule == rule.code]
        assert any(e.fires for e in mine), rule.code
        assert any(not e.fires for e in mine), rule.code


@pytest.mark.parametrize("case", CASES, ids=[c.case_id for c in CASES])
def test_case(ran, case):
    zone, _, found, *_ = ran
    for e in case.expect:
        key = zone.key(e.rule, e.subject)
        if not e.fires:
            assert key not in found, f"{case.case_id}: {e.rule} must not fire ({case.description})"
            continue
        assert key in found, f"{case.case_id}: {e.rule} must fire ({case.description})"
        w = found[key]
        assert w["category"] == e.category, case.case_id
        assert w["category_code"] == CATALOGUE.categories[e.category]
        assert w["department"] == CATALOGUE.rule(e.rule).department
        assert w["first_seen"] == AS_OF


def test_nothing_but_the_planted_warnings_fires(ran):
    zone, summary, found, *_ = ran
    assert set(found) == set(zone.expected())
    assert not summary.rules.skipped
    assert sum(summary.rules.found.values()) == len(found)


def test_warnings_table_is_the_contract(ran):
    con = ran[3]
    assert [(r[0], r[1]) for r in con.execute("DESCRIBE warnings").fetchall()] == [
        ("as_of", "DATE"), ("rule_code", "VARCHAR"), ("category", "INTEGER"), ("category_code", "VARCHAR"),
        ("department", "VARCHAR"), ("person_id", "VARCHAR"), ("household_id", "VARCHAR"), ("id_number", "VARCHAR"),
        ("name", "VARCHAR"), ("county_code", "VARCHAR"), ("evidence", "VARCHAR"), ("first_seen", "DATE")]


def test_evidence_names_source_delivery_record_and_values(ran):
    zone, _, found, *_ = ran
    w = found[zone.key("VEHICLE_OWNER", "veh_dibao_car")]
    ev = json.loads(w["evidence"])
    assert ev[0]["source"] == "registry_persons" and ev[0]["fields"]["救助类别"] == "低保"
    car = [e for e in ev if e["source"] == "vehicles"]
    assert len(car) == 1 and car[0]["delivery_date"] == AS_OF.isoformat() and car[0]["序号"]
    assert car[0]["fields"]["车辆类型"] == "小型轿车" and car[0]["fields"]["车辆状态"] == "正常"
    person = zone.people["veh_dibao_car"]
    assert (w["id_number"], w["name"], w["household_id"], w["county_code"]) == (
        person.id_number, person.name, person.household_id, person.division_code[:6])


def test_household_rules_name_the_head(ran):
    zone, _, found, *_ = ran
    heating = [w for (rule, _), w in found.items() if rule == "HEATING_AID"
               and w["household_id"] == zone.people["heat_dibao"].household_id]
    assert len(heating) == 1 and heating[0]["person_id"] == zone.people["heat_dibao"].person_id
    income = found[zone.key("INCOME_ABOVE_LINE", "inc_rural_two")]
    calc = json.loads(income["evidence"])[-1]["fields"]
    assert calc["月人均"] == pytest.approx(calc["低保标准"] + 40) and calc["家庭人口数"] == 2


def test_duplicate_enrollment_is_the_latest_enrollment_and_lists_all(ran):
    zone, _, found, *_ = ran
    later, earlier = zone.people["dup_two_active_again"], zone.people["dup_two_active"]
    w = found[zone.key("DUPLICATE_ENROLLMENT", "dup_two_active_again")]
    assert (w["person_id"], w["household_id"], w["id_number"]) == (later.person_id, later.household_id, later.id_number)
    households = [e["fields"]["家庭编号"] for e in json.loads(w["evidence"]) if e["source"] == "registry_persons"
                  and "姓名" in e["fields"]]
    assert households == [later.household_id, earlier.household_id]


def test_monitoring_intake_subject_is_the_record(ran):
    zone, _, found, *_ = ran
    outsider = found[zone.key("MONITORING_INTAKE", "mon_outsider")]
    assert outsider["person_id"] is None and outsider["household_id"] is None
    assert outsider["id_number"] == zone.people["mon_outsider"].id_number
    terminated = found[zone.key("MONITORING_INTAKE", "mon_terminated")]
    assert terminated["person_id"] is None and terminated["id_number"] == zone.people["mon_terminated"].id_number
    blank = found[zone.key("MONITORING_INTAKE", "mon_blank_id")]
    assert blank["id_number"] is None and blank["name"] == zone.people["mon_blank_id"].name


def test_assistance_chain_tells_a_household_story(ran):
    zone, *_, con, _ = ran
    hh = zone.people["mh_three"].household_id
    rows = con.execute("SELECT entry_type, code, source, event_date, person_id FROM assistance_chain "
                       "WHERE as_of = ? AND household_id = ?", [AS_OF, hh]).fetchall()
    hardship = {(code, source) for kind, code, source, *_ in rows if kind == "hardship"}
    assert hardship == {("severely_ill", "health_serious_illness"), ("unemployed", "hrss_unemployed"),
                        ("disaster_victim", "emergency_victims")}
    kinds = {kind for kind, *_ in rows}
    assert {"assistance", "hardship", "warning"} <= kinds
    assert ("assistance", "dibao", "registry_households") in {(k, c, s) for k, c, s, *_ in rows}


def test_thresholds_are_configuration(ran, tmp_path):
    """Changing a parameter (not code) moves a boundary: age 60 becomes eligible, the heating
    season ends before the logical date."""
    zone, *_, wh = ran
    copy = tmp_path / "copy.duckdb"
    copy_warehouse(wh, copy)
    params = load_params()
    params["employment_age_max"] = 60
    params["heating_season_start"], params["heating_season_end"] = "12-01", "03-31"
    with Warehouse(copy) as w:
        apply_rules(w, AS_OF, params=params)
        got = {(r, p) for r, p in w.execute("SELECT rule_code, person_id FROM pending_warnings").fetchall()}
    assert ("EMPLOYMENT_AID", zone.people["emp_60"].person_id) in got
    assert not any(r == "HEATING_AID" for r, _ in got)
