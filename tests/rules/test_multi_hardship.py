"""MULTI_HARDSHIP (县级协调机制, category 3): a low-income person with at least 3 DISTINCT hardship
signals: severely ill, severely disabled (both as in DIBAO_SINGLE), unemployed (in
hrss_unemployed), disaster victim within 180 days with 房屋损毁 严重损坏 or 倒塌, a qualifying
two-cancers diagnosis, head of a 有效 rural household with a 危房改造 C级/D级 record not 已完成.
Department data only. Skipped when one of its seven sources is not delivered."""

from __future__ import annotations

import pytest

from .ruletools import STRANGER, Case, days_ago, evidence_of, expected, member, outcomes, rec, run_cases

RULE, DEPARTMENT = "MULTI_HARDSHIP", "县级协调机制"
SOURCES = ("health_serious_illness", "medins_burden", "dpf_disabled", "hrss_unemployed", "emergency_victims",
           "acwf_two_cancers", "housing")
ILL = rec("health_serious_illness")
BURDEN = rec("medins_burden", out_of_pocket_12m="31000.01")      # severely ill too: the same signal
DISABLED = rec("dpf_disabled", disability_grade="一级")
UNEMPLOYED = rec("hrss_unemployed")
CANCER = rec("acwf_two_cancers", cancer="乳腺癌", stage="I")


def disaster(ago: int, damage: str):
    return rec("emergency_victims", disaster_date=days_ago(ago), house_damage=damage)


def housing(progress: str = "在办", who: str | None = None):
    return rec("housing", who, programme="危房改造", danger_grade="D级", progress=progress)


def rural(key: str, expect: int | None, records, **more):
    return Case(key, expect, records, household={"urban_rural": "农村", "division_code": "230123001001"}, **more)


CASES = [
    Case("three_kinds", 3, [ILL, DISABLED, UNEMPLOYED]),
    rural("all_six", 3, [ILL, BURDEN, DISABLED, UNEMPLOYED, disaster(10, "严重损坏"), CANCER, housing()],
          members=[member("all_six", sex="女")]),
    Case("margin_three", 3, [ILL, DISABLED, UNEMPLOYED], category="低保边缘"),
    Case("ill_twice", None, [ILL, BURDEN, UNEMPLOYED]),
    Case("two_kinds", None, [DISABLED, UNEMPLOYED]),
    Case("disaster_180_collapsed", 3, [disaster(180, "倒塌"), ILL, UNEMPLOYED]),
    Case("disaster_181_collapsed", None, [disaster(181, "倒塌"), ILL, UNEMPLOYED]),
    Case("disaster_mild_damage", None, [disaster(10, "一般损坏"), ILL, UNEMPLOYED]),
    Case("cancer", 3, [CANCER, ILL, UNEMPLOYED], members=[member("cancer", sex="女")]),
    Case("cancer_not_qualifying", None, [rec("acwf_two_cancers", cancer="宫颈癌", stage="IIA"), ILL, UNEMPLOYED],
         members=[member("cancer_not_qualifying", sex="女")]),
    rural("housing_in_progress", 3, [housing("在办"), ILL, UNEMPLOYED]),
    rural("housing_not_started", 3, [housing("未办理"), ILL, UNEMPLOYED]),
    rural("housing_done", None, [housing("已完成"), ILL, UNEMPLOYED]),
    Case("housing_urban", None, [housing(), ILL, UNEMPLOYED]),
    # the son is ill, unemployed and named on the housing record, but his father is the head
    rural("housing_not_head", None, [housing(who="son"), rec("health_serious_illness", "son"),
                                     rec("hrss_unemployed", "son")],
          members=[member("father"), member("son", relation="子女")], subject="son"),
    Case("burden_31000", None, [rec("medins_burden", out_of_pocket_12m="31000"), DISABLED, UNEMPLOYED]),
    Case("grade_3_physical", None, [rec("dpf_disabled", disability_grade="三级", disability_kind="肢体"), ILL,
                                    UNEMPLOYED]),
    Case("registry_says_ill_and_disabled", None, [UNEMPLOYED],
         members=[member("registry_says_ill_and_disabled", health="重病", disability_grade="一级")]),
    Case("ended", None, [ILL, DISABLED, UNEMPLOYED], status="已终止"),
    Case("one_unlinked", None, [ILL, DISABLED, rec("hrss_unemployed", name=STRANGER)]),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES, pad=SOURCES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    # every signal's record, by kind: the department's values and 信号
    w = ran.found(RULE)["three_kinds"]
    assert [(e["source"], e["fields"]["信号"]) for e in w["evidence"][1:]] == [
        ("dpf_disabled", "重度残疾"), ("health_serious_illness", "重特大疾病"), ("hrss_unemployed", "登记失业")]
    assert evidence_of(ran, w, "dpf_disabled")[0]["残疾等级"] == "一级"
    assert evidence_of(ran, w, "hrss_unemployed")[0]["失业登记日期"] == "2026-06-01"
    # all six kinds (and the second severely-ill record): one warning with seven records
    six = ran.found(RULE)["all_six"]
    assert sorted({e["fields"]["信号"] for e in six["evidence"][1:]}) == sorted(
        ["重特大疾病", "医疗费用个人负担重", "重度残疾", "登记失业", "受灾房屋严重损毁", "两癌", "农村危房"])
    for source in SOURCES:
        assert len(evidence_of(ran, six, source)) == 1


@pytest.mark.parametrize("missing", ["housing", "acwf_two_cancers"])
def test_skipped_without_one_of_its_sources(missing):
    cases = [Case("three_kinds", 3, [ILL, DISABLED, UNEMPLOYED])]
    ran = run_cases(cases, pad=tuple(s for s in SOURCES if s != missing))
    assert f"{missing} missing" in ran.night.skipped()["multi_hardship"]
    assert outcomes(ran, RULE) == {}
