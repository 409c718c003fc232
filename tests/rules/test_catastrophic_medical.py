"""CATASTROPHIC_MEDICAL (县级协调机制, category 3): a covered person whose 近12个月个人负担费用 is
more than 2 × 上年度居民人均可支配收入 (2 × 31,000 = 62,000 yuan), compared to the fen."""

from __future__ import annotations

from .ruletools import STRANGER, Case, evidence_of, expected, outcomes, rec, run_cases

RULE, DEPARTMENT = "CATASTROPHIC_MEDICAL", "县级协调机制"


def burden(yuan: str, **more):
    return rec("medins_burden", out_of_pocket_12m=yuan, **more)


CASES = [
    Case("dibao_62000_01", 3, [burden("62000.01")]),
    Case("dibao_62000", None, [burden("62000")]),
    Case("dibao_31000_01", None, [burden("31000.01")]),          # severely ill, not catastrophic
    Case("tekun_scattered", 3, [burden("90000")], category="特困分散"),
    Case("tekun_central", 3, [burden("90000")], category="特困集中"),
    Case("margin_single", 3, [burden("90000")], category="低保边缘", single="是"),
    # low-income but not covered
    Case("margin", None, [burden("90000")], category="低保边缘"),
    Case("monitoring", None, [burden("90000")], category="返贫监测"),
    Case("ended_dibao", None, [burden("90000")], status="已终止"),
    Case("unlinked_dibao", None, [burden("90000", name=STRANGER)]),
    Case("dibao_two_records", 3, [burden("70000"), burden("1000"), burden("65000.5")]),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    found = ran.found(RULE)
    assert evidence_of(ran, found["dibao_62000_01"], "medins_burden") == [
        {"近12个月个人负担费用": 62000.01, "医疗救助金额": 0, "阈值": 62000}]
    # one warning, with the two records above the threshold only
    assert [f["近12个月个人负担费用"] for f in evidence_of(ran, found["dibao_two_records"], "medins_burden",
                                                       only=[0, 2])] == [70000, 65000.5]
