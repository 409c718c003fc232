"""EDU_AID (教育厅, 1 if covered else 2): a low-income person in edu_students whose 资助项目 is
blank."""

from __future__ import annotations

from datetime import date

from .ruletools import STRANGER, Case, evidence_of, expected, member, outcomes, rec, run_cases

RULE, DEPARTMENT = "EDU_AID", "教育厅"


def student(aid: str | None = None, who: str | None = None, **more):
    return rec("edu_students", who, aid_programme=aid, aid_amount=None if aid is None else "1250", **more)


CASES = [
    Case("dibao_blank", 1, [student()]),
    Case("tekun_blank", 1, [student()], category="特困分散"),
    Case("margin_blank", 2, [student()], category="低保边缘"),
    Case("rigid_blank", 2, [student()], category="刚性支出"),
    Case("margin_single_blank", 1, [student()], category="低保边缘", single="是"),
    Case("dibao_spaces", 1, [student("   ")]),
    Case("dibao_aided", None, [student("国家助学金")]),
    Case("margin_aided", None, [student("免学费")], category="低保边缘"),
    Case("ended_blank", None, [student()], status="已终止"),
    Case("unlinked_blank", None, [student(name=STRANGER)]),
    Case("outside_registry_blank", None, [student()], registry=False),
    # the child of a household is the subject; a second record of the child: still one warning
    Case("family", 1, [student(who="family_child"), student(who="family_child", school="第二中学")],
         members=[member("family_head"), member("family_child", birth=date(2012, 3, 4), relation="子女")],
         subject="family_child"),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    # one warning for the child, with both blank records: school named, 资助项目 empty
    child = evidence_of(ran, ran.found(RULE)["family_child"], "edu_students")
    assert [(f["学校名称"], f["资助项目"]) for f in child] == [("第一中学", None), ("第二中学", None)]
