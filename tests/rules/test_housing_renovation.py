"""HOUSING_RENOVATION (住建厅, 1 if the household is covered else 2): a 有效 rural (农村) household
whose head is in housing with 保障类型 危房改造, 危房等级 C级 or D级, 办理状态 未办理; about the head."""

from __future__ import annotations

from .ruletools import STRANGER, Case, evidence_of, expected, member, outcomes, rec, run_cases

RULE, DEPARTMENT = "HOUSING_RENOVATION", "住建厅"


def house(grade: str | None = "C级", progress: str = "未办理", programme: str = "危房改造", **more):
    return rec("housing", programme=programme, danger_grade=grade, progress=progress, **more)


def rural(key: str, expect: int | None, records, **more):
    return Case(key, expect, records, household={"urban_rural": "农村", "division_code": "230123001001"}, **more)


CASES = [
    rural("dibao_c", 1, [house("C级")]),
    rural("dibao_d", 1, [house("D级")]),
    rural("tekun_central_d", 1, [house("D级")], category="特困集中"),
    rural("margin_c", 2, [house("C级")], category="低保边缘"),
    # the category follows the household: a head included on their own does not make it covered
    rural("margin_single_head", 2, [house("C级")], category="低保边缘", single="是"),
    rural("dibao_no_grade", None, [house(None)]),
    rural("dibao_in_progress", None, [house("D级", "在办")]),
    rural("dibao_done", None, [house("D级", "已完成")]),
    rural("dibao_public_rental", None, [house("D级", programme="公租房")]),
    rural("ended_dibao", None, [house("D级")], status="已终止"),
    rural("unlinked_dibao", None, [house("D级", name=STRANGER)]),
    Case("urban_dibao", None, [house("D级")]),
    # a member who is not the head
    rural("member_only", None, [house("D级", who="member_only_spouse")],
          members=[member("member_only"), member("member_only_spouse", relation="配偶")]),
    rural("two_records", 1, [house("C级"), house("D级")]),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    found = ran.found(RULE)
    assert found["dibao_c"]["household_id"] == "H_dibao_c"
    assert evidence_of(ran, found["dibao_d"], "housing") == [
        {"保障类型": "危房改造", "危房等级": "D级", "办理状态": "未办理", "城乡类别": "农村"}]
    assert [f["危房等级"] for f in evidence_of(ran, found["two_records"], "housing")] == ["C级", "D级"]
