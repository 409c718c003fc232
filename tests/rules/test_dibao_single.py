"""DIBAO_SINGLE (民政厅, category 2): a member of a 有效 低保边缘 household with 单独纳入 = 否 who is
severely ill (in health_serious_illness, or 近12个月个人负担费用 > 31,000 yuan) or severely disabled
(dpf_disabled 一级 or 二级, or 三级 智力 or 精神). Department data only: the registry's own 健康状况
and 残疾等级 do not count. Needs all three sources; without one the rule is skipped."""

from __future__ import annotations

from .ruletools import STRANGER, Case, evidence_of, expected, member, outcomes, rec, run_cases

RULE, DEPARTMENT = "DIBAO_SINGLE", "民政厅"
SOURCES = ("health_serious_illness", "medins_burden", "dpf_disabled")
ILL = rec("health_serious_illness")


def burden(yuan: str):
    return rec("medins_burden", out_of_pocket_12m=yuan)


def disabled(grade: str, kind: str = "肢体"):
    return rec("dpf_disabled", disability_grade=grade, disability_kind=kind)


def margin(key: str, expect: int | None, records, **more):
    return Case(key, expect, records, category=more.pop("category", "低保边缘"), **more)


CASES = [
    margin("serious_illness", 2, [ILL]),
    margin("burden_31000_01", 2, [burden("31000.01")]),
    margin("burden_31000", None, [burden("31000")]),
    margin("grade_1", 2, [disabled("一级")]),
    margin("grade_2", 2, [disabled("二级")]),
    margin("grade_3_intellectual", 2, [disabled("三级", "智力")]),
    margin("grade_3_mental", 2, [disabled("三级", "精神")]),
    margin("grade_3_physical", None, [disabled("三级", "肢体")]),
    margin("grade_4_intellectual", None, [disabled("四级", "智力")]),
    margin("already_single", None, [ILL], single="是"),
    margin("dibao_household", None, [ILL], category="低保"),
    margin("rigid_household", None, [ILL], category="刚性支出"),
    margin("ended", None, [ILL], status="已终止"),
    margin("unlinked", None, [rec("health_serious_illness", name=STRANGER)]),
    margin("registry_says_ill_and_disabled", None, [],
           members=[member("registry_says_ill_and_disabled", health="重病", disability_grade="一级")]),
    margin("ill_and_disabled", 2, [ILL, disabled("二级")]),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES, pad=SOURCES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    # one warning, both signals with their records (序号) and the department's values
    w = ran.found(RULE)["ill_and_disabled"]
    assert [e["source"] for e in w["evidence"]] == ["registry_persons", "dpf_disabled", "health_serious_illness"]
    [disability] = evidence_of(ran, w, "dpf_disabled")
    [illness] = evidence_of(ran, w, "health_serious_illness")
    assert (disability["信号"], disability["残疾等级"]) == ("重度残疾", "二级")
    assert (illness["信号"], illness["疾病名称"]) == ("重特大疾病", "肺癌")
    [burden_fields] = evidence_of(ran, ran.found(RULE)["burden_31000_01"], "medins_burden")
    assert burden_fields["近12个月个人负担费用"] == 31000.01


def test_skipped_without_one_of_its_sources():
    cases = [margin("ill_and_disabled", 2, [ILL, disabled("一级")])]
    ran = run_cases(cases, pad=("health_serious_illness",))     # no medins_burden delivered
    assert "medins_burden missing" in ran.night.skipped()["dibao_single"]
    assert outcomes(ran, RULE) == {}
