"""The rule unit tests' vocabulary: a rule's cases as tiny tables, run as one Night, read back.

A `Case` is one subject written out in full: a registry household (members first to last; the
first is the head unless a member says `relation`), the department records about its people,
and what the rule must answer: the category of its one warning, or None for a near miss.
Records carry only the values the case is about; every other column gets a value that fires
nothing (HARMLESS), so what makes a warning is written in the test, not hidden in a default.

    CASES = [Case("dibao_none", 1, [rec("medins_burden", premium_subsidy="无")], category="低保"),
             Case("dibao_fixed", None, [rec("medins_burden", premium_subsidy="定额资助")])]
    ran = run_cases(CASES)
    assert outcomes(ran, "MED_SUBSIDY") == expected(CASES, "医保局")

A test runs its own Night (about a second): one test per Night, not a shared fixture, so that
pytest-xdist never runs the same Night on two workers.

Everything goes through tests/modelkit.py: the real normaliser, linker and rule models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import product

from modelkit import Night, make_id

AS_OF = date(2026, 11, 28)
CATEGORY_CODES = {1: "policy_gap", 2: "possibly_eligible", 3: "special_hardship", 4: "possibly_ineligible"}

# A department record's values that raise no warning of any rule on their own.
HARMLESS: dict[str, dict[str, object]] = {
    "medins_burden": {"insurance_status": "参保", "premium_subsidy": "全额资助", "out_of_pocket_12m": "1200",
                      "medical_assistance": "0"},
    "edu_students": {"school": "第一中学", "stage": "初中", "aid_programme": "国家助学金", "aid_amount": "1250",
                     "school_year": "2026-2027"},
    "dpf_disabled": {"disability_kind": "肢体", "disability_grade": "四级", "living_subsidy": "已享受"},
    "housing": {"programme": "危房改造", "danger_grade": "C级", "progress": "已完成", "division_code": "230123001001"},
    "hrss_unemployed": {"registered_on": "2026-06-01", "employment_aid": "是", "agency": "南岗区就业局"},
    "emergency_victims": {"disaster_type": "洪涝", "disaster_date": "2026-08-01", "house_damage": "一般损坏",
                          "relief_paid": "800"},
    "acwf_two_cancers": {"cancer": "乳腺癌", "stage": "0期", "diagnosed_on": "2026-03-02", "hospital": "省医院",
                         "aided": "是"},
    "acftu_workers": {"employer": "机械厂", "hardship_type": "因病", "filed_on": "2025-04-01", "aid_status": "已帮扶"},
    "health_serious_illness": {"disease": "肺癌", "icd10": "C34", "diagnosed_on": "2026-02-10", "hospital": "省医院"},
    "agri_monitoring": {"division_code": "230102001001", "monitoring_type": "边缘易致贫户", "risk_type": "因病",
                        "risk_cleared": "是"},
    "mps_cancellations": {"reason": "其他", "cancelled_on": "2026-10-09"},
    "vehicles": {"vehicle_type": "摩托车", "vehicle_status": "正常", "registered_on": "2019-04-01"},
    "market_entities": {"company": "某某商贸有限公司", "credit_code": "91230102MA1234567X", "registered_capital": "50",
                        "entity_status": "注销", "founded_on": "2018-03-01"},
    "hrss_contributions": {"employer": "某某公司", "contribution_month": "202610", "contribution_base": "0"},
    # a staff member's own row (relative columns blank): harmless for anyone not in a covered household
    "staff_roster": {"position": "社会救助协理员", "division_code": "230102001001", "relative_name": None,
                     "relative_id_number": None, "relation": None, "filed_assistance": None},
}

_SURNAMES = "赵钱孙李周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施孔曹严华金魏陶姜"
_GIVEN = ["建国", "秀英", "志强", "桂兰", "海燕", "春生", "玉珍", "文博", "晓东", "凤霞", "德明", "淑芬", "丽华", "国庆"]
STRANGER = "欧阳明轩"  # a name no registry person of these tests has: a record under it is not linked


def days_ago(n: int, day: date = AS_OF) -> str:
    return (day - timedelta(days=n)).isoformat()


@dataclass
class Rec:
    source: str
    who: str | None          # the member key the record is about (None: the household's first member)
    values: dict


def rec(source: str, who: str | None = None, **values) -> Rec:
    """A department record about member `who`: name and number are that member's unless given."""
    return Rec(source, who, values)


def member(key: str, **person) -> dict:
    """A household member: person_id `key`, with modelkit.Night.person's arguments or row columns."""
    return {"key": key, **person}


@dataclass
class Case:
    key: str                               # test id; person_id of the first member unless members say
    expect: int | None                     # category of the one warning, None = no warning
    records: list[Rec] = field(default_factory=list)
    members: list[dict] | None = None      # default: one member keyed `key`
    subject: str | None = None             # person_id the warning is about (default: `key`)
    registry: bool = True                  # False: people only in department records
    category: str = "低保"                 # 救助类别
    status: str = "有效"
    single: str = "否"                     # 单独纳入 of every member not saying otherwise
    household: dict = field(default_factory=dict)   # more modelkit.Night.household arguments

    def __post_init__(self):
        self.subject = self.subject or (self.members[0]["key"] if self.members else self.key)


@dataclass
class Ran:
    """A Night that ran, and who is who in it (member key → registry person row)."""
    night: Night
    people: dict[str, dict]

    def found(self, rule: str) -> dict[str, dict]:
        """The rule's warnings by subject (person_id, else the subject key); one per subject."""
        rows = [w for w in self.night.warnings() if w["rule_code"] == rule]
        by_subject = {w["person_id"] or w["subject_key"]: w for w in rows}
        assert len(by_subject) == len(rows), f"{rule}: two warnings for one subject"
        return by_subject


def names():
    """Distinct names in a fixed order (one Night's people)."""
    for given, surname in product(_GIVEN, _SURNAMES):
        yield surname + given


def build(night: Night, cases: list[Case], pad: tuple[str, ...] = ()) -> dict[str, dict]:
    """Put the cases into the night; `pad` sources get one record of an outsider when no case
    has one (a rule that needs several sources runs only when all were delivered)."""
    name = names()
    people: dict[str, dict] = {}
    for c in cases:
        members = c.members or [member(c.key)]
        rows = []
        for m in members:
            args = {"name": next(name), "individually_included": c.single, **m}
            key = args.pop("key")
            people[key] = night.person(key, **args)
            rows.append(people[key])
        if c.registry:
            night.household("H_" + c.key, rows, category=c.category, status=c.status, **c.household)
        for r in c.records:
            who = people[r.who or members[0]["key"]]
            night.records(r.source, [{**HARMLESS[r.source], "name": who["name"], "id_number": who["id_number"],
                                      **r.values}])
    for source in pad:
        if source not in night.rows:
            night.records(source, [outsider_record(source)])
    return people


def outsider_record(source: str, **values) -> dict:
    """A record of someone outside the registry (never linked), harmless unless `values` say."""
    return {**HARMLESS[source], "name": STRANGER, "id_number": make_id("230103", date(1975, 2, 3), 999), **values}


def run_cases(cases: list[Case], as_of: date = AS_OF, pad: tuple[str, ...] = (), **night) -> Ran:
    n = Night(as_of, **night)
    people = build(n, cases, pad)
    return Ran(n.run(), people)


def outcomes(ran: Ran, rule: str) -> dict[str, tuple[int, str, str]]:
    """What the rule answered: subject → (category, category code, department)."""
    return {k: (w["category"], w["category_code"], w["department"]) for k, w in ran.found(rule).items()}


def expected(cases: list[Case], department: str) -> dict[str, tuple[int, str, str]]:
    """What the cases say it must answer: the firing ones, nothing for the near misses (so a
    failing comparison names the cases that went wrong)."""
    assert len({c.subject for c in cases}) == len(cases), "two cases about one subject"
    return {c.subject: (c.expect, CATEGORY_CODES[c.expect], department) for c in cases if c.expect is not None}


def evidence_of(ran: Ran, warning: dict, source: str, key: str | None = None,
                only: list[int] | None = None) -> list[dict]:
    """The warning's evidence from `source`'s records: one item per record of member `key`
    (default: the warning's person) there, in 序号 order, each dated with the night's delivery;
    their fields. `only`: the positions (0 = the member's first record there) of the records
    that fire. (Items without 序号, e.g. a household's total, are not records.)"""
    items = [e for e in warning["evidence"] if e["source"] == source and e["序号"] is not None]
    numbers = record_nos(ran, source, key or warning["person_id"])
    numbers = numbers if only is None else [numbers[i] for i in only]
    assert [(e["delivery_date"], e["序号"]) for e in items] == [(ran.night.as_of.isoformat(), n) for n in numbers]
    return [e["fields"] for e in items]


def registry_entry(warning: dict) -> dict:
    """The registry entry every warning about a registry person starts its evidence with."""
    first = warning["evidence"][0]
    assert first["source"] == "registry_persons"
    return first["fields"]


def record_nos(ran: Ran, source: str, key: str) -> list[str]:
    """The 序号 of the records written for member `key` in `source`, in order."""
    number = ran.people[key]["id_number"]
    return [r["record_no"] for r in ran.night.rows[source] if r["id_number"] == number]

