"""MED_SUBSIDY (医保局, 1 if covered else 2): a low-income person whose medins_burden record shows
特困 with 参保资助类型 ≠ 全额资助; 低保 / 返贫监测 / 单独纳入 = 是 with 参保资助类型 = 无; or, for any
of those, 参保状态 ≠ 参保."""

from __future__ import annotations

from .ruletools import STRANGER, Case, evidence_of, expected, outcomes, rec, registry_entry, run_cases

RULE, DEPARTMENT = "MED_SUBSIDY", "医保局"


def med(subsidy: str = "全额资助", insured: str = "参保", **more):
    return rec("medins_burden", premium_subsidy=subsidy, insurance_status=insured, **more)


CASES = [
    # 特困: anything short of 全额资助
    Case("tekun_scattered_fixed", 1, [med("定额资助")], category="特困分散"),
    Case("tekun_central_none", 1, [med("无")], category="特困集中"),
    Case("tekun_full", None, [med("全额资助")], category="特困分散"),
    # 低保, 返贫监测, 单独纳入 = 是: 无 only
    Case("dibao_none", 1, [med("无")]),
    Case("dibao_fixed", None, [med("定额资助")]),
    Case("monitoring_none", 2, [med("无")], category="返贫监测"),
    Case("monitoring_fixed", None, [med("定额资助")], category="返贫监测"),
    Case("margin_single_none", 1, [med("无")], category="低保边缘", single="是"),
    Case("margin_none", None, [med("无")], category="低保边缘"),
    Case("rigid_none", None, [med("无")], category="刚性支出"),
    # 参保状态 ≠ 参保, for those persons only
    Case("dibao_interrupted", 1, [med("全额资助", "中断")]),
    Case("tekun_uninsured", 1, [med("全额资助", "未参保")], category="特困集中"),
    Case("monitoring_uninsured", 2, [med("定额资助", "未参保")], category="返贫监测"),
    Case("margin_uninsured", None, [med("定额资助", "未参保")], category="低保边缘"),
    # not low-income, not linked, or two records
    Case("ended_dibao_none", None, [med("无")], status="已终止"),
    Case("unlinked_dibao_none", None, [med("无", name=STRANGER)]),
    Case("dibao_two_records", 1, [med("无"), med("定额资助", "中断")]),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    found = ran.found(RULE)
    assert registry_entry(found["dibao_none"])["救助类别"] == "低保"
    assert evidence_of(ran, found["dibao_none"], "medins_burden") == [{"参保状态": "参保", "参保资助类型": "无"}]
    # two records that fire: one warning, both records in its evidence
    assert [f["参保状态"] for f in evidence_of(ran, found["dibao_two_records"], "medins_burden")] == ["参保", "中断"]
