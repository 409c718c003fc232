"""INCOME_ABOVE_LINE (民政厅, category 4), about the household's head. The months are the 3 latest
缴费年月 present in the hrss_contributions delivery (here 202608-202610; 202607 is older). A 有效
低保 household fires when its members' 缴费基数 in those months, summed, divided by 3 (a missing
month counts 0) and by 家庭人口数, exceeds the 低保 standard (城市 760, 农村 560 yuan); a 有效
特困分散/特困集中 household fires when any member has a contribution row in those months."""

from __future__ import annotations

from .ruletools import STRANGER, Case, evidence_of, expected, member, outcomes, rec, run_cases

RULE, DEPARTMENT = "INCOME_ABOVE_LINE", "民政厅"
MONTHS = ["202608", "202609", "202610"]


def pay(month: str, base: str, who: str | None = None, **more):
    return rec("hrss_contributions", who, contribution_month=month, contribution_base=base, **more)


def monthly(*bases: str, who: str | None = None, **more):
    """One row per latest month, with these bases (fewer bases: the earliest months go unpaid)."""
    return [pay(m, b, who, **more) for m, b in zip(MONTHS[len(MONTHS) - len(bases):], bases)]


def rural(key: str, expect: int | None, records, **more):
    return Case(key, expect, records, household={"urban_rural": "农村", "division_code": "230123001001"}, **more)


def family(key: str, expect: int | None, records, size: int | None = None, **more):
    return Case(key, expect, records, members=[member(key), member(f"{key}_spouse", relation="配偶")],
                household={"size": size}, **more)


CASES = [
    # someone outside the registry whose rows make the delivery's months: 202607 .. 202610
    Case("outsider", None, [pay("202607", "900"), *monthly("900", "900", "900")], registry=False),
    Case("urban_exactly_760", None, monthly("760", "760", "760")),
    Case("urban_a_fen_above", 4, monthly("760", "760", "760.01")),
    rural("rural_exactly_560", None, monthly("560", "560", "560")),
    rural("rural_a_fen_above", 4, monthly("560.01", "560", "560")),
    rural("rural_600", 4, monthly("600", "600", "600")),
    Case("urban_600", None, monthly("600", "600", "600")),
    Case("missing_month_counts_0", None, monthly("1100", "1100")),
    Case("older_month_ignored", None, [pay("202607", "5000"), *monthly("760", "760", "760")]),
    family("spouse_pays", 4, monthly("1530", "1530", "1530", who="spouse_pays_spouse")),
    family("size_from_registry", None, monthly("2000", "2000", "2000", who="size_from_registry_spouse"), size=3),
    Case("tekun_scattered_one_row", 4, [pay("202608", "50")], category="特困分散"),
    family("tekun_central_spouse_row", 4, [pay("202610", "50", "tekun_central_spouse_row_spouse")],
           category="特困集中"),
    Case("tekun_older_row_only", None, [pay("202607", "3000")], category="特困分散"),
    Case("margin_high", None, monthly("5000", "5000", "5000"), category="低保边缘"),
    Case("monitoring_high", None, monthly("5000", "5000", "5000"), category="返贫监测"),
    Case("ended_high", None, monthly("5000", "5000", "5000"), status="已终止"),
    Case("unlinked_high", None, monthly("5000", "5000", "5000", name=STRANGER)),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    found = ran.found(RULE)
    # the three rows, then the household's sum against its standard
    w = found["urban_a_fen_above"]
    assert [(f["成员编号"], f["缴费年月"], f["缴费基数"]) for f in evidence_of(ran, w, "hrss_contributions")] == [
        ("urban_a_fen_above", "202608", 760), ("urban_a_fen_above", "202609", 760),
        ("urban_a_fen_above", "202610", 760.01)]
    total = w["evidence"][-1]
    assert (total["source"], total["序号"]) == ("hrss_contributions", None)
    assert total["fields"] == {"救助类别": "低保", "城乡类别": "城市", "家庭人口数": 1, "缴费月份": MONTHS,
                               "缴费基数合计": 2280.01, "月人均": 760.0, "低保标准": 760}
    # the spouse paid, the head is the subject
    total = found["spouse_pays"]["evidence"][-1]["fields"]
    assert (total["缴费基数合计"], total["家庭人口数"], total["月人均"]) == (4590, 2, 765)
    assert len(evidence_of(ran, found["spouse_pays"], "hrss_contributions", key="spouse_pays_spouse")) == 3
