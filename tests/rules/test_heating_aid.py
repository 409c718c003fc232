"""HEATING_AID (民政厅, category 1): on a logical date inside the heating season (10-20 to 04-20,
both ends included, crossing the new year) a 有效 低保 or 特困分散 household with 取暖救助 = 未发放;
one warning per household, about its head."""

from __future__ import annotations

from datetime import date

import pytest

from .ruletools import Case, expected, member, outcomes, registry_entry, run_cases

RULE, DEPARTMENT = "HEATING_AID", "民政厅"
# logical date → inside the season
DAYS = {date(2026, 10, 19): False, date(2026, 10, 20): True, date(2027, 4, 20): True, date(2027, 4, 21): False}


def heating(key: str, expect: int | None, aid: str | None = "未发放", **case):
    return Case(key, expect, household={"heating_aid": aid}, **case)


CASES = [
    heating("dibao_unpaid", 1),
    heating("tekun_scattered_unpaid", 1, category="特困分散"),
    heating("tekun_central_unpaid", None, category="特困集中"),
    heating("margin_unpaid", None, category="低保边缘"),
    heating("margin_single_unpaid", None, category="低保边缘", single="是"),
    heating("rigid_unpaid", None, category="刚性支出"),
    heating("ended_unpaid", None, status="已终止"),
    heating("dibao_paid", None, "已发放"),
    heating("dibao_not_stated", None, None),
    # one warning for a household of three, about its head
    heating("family", 1, members=[member("family_head"), member("family_spouse", relation="配偶"),
                                  member("family_child", relation="子女", birth=date(2010, 1, 2))]),
]


@pytest.mark.parametrize("day", list(DAYS), ids=[d.isoformat() for d in DAYS])
def test_cases_fire_inside_the_season_only(day):
    ran = run_cases(CASES, as_of=day)
    assert outcomes(ran, RULE) == (expected(CASES, DEPARTMENT) if DAYS[day] else {})
    if DAYS[day]:
        # the head's registry entry, then the household's, with what is unpaid and the season
        w = ran.found(RULE)["family_head"]
        assert registry_entry(w)["与户主关系"] == "本人"
        [e] = [e for e in w["evidence"] if e["source"] == "registry_households"]
        assert (e["delivery_date"], e["序号"]) == (day.isoformat(), None)
        assert e["fields"] == {"家庭编号": "H_family", "救助类别": "低保", "取暖救助": "未发放", "取暖季": "10-20至04-20"}
