"""DISASTER_AID (应急管理厅, 1 if covered else 2): a low-income person in emergency_victims whose
受灾日期 is within the last 180 days (the logical date and 180 days before it both count) and
whose 已发放救助金额 is 0."""

from __future__ import annotations

from .ruletools import STRANGER, Case, days_ago, evidence_of, expected, outcomes, rec, run_cases

RULE, DEPARTMENT = "DISASTER_AID", "应急管理厅"


def victim(ago: int, paid: str = "0", **more):
    return rec("emergency_victims", disaster_date=days_ago(ago), relief_paid=paid, **more)


CASES = [
    Case("today", 1, [victim(0)]),
    Case("day_180", 1, [victim(180)]),
    Case("day_181", None, [victim(181)]),
    Case("paid_a_fen", None, [victim(30, "0.01")]),
    Case("margin", 2, [victim(30)], category="低保边缘"),
    Case("margin_single", 1, [victim(30)], category="低保边缘", single="是"),
    Case("ended_dibao", None, [victim(30)], status="已终止"),
    Case("unlinked_dibao", None, [victim(30, name=STRANGER)]),
    # two disasters in the window: one warning with both; an old one is no evidence
    Case("two_in_window", 1, [victim(300), victim(100, house_damage="倒塌"), victim(10)]),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    # one warning with the two records in the window (not the one 300 days ago)
    items = evidence_of(ran, ran.found(RULE)["two_in_window"], "emergency_victims", only=[1, 2])
    assert [(f["受灾日期"], f["房屋损毁"], f["已发放救助金额"]) for f in items] == [
        (days_ago(100), "倒塌", 0), (days_ago(10), "一般损坏", 0)]
    assert evidence_of(ran, ran.found(RULE)["day_180"], "emergency_victims")[0]["受灾日期"] == days_ago(180)

