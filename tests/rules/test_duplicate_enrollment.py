"""DUPLICATE_ENROLLMENT (民政厅, category 4): the same person (the same identity number after
normalisation) in two or more 有效 registry households; one warning per number, whose person_id
and household_id are those of the enrolment with the latest 纳入日期; its evidence lists every
有效 enrolment. 已终止 households do not count."""

from __future__ import annotations

from datetime import date

from modelkit import Night, make_id

from .ruletools import AS_OF, CATEGORY_CODES, names

RULE, DEPARTMENT = "DUPLICATE_ENROLLMENT", "民政厅"


def test_enrolments_in_two_valid_households():
    n = Night(AS_OF)
    name = names()

    def number(seq: int) -> str:
        return make_id("230102", date(1980, 5, 17), seq)

    def enrol(person_id: str, household_id: str, who: str, id_number: str, included_on: str, **household):
        n.household(household_id, [n.person(person_id, who, id_number=id_number)], included_on=included_on,
                    **household)

    # two 有效 enrolments: the later one (listed first) is named
    twice, twice_name = number(701), next(name)
    enrol("twice_later", "H_twice_later", twice_name, twice, "2023-05-01", category="低保边缘")
    enrol("twice_earlier", "H_twice_earlier", twice_name, twice, "2020-01-01")
    # three: the latest in the middle of the list
    thrice, thrice_name = number(702), next(name)
    enrol("thrice_2019", "H_thrice_2019", thrice_name, thrice, "2019-01-01")
    enrol("thrice_2024", "H_thrice_2024", thrice_name, thrice, "2024-03-01", category="特困分散")
    enrol("thrice_2021", "H_thrice_2021", thrice_name, thrice, "2021-07-01")
    # the later household is 已终止: one 有效 enrolment, no warning
    ended, ended_name = number(703), next(name)
    enrol("ended_valid", "H_ended_valid", ended_name, ended, "2019-01-01")
    enrol("ended_later", "H_ended_later", ended_name, ended, "2024-01-01", status="已终止")
    # the same number typed in its old 15-digit form: the same person after normalisation
    old = number(704)
    old_name = next(name)
    enrol("old_form_later", "H_old_form_later", old_name, old[:6] + old[8:17], "2025-01-01")
    enrol("old_form_earlier", "H_old_form_earlier", old_name, old, "2020-01-01")
    # one name, two numbers: two people
    namesake = next(name)
    enrol("namesake_1", "H_namesake_1", namesake, number(705), "2020-01-01")
    enrol("namesake_2", "H_namesake_2", namesake, number(706), "2021-01-01")
    # one number twice in one household: not two households
    same = number(707)
    n.household("H_same_household", [n.person("same_1", next(name), id_number=same),
                                      n.person("same_2", "某某", id_number=same, relation="子女")])

    found = {w["person_id"]: w for w in n.warnings() if w["rule_code"] == RULE}
    fires = (4, CATEGORY_CODES[4], DEPARTMENT)
    assert {p: (w["category"], w["category_code"], w["department"]) for p, w in found.items()} == {
        "twice_later": fires, "thrice_2024": fires, "old_form_later": fires}
    assert {p: (w["subject_key"], w["id_number"], w["household_id"]) for p, w in found.items()} == {
        "twice_later": (twice, twice, "H_twice_later"),
        "thrice_2024": (thrice, thrice, "H_thrice_2024"),
        "old_form_later": (old, old, "H_old_form_later")}

    # evidence: the named enrolment's registry entry, then every 有效 enrolment, latest first
    w = found["thrice_2024"]
    assert w["evidence"][0]["fields"]["成员编号"] == "thrice_2024"
    enrolments = w["evidence"][1:]
    assert {(e["source"], e["delivery_date"], e["序号"]) for e in enrolments} == {
        ("registry_persons", AS_OF.isoformat(), None)}
    assert [(e["fields"]["成员编号"], e["fields"]["家庭编号"], e["fields"]["纳入日期"], e["fields"]["姓名"])
            for e in enrolments] == [("thrice_2024", "H_thrice_2024", "2024-03-01", thrice_name),
                                     ("thrice_2021", "H_thrice_2021", "2021-07-01", thrice_name),
                                     ("thrice_2019", "H_thrice_2019", "2019-01-01", thrice_name)]
    assert [e["fields"]["救助类别"] for e in found["twice_later"]["evidence"][1:]] == ["低保边缘", "低保"]
