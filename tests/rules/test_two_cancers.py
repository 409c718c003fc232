"""TWO_CANCERS (妇联, 1 if covered else 2): a low-income woman in acwf_two_cancers with 已获救助 = 否
and a qualifying diagnosis: 宫颈癌 at IIB or later (IIB, IIIA, IIIB, IIIC, IVA, IVB), or 乳腺癌 at
any stage but 0期. Her sex is the registry's, else the one her identity number encodes."""

from __future__ import annotations

from datetime import date

from modelkit import make_id

from .ruletools import STRANGER, Case, evidence_of, expected, member, outcomes, rec, run_cases

RULE, DEPARTMENT = "TWO_CANCERS", "妇联"
CERVICAL = {"IA": None, "IIA": None, "IIB": 1, "IIIA": 1, "IIIB": 1, "IIIC": 1, "IVA": 1, "IVB": 1}
BREAST = {"0期": None, "I": 1, "IIA": 1, "IV": 1}


def cancer(kind: str = "乳腺癌", stage: str = "I", aided: str = "否", **more):
    return rec("acwf_two_cancers", cancer=kind, stage=stage, aided=aided, **more)


def woman(key: str, expect: int | None, records, **case):
    return Case(key, expect, records, members=[member(key, sex="女")], **case)


def number(sex: str, seq: int) -> str:
    return make_id("230102", date(1975, 6, 1), seq, sex)


CASES = [
    *(woman(f"cervical_{s}", e, [cancer("宫颈癌", s)]) for s, e in CERVICAL.items()),
    *(woman(f"breast_{s}", e, [cancer("乳腺癌", s)]) for s, e in BREAST.items()),
    woman("aided", None, [cancer(aided="是")]),
    woman("margin", 2, [cancer()], category="低保边缘"),
    woman("margin_single", 1, [cancer()], category="低保边缘", single="是"),
    woman("ended_dibao", None, [cancer()], status="已终止"),
    woman("unlinked", None, [cancer(name=STRANGER)]),
    Case("man", None, [cancer()], members=[member("man", sex="男")]),
    # registry sex blank: the number's (odd 17th digit a man, even a woman); registry sex wins
    Case("blank_sex_woman_number", 1, [cancer()], members=[member("blank_sex_woman_number", sex=None,
                                                                   id_number=number("女", 901))]),
    Case("blank_sex_man_number", None, [cancer()], members=[member("blank_sex_man_number", sex=None,
                                                                    id_number=number("男", 902))]),
    Case("woman_with_man_number", 1, [cancer()], members=[member("woman_with_man_number", sex="女",
                                                                  id_number=number("男", 903))]),
    woman("two_records", 1, [cancer("宫颈癌", "IIA"), cancer("宫颈癌", "IIIB"), cancer("乳腺癌", "IIA")]),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    # one warning, with the qualifying diagnoses only (not the IIA)
    items = evidence_of(ran, ran.found(RULE)["two_records"], "acwf_two_cancers", only=[1, 2])
    assert [(f["病种"], f["临床分期"], f["已获救助"]) for f in items] == [("宫颈癌", "IIIB", "否"), ("乳腺癌", "IIA", "否")]
