"""STAFF_RELATIVE (民政厅 only, category 4; 人情保、关系保 screening): a member of a covered household
(有效, 低保 / 特困分散 / 特困集中) who is a staff member in staff_roster (any 职务), or a declared near
relative whose 享受救助备案 ≠ 是 (blank counts). A relative with 备案 = 是 raises nothing. The
roster row is tied to its staff member by the linker; the relative's own number is tied when it is
valid, is a registry person's, and the names agree (ties/tie_relatives.sql). Evidence names the
staff member, 职务, 任职区划代码 and 关系; the warning is 民政厅's alone (restricted_to)."""

from __future__ import annotations

from datetime import date

from modelkit import make_id
from pipelines.normalise.idnumbers import check_char
from pipelines.rules.catalogue import load_catalogue

from .ruletools import Case, evidence_of, expected, member, outcomes, rec, run_cases

RULE, DEPARTMENT = "STAFF_RELATIVE", "民政厅"
BORN = date(1958, 3, 3)


def number(seq: int, sex: str = "男") -> str:
    return make_id("230102", BORN, 700 + seq, sex)


def person(key: str, seq: int, name: str) -> dict:
    return member(key, id_number=number(seq), name=name, birth=BORN)


def own_row(position: str = "村委会主任", **more):
    """The staff member's own row (relative columns blank)."""
    return rec("staff_roster", position=position, division_code="230102001001", **more)


def declares(seq: int, name: str, filed: str | None = "否", relation: str = "父母", **more):
    """A row declaring a near relative: number `seq`, name as typed."""
    return rec("staff_roster", position="社会救助协理员", division_code="230102001002", relative_name=name,
               relative_id_number=more.pop("typed", None) or number(seq), relation=relation,
               filed_assistance=filed, **more)


def relative(key: str, seq: int, name: str, expect: int | None, **more):
    """A registry household whose head is someone's declared relative."""
    return Case(key, expect, [], members=[person(key, seq, name)], **more)


def staff(key: str, rows, **more):
    """A staff member outside the registry (their rows declare relatives)."""
    return Case(key, None, rows, registry=False, **more)


id15 = number(9)[:6] + number(9)[8:17]   # the same person's old 15-digit number
bad_check = number(10)[:17] + ("0" if number(10)[17] != "0" else "1")

CASES = [
    Case("staff_dibao", 4, [own_row()]),
    Case("staff_tekun_central", 4, [own_row("县级经办人员")], category="特困集中"),
    Case("staff_margin", None, [own_row()], category="低保边缘"),
    # 单独纳入 in a 低保边缘 household: a covered person, not a member of a covered household
    Case("staff_margin_single", None, [own_row()], category="低保边缘", single="是"),
    Case("staff_ended", None, [own_row()], status="已终止"),
    relative("rel_not_filed", 1, "欧阳春晓", 4),
    relative("rel_blank_filed", 2, "司马秋月", 4),
    relative("rel_filed", 3, "诸葛明远", None),
    relative("rel_monitoring", 4, "上官晨曦", None, category="返贫监测"),
    relative("rel_tekun_scattered", 5, "皇甫海涛", 4, category="特困分散"),
    relative("rel_other_name", 6, "东方子墨", None),
    relative("rel_15_digit", 9, "慕容雪松", 4),
    relative("rel_mistyped", 10, "令狐冬青", None),
    staff("staffer_a", [declares(1, "欧阳春晓"), declares(2, "司马秋月", filed=None, relation="子女"),
                        declares(3, "诸葛明远", filed="是", relation="配偶"), declares(4, "上官晨曦")]),
    staff("staffer_b", [own_row("村党组织书记"), declares(5, "皇甫海涛", relation="兄弟姐妹"),
                        declares(6, "欧阳明轩"), declares(9, "慕容雪松", typed=id15),
                        declares(10, "令狐冬青", typed=bad_check)]),
    # a covered staff member who also declared their covered spouse: two warnings, one household
    Case("couple_staff", 4, [own_row("村（居）委会委员"), declares(11, "西门彩霞", relation="配偶")],
         members=[member("couple_staff"), person("couple_spouse", 11, "西门彩霞")]),
]
SPOUSE = "couple_spouse"


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    want = {**expected(CASES, DEPARTMENT), SPOUSE: (4, "possibly_ineligible", DEPARTMENT)}  # (a member, not a case)
    assert outcomes(ran, RULE) == want

    found = ran.found(RULE)
    [row] = evidence_of(ran, found["staff_dibao"], "staff_roster")
    assert row == {"工作人员": ran.people["staff_dibao"]["name"], "职务": "村委会主任",
                   "任职区划代码": "230102001001", "关系": "本人", "享受救助备案": None}
    # the relative's warning names the staff member who declared them, 职务, 任职区划代码 and 关系
    [item] = [e for e in found["rel_not_filed"]["evidence"] if e["source"] == "staff_roster"]
    assert item["fields"] == {"工作人员": ran.people["staffer_a"]["name"], "职务": "社会救助协理员",
                              "任职区划代码": "230102001002", "关系": "父母", "享受救助备案": "否"}
    [declared] = [r for r in ran.night.rows["staff_roster"] if r.get("relative_id_number") == number(1)]
    assert item["序号"] == declared["record_no"]
    blank = [e for e in found["rel_blank_filed"]["evidence"] if e["source"] == "staff_roster"]
    assert [(e["fields"]["关系"], e["fields"]["享受救助备案"]) for e in blank] == [("子女", None)]
    # the relative tie is by the relative's own valid number: the match says how
    assert found["rel_not_filed"]["match"] == "exact_id"
    assert found["rel_15_digit"]["match"] == "id15_converted"
    spouse = [e["fields"]["关系"] for e in found[SPOUSE]["evidence"] if e["source"] == "staff_roster"]
    assert spouse == ["配偶"]


def test_only_minzheng_sees_it():
    rule = load_catalogue().rule(RULE)
    assert (rule.department, rule.restricted_to) == (DEPARTMENT, DEPARTMENT)
    assert all(r.restricted_to is None for r in load_catalogue().rules if r.code != RULE)


def test_skipped_without_the_roster():
    ran = run_cases([Case("dibao_nobody_declared", None, [])])
    assert "staff_roster missing" in ran.night.skipped()["staff_relative"]
