"""DECEASED (民政厅, category 4): a low-income person in mps_cancellations with 注销原因 = 死亡."""

from __future__ import annotations

from .ruletools import STRANGER, Case, evidence_of, expected, outcomes, rec, run_cases

RULE, DEPARTMENT = "DECEASED", "民政厅"


def cancelled(reason: str = "死亡", **more):
    return rec("mps_cancellations", reason=reason, **more)


CASES = [
    Case("dibao_dead", 4, [cancelled()]),
    Case("margin_dead", 4, [cancelled()], category="低保边缘"),
    Case("monitoring_dead", 4, [cancelled()], category="返贫监测"),
    Case("dibao_moved", None, [cancelled("迁出", destination="辽宁省沈阳市")]),
    Case("dibao_military", None, [cancelled("服兵役")]),
    Case("dibao_other", None, [cancelled("其他")]),
    Case("ended_dead", None, [cancelled()], status="已终止"),
    Case("unlinked_dead", None, [cancelled(name=STRANGER)]),
    Case("outside_registry_dead", None, [cancelled()], registry=False),
    Case("dibao_two_records", 4, [cancelled(cancelled_on="2026-11-02"), cancelled(cancelled_on="2026-11-03")]),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    found = ran.found(RULE)
    assert evidence_of(ran, found["dibao_dead"], "mps_cancellations") == [{"注销原因": "死亡", "注销日期": "2026-10-09"}]
    assert [f["注销日期"] for f in evidence_of(ran, found["dibao_two_records"], "mps_cancellations")] == [
        "2026-11-02", "2026-11-03"]
