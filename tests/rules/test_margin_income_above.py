"""MARGIN_INCOME_ABOVE (民政厅, category 4): a 有效 低保边缘 household whose contribution income,
computed as for INCOME_ABOVE_LINE (the members' 缴费基数 in the 3 latest 缴费年月 of the
hrss_contributions delivery, divided by 3 — a missing month counts 0 — and by 家庭人口数), exceeds
1.5 × the 低保 standard of its 城乡类别 (城市 760 → 1140, 农村 560 → 840). Subject: the head. The
computation is one model (signals/household_contribution_income) both rules read."""

from __future__ import annotations

from pipelines import paths

from .ruletools import Case, evidence_of, expected, member, outcomes, run_cases
from .test_income_above_line import MONTHS, monthly, pay

RULE, DEPARTMENT = "MARGIN_INCOME_ABOVE", "民政厅"


def margin(key: str, expect: int | None, records, rural: bool = False, **more):
    household = more.pop("household", {})
    if rural:
        household.update(urban_rural="农村", division_code="230123001001")
    return Case(key, expect, records, category=more.pop("category", "低保边缘"), household=household, **more)


CASES = [
    # someone outside the registry whose rows make the delivery's months: 202607 .. 202610
    Case("outsider", None, [pay("202607", "900"), *monthly("900", "900", "900")], registry=False),
    margin("urban_exactly_1_5", None, monthly("1140", "1140", "1140")),
    margin("urban_a_fen_above", 4, monthly("1140", "1140", "1140.01")),
    margin("rural_exactly_1_5", None, monthly("840", "840", "840"), rural=True),
    margin("rural_a_fen_above", 4, monthly("840.01", "840", "840"), rural=True),
    margin("rural_1000_below_urban_line", 4, monthly("1000", "1000", "1000"), rural=True),
    margin("urban_1000", None, monthly("1000", "1000", "1000")),
    margin("missing_month_counts_0", None, monthly("1700", "1700")),
    margin("older_month_ignored", None, [pay("202607", "9000"), *monthly("1140", "1140", "1140")]),
    margin("spouse_pays", 4, monthly("2281", "2281", "2281", who="spouse_pays_spouse"),
           members=[member("spouse_pays"), member("spouse_pays_spouse", relation="配偶")]),
    margin("size_from_registry", None, monthly("3000", "3000", "3000", who="size_from_registry_spouse"),
           members=[member("size_from_registry"), member("size_from_registry_spouse", relation="配偶")],
           household={"size": 3}),
    # the 低保 household is INCOME_ABOVE_LINE's, not this rule's
    margin("dibao_far_above", None, monthly("5000", "5000", "5000"), category="低保"),
    margin("monitoring_far_above", None, monthly("5000", "5000", "5000"), category="返贫监测"),
    margin("ended_far_above", None, monthly("5000", "5000", "5000"), status="已终止"),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)
    # the 低保 household fires the other rule on the same computation
    assert "dibao_far_above" in ran.found("INCOME_ABOVE_LINE")
    assert not set(ran.found("INCOME_ABOVE_LINE")) & {c.key for c in CASES if c.category == "低保边缘"}

    w = ran.found(RULE)["urban_a_fen_above"]
    assert [(f["缴费年月"], f["缴费基数"]) for f in evidence_of(ran, w, "hrss_contributions")] == [
        ("202608", 1140), ("202609", 1140), ("202610", 1140.01)]
    total = w["evidence"][-1]
    assert (total["source"], total["序号"]) == ("hrss_contributions", None)
    assert total["fields"] == {"救助类别": "低保边缘", "城乡类别": "城市", "家庭人口数": 1, "缴费月份": MONTHS,
                               "缴费基数合计": 3420.01, "月人均": 1140.0, "低保标准": 760, "倍数": 1.5,
                               "比较线": 1140}
    spouse = ran.found(RULE)["spouse_pays"]["evidence"][-1]["fields"]
    assert (spouse["缴费基数合计"], spouse["家庭人口数"], spouse["月人均"]) == (6843, 2, 1140.5)


def test_both_rules_read_one_income_model():
    """No copy of the computation: the two rules select from the shared model and never read the
    contributions themselves."""
    rules = paths.SQL / "models" / "rules"
    for name in ("income_above_line", "margin_income_above"):
        sql = (rules / f"{name}.sql").read_text(encoding="utf-8")
        body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
        assert "FROM household_contribution_income" in body
        assert "hrss_contributions c" not in body and "cur_hrss_contributions" not in body
