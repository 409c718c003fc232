"""WORKER_AID (总工会, 1 if covered else 2): a person of a 有效 低保, 低保边缘 or 刚性支出 household
in acftu_workers with 帮扶状态 = 未帮扶."""

from __future__ import annotations

from .ruletools import STRANGER, Case, evidence_of, expected, outcomes, rec, run_cases

RULE, DEPARTMENT = "WORKER_AID", "总工会"


def worker(status: str = "未帮扶", **more):
    return rec("acftu_workers", aid_status=status, **more)


CASES = [
    Case("dibao", 1, [worker()]),
    Case("margin", 2, [worker()], category="低保边缘"),
    Case("rigid", 2, [worker()], category="刚性支出"),
    Case("margin_single", 1, [worker()], category="低保边缘", single="是"),
    # not among the three categories, though low-income (特困 even covered)
    Case("tekun_scattered", None, [worker()], category="特困分散"),
    Case("monitoring", None, [worker()], category="返贫监测"),
    Case("other_hardship", None, [worker()], category="其他困难"),
    Case("dibao_aided", None, [worker("已帮扶")]),
    Case("ended_dibao", None, [worker()], status="已终止"),
    Case("unlinked_dibao", None, [worker(name=STRANGER)]),
    Case("dibao_two_records", 1, [worker(employer="机械厂"), worker(employer="纺织厂")]),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    assert evidence_of(ran, ran.found(RULE)["dibao_two_records"], "acftu_workers") == [
        {"工作单位": "机械厂", "困难类型": "因病", "帮扶状态": "未帮扶"},
        {"工作单位": "纺织厂", "困难类型": "因病", "帮扶状态": "未帮扶"}]
