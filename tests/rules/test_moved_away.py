"""MOVED_AWAY (民政厅, category 4): a low-income person in mps_cancellations with 注销原因 = 迁出 and
a 迁往地 beginning with the name of another province-level division; inside 黑龙江省, or no
province named: no warning."""

from __future__ import annotations

from .ruletools import STRANGER, Case, evidence_of, expected, outcomes, rec, run_cases

RULE, DEPARTMENT = "MOVED_AWAY", "民政厅"


def moved(to: str | None, reason: str = "迁出", **more):
    return rec("mps_cancellations", reason=reason, destination=to, **more)


CASES = [
    Case("to_liaoning", 4, [moved("辽宁省沈阳市和平区")]),
    Case("to_beijing", 4, [moved("北京市朝阳区")]),
    Case("to_inner_mongolia", 4, [moved("内蒙古自治区呼和浩特市")]),
    Case("margin_to_jilin", 4, [moved("吉林省长春市")], category="低保边缘"),
    Case("inside_heilongjiang", None, [moved("黑龙江省齐齐哈尔市")]),
    Case("no_province", None, [moved("沈阳市和平区")]),
    Case("province_not_first", None, [moved("原籍辽宁省沈阳市")]),
    Case("no_destination", None, [moved(None)]),
    Case("dead_with_destination", None, [moved("辽宁省沈阳市", reason="死亡")]),
    Case("ended_to_liaoning", None, [moved("辽宁省沈阳市")], status="已终止"),
    Case("unlinked_to_liaoning", None, [moved("辽宁省沈阳市", name=STRANGER)]),
    Case("two_records", 4, [moved("黑龙江省大庆市"), moved("山东省济南市"), moved("江苏省南京市")]),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    found = ran.found(RULE)
    assert evidence_of(ran, found["to_liaoning"], "mps_cancellations") == [
        {"注销原因": "迁出", "注销日期": "2026-10-09", "迁往地": "辽宁省沈阳市和平区"}]
    # one warning, with the moves out of the province only
    assert [f["迁往地"] for f in evidence_of(ran, found["two_records"], "mps_cancellations", only=[1, 2])] == [
        "山东省济南市", "江苏省南京市"]
