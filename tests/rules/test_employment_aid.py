"""EMPLOYMENT_AID (人社厅, 1 if covered else 2): a low-income person aged 16 to 59 (whole years at
the logical date, both ends included; a birthday on that date counts) in hrss_unemployed with
就业援助 = 否."""

from __future__ import annotations

from datetime import date

from .ruletools import AS_OF, STRANGER, Case, evidence_of, expected, member, outcomes, rec, run_cases

RULE, DEPARTMENT = "EMPLOYMENT_AID", "人社厅"
assert AS_OF == date(2026, 11, 28)


def unemployed(aid: str = "否", **more):
    return rec("hrss_unemployed", employment_aid=aid, **more)


def aged(key: str, expect: int | None, birth: date, **person):
    return Case(key, expect, [unemployed()], members=[member(key, birth=birth, **person)])


CASES = [
    aged("age_15_birthday_tomorrow", None, date(2010, 11, 29)),
    aged("age_16_birthday_today", 1, date(2010, 11, 28)),
    aged("age_59_birthday_today", 1, date(1967, 11, 28)),
    aged("age_59_birthday_tomorrow", 1, date(1966, 11, 29)),
    aged("age_60_birthday_today", None, date(1966, 11, 28)),
    # no birth date in the registry: the one the identity number encodes
    aged("age_16_from_number", 1, date(2010, 11, 28), birth_date=None),
    aged("age_60_from_number", None, date(1966, 11, 28), birth_date=None),
    Case("margin", 2, [unemployed()], category="低保边缘"),
    Case("margin_single", 1, [unemployed()], category="低保边缘", single="是"),
    Case("dibao_aided", None, [unemployed("是")]),
    Case("ended_dibao", None, [unemployed()], status="已终止"),
    Case("unlinked_dibao", None, [unemployed(name=STRANGER)]),
    Case("dibao_two_records", 1, [unemployed(registered_on="2025-01-05"), unemployed(registered_on="2026-03-01")]),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    found = ran.found(RULE)
    assert evidence_of(ran, found["age_16_birthday_today"], "hrss_unemployed") == [
        {"失业登记日期": "2026-06-01", "就业援助": "否", "年龄": 16}]
    assert [f["失业登记日期"] for f in evidence_of(ran, found["dibao_two_records"], "hrss_unemployed")] == [
        "2025-01-05", "2026-03-01"]
