"""The flags of every warning (outputs.md, rules.md): its 预警编号 (warning_id: the same rule and
subject have the same id on every night; short; a collision never published), urgent (a
sudden-hardship event in its evidence within 30 days) and match (the weakest tie behind it)."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import duckdb
import polars as pl
import pytest

import pipelines.engine.duckdb_engine as duckdb_engine
from modelkit import make_id, run_models
from pipelines.orchestrate import run_for_date
from pipelines.rules.catalogue import load_catalogue
from pipelines.store.layout import layout
from pipelines.validation.quality import OutputsRejected

from rules.ruletools import STRANGER, Case, days_ago, member, rec, run_cases
from rulezone import Person, write_registry, write_source
from test_feedback_models import frame, history
from test_followup_models import FOUND, seeds, warning

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID = re.compile(r"^[A-HJKMNP-TV-Z]{2}-[0-9A-HJKMNP-TV-Z]{8}$")


def expected_id(rule: str, subject_key: str) -> str:
    """The 预警编号 computed here, independently of the SQL: prefix, '-', 8 Crockford base32
    characters of the first 40 bits of md5(rule|subject)."""
    n = int(hashlib.md5(f"{rule}|{subject_key}".encode()).hexdigest()[:10], 16)
    code = "".join(CROCKFORD[(n >> shift) & 31] for shift in range(35, -1, -5))
    return f"{load_catalogue().rule(rule).prefix}-{code}"


def _flags(ran) -> dict[tuple[str, str], dict]:
    return {(w["rule_code"], w["person_id"] or w["subject_key"]): w for w in ran.night.warnings()}


def test_warning_ids_are_short_stable_and_the_same_everywhere():
    cases = [Case("car", 4, [rec("vehicles", vehicle_type="小型轿车", vehicle_status="正常")]),
             Case("cold", 1, [], household={"heating_aid": "未发放"}),
             Case("outsider", 2, [rec("agri_monitoring", risk_cleared="否")], registry=False,
                  members=[member("outsider", id_number=make_id("230103", date(1977, 7, 7), 77))])]
    first = _flags(run_cases(cases, pad=("vehicles",)))
    again = _flags(run_cases(cases, pad=("vehicles",)))
    assert {k: w["warning_id"] for k, w in first.items()} == {k: w["warning_id"] for k, w in again.items()}
    for (rule, _), w in first.items():
        assert ID.match(w["warning_id"]), w["warning_id"]
        assert w["warning_id"] == expected_id(rule, w["subject_key"])
    assert len({w["warning_id"] for w in first.values()}) == len(first)
    assert first[("HEATING_AID", "cold")]["warning_id"].startswith("HA-")
    prefixes = [r.prefix for r in load_catalogue().rules]
    assert len(set(prefixes)) == len(prefixes) == 22


def test_urgent_when_the_evidence_holds_a_sudden_hardship_within_30_days():
    fallen = {"house_damage": "倒塌", "relief_paid": "0"}
    mps = {"reason": "死亡"}
    cases = [
        Case("collapsed_10_days", 1, [rec("emergency_victims", disaster_date=days_ago(10), **fallen)]),
        Case("severe_30_days", 1, [rec("emergency_victims", disaster_date=days_ago(30),
                                       house_damage="严重损坏", relief_paid="0")]),
        Case("collapsed_31_days", 1, [rec("emergency_victims", disaster_date=days_ago(31), **fallen)]),
        Case("slight_damage", 1, [rec("emergency_victims", disaster_date=days_ago(5), house_damage="一般损坏",
                                      relief_paid="0")]),
        Case("cancer_5_days", 1, [rec("acwf_two_cancers", cancer="宫颈癌", stage="IIIA", diagnosed_on=days_ago(5),
                                      aided="否")], members=[member("cancer_5_days", sex="女")]),
        Case("cancer_100_days", 1, [rec("acwf_two_cancers", cancer="宫颈癌", stage="IIIA",
                                        diagnosed_on=days_ago(100), aided="否")],
             members=[member("cancer_100_days", sex="女")]),
        Case("head_died", 4, [rec("mps_cancellations", cancelled_on=days_ago(10), **mps)]),
        Case("head_died_long_ago", 4, [rec("mps_cancellations", cancelled_on=days_ago(40), **mps)]),
        Case("family", 4, [rec("mps_cancellations", "family_child", cancelled_on=days_ago(3), **mps)],
             members=[member("family"), member("family_child", relation="子女")], subject="family_child"),
        Case("margin_ill", 2, [rec("health_serious_illness", diagnosed_on=days_ago(20))], category="低保边缘",
             household={"income_per_head": "900"}),
    ]
    ran = run_cases(cases, pad=("medins_burden", "dpf_disabled"))
    urgent = {k: w["urgent"] for k, w in _flags(ran).items()}
    assert urgent == {
        ("DISASTER_AID", "collapsed_10_days"): True, ("DISASTER_AID", "severe_30_days"): True,
        ("DISASTER_AID", "collapsed_31_days"): False, ("DISASTER_AID", "slight_damage"): False,
        ("TWO_CANCERS", "cancer_5_days"): True, ("TWO_CANCERS", "cancer_100_days"): False,
        ("DECEASED", "head_died"): True,                   # the household lost its head
        ("DECEASED", "head_died_long_ago"): False,
        ("DECEASED", "family_child"): False,               # a member, not the head
        ("DIBAO_SINGLE", "margin_ill"): True,              # diagnosed 20 days ago
    }


def test_match_is_the_weakest_tie_behind_the_evidence():
    good = make_id("230102", date(1961, 4, 9), 321)
    typo = good[:10] + str((int(good[10]) + 3) % 10) + good[11:]
    cases = [
        Case("two_cars", 4, [rec("vehicles", vehicle_type="小型轿车", vehicle_status="正常"),
                             rec("vehicles", id_number=typo, vehicle_type="中型客车", vehicle_status="正常")],
             members=[member("two_cars", id_number=good, name="尉迟敬德", birth=date(1961, 4, 9))]),
        Case("one_car", 4, [rec("vehicles", vehicle_type="小型轿车", vehicle_status="正常")]),
        Case("cold", 1, [], household={"heating_aid": "未发放"}),
        Case("outsider", 2, [rec("agri_monitoring", risk_cleared="否", name=STRANGER)], registry=False),
    ]
    flags = _flags(run_cases(cases))
    assert flags[("VEHICLE_OWNER", "two_cars")]["match"] == "repaired_id"
    assert flags[("VEHICLE_OWNER", "one_car")]["match"] == "exact_id"
    assert flags[("HEATING_AID", "cold")]["match"] == "registry"
    assert [w["match"] for (rule, _), w in flags.items() if rule == "MONITORING_INTAKE"] == ["unlinked"]
    ties = flags[("VEHICLE_OWNER", "two_cars")]["ties"]
    assert sorted(t["method"] for t in pl.read_json(ties.encode()).to_dicts()) == ["exact_id", "repaired_id"]


def test_an_id_another_subject_held_on_an_earlier_night_is_flagged_for_the_gate():
    found = [warning("a", warning_id="VH-SAME0000"), warning("b", warning_id="VH-0THER000")]
    hist = history([{"as_of": date(2026, 11, 1), "warning_id": "VH-SAME0000", "rule_code": "VEHICLE_OWNER",
                     "subject_key": "Pother"},
                    {"as_of": date(2026, 11, 1), "warning_id": "VH-0THER000", "rule_code": "VEHICLE_OWNER",
                     "subject_key": "Pb"}])
    registry = pl.DataFrame({"person_id": ["Pa", "Pb"], "is_covered": [True, True], "household_covered": [True, True]})
    eng = run_models({"warnings_found": frame(FOUND, found), "registry_facts": registry,
                      "history_warning_status": hist, **seeds()}, ["outputs_check"])
    held = dict(eng.frame("SELECT warning_id, id_held_elsewhere FROM outputs_check").rows())
    assert held == {"VH-SAME0000": True, "VH-0THER000": False}


def test_the_outputs_gate_stops_a_night_with_a_duplicate_id(tmp_path, monkeypatch):
    """A collision forced (every hash the same): the night is refused, nothing is published."""
    day = date(2026, 11, 28)
    a, b = Person("a", 1), Person("b", 2)
    landing = tmp_path / "landing"
    write_registry(landing, day.isoformat(), [a, b])
    write_source(landing, "vehicles", day.isoformat(), [(a, {}), (b, {})], day)
    real = duckdb_engine.macro_sql
    monkeypatch.setattr(duckdb_engine, "macro_sql",
                        lambda: real() + "\nCREATE OR REPLACE TEMP MACRO short_code(txt) AS 'SAME0000';")
    wh = tmp_path / "wh.duckdb"
    with pytest.raises(OutputsRejected) as e:
        run_for_date(landing, wh, day)
    assert "warning_id_unique" in str(e.value)
    assert not layout(wh).published.exists()
    monkeypatch.setattr(duckdb_engine, "macro_sql", real)
    run_for_date(landing, wh, day)
    with duckdb.connect(str(wh), read_only=True) as con:
        ids = [r[0] for r in con.execute("SELECT warning_id FROM warnings ORDER BY 1").fetchall()]
    assert len(set(ids)) == 2 and all(ID.match(i) for i in ids)
