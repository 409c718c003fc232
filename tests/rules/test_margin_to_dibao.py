"""MARGIN_TO_DIBAO (民政厅, category 2): a 有效 低保边缘 household whose registry 家庭月人均收入 is at
or below the 低保 standard of its 城乡类别 (城市 760, 农村 560 yuan): it may qualify for 低保 as a
whole household. Subject: the head. Registry data only (no department source needed)."""

from __future__ import annotations

from .ruletools import Case, expected, member, outcomes, registry_entry, run_cases

RULE, DEPARTMENT = "MARGIN_TO_DIBAO", "民政厅"


def margin(key: str, expect: int | None, income: str | None, rural: bool = False, **more):
    household = {"income_per_head": income, **more.pop("household", {})}
    if rural:
        household.update(urban_rural="农村", division_code="230123001001")
    return Case(key, expect, [], category=more.pop("category", "低保边缘"), household=household, **more)


CASES = [
    margin("urban_exactly_760", 2, "760"),
    margin("urban_a_fen_above", None, "760.01"),
    margin("urban_well_below", 2, "320.5"),
    margin("rural_exactly_560", 2, "560", rural=True),
    margin("rural_a_fen_above", None, "560.01", rural=True),
    margin("rural_600_urban_line_would_fire", None, "600", rural=True),
    margin("no_income_recorded", None, None),
    margin("dibao_household", None, "300", category="低保"),
    margin("rigid_household", None, "300", category="刚性支出"),
    margin("ended", None, "300", status="已终止"),
    # a family: one warning, about the head (the first member), not the spouse
    Case("family_head", 2, [], category="低保边缘", household={"income_per_head": "700"},
         members=[member("family_head"), member("family_spouse", relation="配偶")]),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    w = ran.found(RULE)["urban_exactly_760"]
    assert registry_entry(w)["救助类别"] == "低保边缘"
    (household,) = [e for e in w["evidence"] if e["source"] == "registry_households"]
    assert household["序号"] is None
    assert household["fields"] == {"家庭编号": "H_urban_exactly_760", "救助类别": "低保边缘", "城乡类别": "城市",
                                   "家庭月人均收入": 760, "低保标准": 760}
    rural = ran.found(RULE)["rural_exactly_560"]["evidence"][-1]["fields"]
    assert (rural["城乡类别"], rural["低保标准"]) == ("农村", 560)
    assert {w["match"] for w in ran.found(RULE).values()} == {"registry"}
    assert {w["subject_key"] for w in ran.found(RULE).values()} == {f"H_{c.key}" for c in CASES if c.expect}
