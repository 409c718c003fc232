"""Absence-safe rules (issue 13): a rule that fires because no tie was found (MONITORING_INTAKE)
never fires on a record whose identity is unresolved — in review, or with an unusable number and a
candidate close enough to doubt —; such records go to the 身份待核实 list (identity_pending) with
their candidates. The mechanism (sql/models/absence/) holds back any rule's result whose evidence
cites an unresolved record, so a later absence rule is safe without doing anything."""

from __future__ import annotations

import json
from datetime import date

import polars as pl

from modelkit import Night, run_models

AS_OF = date(2026, 11, 28)
VILLAGE = "230102003004"


def monitored(name: str, id_number: str | None, head_name: str = "某某", head_id: str | None = None,
              division_code: str = VILLAGE) -> dict:
    return {"name": name, "id_number": id_number, "head_name": head_name, "head_id_number": head_id,
            "division_code": division_code, "monitoring_type": "边缘易致贫户", "risk_type": "因病",
            "risk_cleared": "否"}


def intake(kit: Night) -> set[str]:
    """Names MONITORING_INTAKE warned about tonight."""
    return {w["name"] for w in kit.warnings() if w["rule_code"] == "MONITORING_INTAKE"}


def pending(kit: Night) -> dict[str, dict]:
    rows = kit.frame("SELECT * FROM identity_pending").to_dicts()
    return {r["name"]: {**r, "candidates": json.loads(r["candidates"])} for r in rows}


def test_unresolved_records_are_held_back_and_listed_with_their_candidates():
    kit = Night(AS_OF)
    namesake = kit.person("P_NS", "韩梅梅", sex="女", county="230102")
    kit.household("H_NS", [namesake], division_code="230102005001")          # same county, other village
    member = kit.person("P_IN", "郑爽", sex="女")
    kit.household("H_IN", [member], division_code=VILLAGE)
    ended = kit.person("P_END", "吕布", county="230102")
    kit.household("H_END", [ended], status="已终止", division_code=VILLAGE)
    kit.records("agri_monitoring", [
        monitored("韩梅梅", None),                                   # a registry namesake in the county: held
        monitored("欧阳明轩", None),                                  # nobody of that name anywhere: fires
        monitored("郑爽", member["id_number"]),                      # linked to a 低保 member: no warning
        monitored("林黛玉", member["id_number"]),                     # a member's number, another name: review
        monitored("吕布", ended["id_number"]),                        # linked to an 已终止 member: fires
    ])
    assert intake(kit) == {"欧阳明轩", "吕布"}
    held = pending(kit)
    assert set(held) == {"韩梅梅", "林黛玉"}
    assert [c["person_id"] for c in held["韩梅梅"]["candidates"]] == ["P_NS"]
    assert held["韩梅梅"]["rule_code"] == "MONITORING_INTAKE"
    assert held["韩梅梅"]["why"]   # in review, or a namesake of the county (by how sure the tiny model is)
    assert held["林黛玉"]["why"].startswith("in review") and held["林黛玉"]["candidates"][0]["person_id"] == "P_IN"
    assert held["林黛玉"]["review_id"].startswith("K") and len(held["林黛玉"]["review_id"]) == 12


def test_a_member_tied_through_the_household_is_not_an_intake_case():
    """The issue's false warnings: 防止返贫 members with a blank or Excel-mangled number of their own
    who are registry persons. Tied through the head's number, they are low-income persons."""
    kit = Night(AS_OF)
    head = kit.person("P_H", "钱建业")
    wife = kit.person("P_W", "孙丽", sex="女")
    kit.household("H1", [head, wife], category="低保", division_code=VILLAGE)
    kit.records("agri_monitoring", [monitored("孙莉", None, "钱建业", head["id_number"]),
                                    monitored("孙丽", "2.30102E+17", "钱建业", head["id_number"])])
    assert intake(kit) == set()
    assert set(kit.frame("SELECT method FROM links")["method"]) == {"household_context"}
    assert kit.frame("SELECT * FROM identity_pending").is_empty()


def test_a_fuzzy_candidate_above_the_doubt_threshold_holds_a_record_without_a_county():
    """Doubt from the model's scores: an unusable number, no county, and a candidate whose posterior
    reaches doubt_probability (config/linking.yaml); a record no registry person comes near is
    resolved (nobody it could be)."""
    kit = Night(AS_OF, params={"doubt_probability": 1e-9})
    p = kit.person("P1", "司马青", sex="女", birth=date(1958, 12, 1))
    kit.household("H1", [p])
    ill = {"disease": "肺癌", "icd10": "C34", "diagnosed_on": "2026-02-10", "hospital": "省医院"}
    # the name and birth date fit, the sex does not: a candidate, far from sure
    kit.records("health_serious_illness", [{**ill, "name": "司马青", "id_number": None, "birth_date": "1958-12-01",
                                            "sex": "男"},
                                           {**ill, "name": "上官婉儿", "id_number": None, "birth_date": "1990-01-01",
                                            "sex": "女"}])
    assert kit.frame("SELECT * FROM links").is_empty()
    unresolved = kit.frame("SELECT record_no, candidates FROM unresolved_records").to_dicts()
    assert [u["record_no"] for u in unresolved] == ["1"]
    assert [c["person_id"] for c in json.loads(unresolved[0]["candidates"])] == ["P1"]


def test_any_rule_whose_evidence_cites_an_unresolved_record_is_held_back():
    """The mechanism knows no rule by name: a result of any rule citing an unresolved record (by
    source, delivery and 序号) is held, the others pass; registry evidence (no 序号) never holds."""
    day = "2026-11-20"
    cite = lambda src, no: json.dumps([{"source": src, "delivery_date": day, "序号": no, "fields": {}}])  # noqa: E731
    results = pl.DataFrame({
        "rule_code": ["SOME_LATER_RULE", "SOME_LATER_RULE", "MONITORING_INTAKE", "DECEASED"],
        "person_id": [None, None, None, "P1"], "id_number": [None, None, None, None],
        "name": ["甲", "乙", "丙", "丁"], "county_code": ["230102"] * 4,
        "evidence": [cite("vehicles", "7"), cite("vehicles", "8"), cite("agri_monitoring", "7"),
                     json.dumps([{"source": "registry_persons", "delivery_date": day, "序号": None, "fields": {}}])],
    })
    unresolved = pl.DataFrame({"source": ["vehicles", "registry_persons"], "delivery_date": [date(2026, 11, 20)] * 2,
                               "record_no": ["7", None]})
    engine = run_models({"rule_results": results, "unresolved_records": unresolved}, ["held_hits", "rule_hits"])
    assert sorted(engine.frame("SELECT name FROM held_hits")["name"].to_list()) == ["甲"]
    assert sorted(engine.frame("SELECT name FROM rule_hits")["name"].to_list()) == ["丁", "丙", "乙"]


def test_a_clerks_refusal_of_every_candidate_resolves_the_record_and_the_rule_fires(monkeypatch):
    """Once a clerk said the record is none of its candidates, nothing is left to doubt."""
    kit = Night(AS_OF)
    namesake = kit.person("P_NS", "韩梅梅", sex="女", county="230102")
    kit.household("H_NS", [namesake], division_code="230102005001")
    kit.records("agri_monitoring", [monitored("韩梅梅", None)])
    first = pending(kit)["韩梅梅"]

    import modelkit

    later = Night(date(2026, 12, 5))
    namesake = later.person("P_NS", "韩梅梅", sex="女", county="230102")
    later.household("H_NS", [namesake], division_code="230102005001")
    later.records("agri_monitoring", [monitored("韩梅梅", None)])
    later.rows["review_decisions"] = [{"review_id": first["review_id"].lower(), "person_id": "P_NS",
                                       "decision": "不是同一人", "decided_by": "张三", "decided_on": "2026-12-01"}]
    shapes = dict(modelkit._history_shapes())
    shapes["review_offers"] = (f"SELECT DATE '2026-11-28' AS as_of, '{first['review_id']}' AS review_id, "
                               f"'{first['signature']}' AS signature, 'P_NS' AS person_id, "
                               "'agri_monitoring' AS source, DATE '2026-11-28' AS first_offered, "
                               "DATE '2026-11-28' AS last_offered")
    monkeypatch.setattr(modelkit, "_history_shapes", lambda: shapes)
    assert intake(later) == {"韩梅梅"}
    assert later.frame("SELECT * FROM identity_pending").is_empty()
    effect = later.frame("SELECT person_id, decision, decided_by, effect FROM tie_decisions").to_dicts()
    assert effect == [{"person_id": "P_NS", "decision": "refuse", "decided_by": "张三",
                       "effect": "refused: no tier ties the record to this person"}]
