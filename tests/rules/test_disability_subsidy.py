"""DISABILITY_SUBSIDY (残联, 1 if covered else 2): a person of a 有效 低保, 特困分散/特困集中,
低保边缘 or 刚性支出 household in dpf_disabled whose 困难残疾人生活补贴 is 未享受."""

from __future__ import annotations

from .ruletools import STRANGER, Case, evidence_of, expected, outcomes, rec, run_cases

RULE, DEPARTMENT = "DISABILITY_SUBSIDY", "残联"


def disabled(subsidy: str | None = "未享受", **more):
    return rec("dpf_disabled", living_subsidy=subsidy, **more)


CASES = [
    Case("dibao", 1, [disabled()]),
    Case("tekun_scattered", 1, [disabled()], category="特困分散"),
    Case("tekun_central", 1, [disabled()], category="特困集中"),
    Case("margin", 2, [disabled()], category="低保边缘"),
    Case("rigid", 2, [disabled()], category="刚性支出"),
    Case("margin_single", 1, [disabled()], category="低保边缘", single="是"),
    # other low-income households are not in the policy
    Case("monitoring", None, [disabled()], category="返贫监测"),
    Case("other_hardship", None, [disabled()], category="其他困难"),
    Case("dibao_receiving", None, [disabled("已享受")]),
    Case("dibao_not_stated", None, [disabled(None)]),
    Case("ended_dibao", None, [disabled()], status="已终止"),
    Case("unlinked_dibao", None, [disabled(name=STRANGER)]),
    Case("dibao_two_records", 1, [disabled(disability_kind="视力", disability_grade="二级"), disabled()]),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    assert evidence_of(ran, ran.found(RULE)["dibao_two_records"], "dpf_disabled") == [
        {"残疾类别": "视力", "残疾等级": "二级", "困难残疾人生活补贴": "未享受"},
        {"残疾类别": "肢体", "残疾等级": "四级", "困难残疾人生活补贴": "未享受"}]
