"""The planted rule cases: for every rule of rules.md, cases that must fire and near misses at
its boundaries that must not.

Written once, in the sources' canonical column names and true values relative to the logical
date, and used twice: the demo generator plants them into its synthetic province
(synthetic/plant.py), and the rule tests write them straight into a small landing zone
(tests/rulezone.py). Who a case's people are (numbers, names, ids) is up to the user.

Each case lists every warning it must raise (`fires` with the category) and the ones it must
not, so "found exactly the planted warnings" is a complete check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class Member:
    handle: str
    birth: date
    sex: str = "男"
    relation: str = "本人"
    single: str = "否"                 # 单独纳入
    same_as: str | None = None         # the same human as that member (DUPLICATE_ENROLLMENT)


@dataclass(frozen=True)
class Household:
    handle: str
    category: str
    members: tuple[Member, ...]
    included_on: date
    status: str = "有效"
    urban_rural: str = "城市"
    heating: str | None = None         # 取暖救助
    income: float | None = None        # 家庭月人均收入 (None: the planter's default, synthetic/plant.py)


@dataclass(frozen=True)
class Record:
    source: str
    who: str                           # member (or outsider) handle; housing: the head
    values: dict


@dataclass(frozen=True)
class Expect:
    rule: str
    subject: str                       # member handle: the person, the head, or the enrollment
    fires: bool
    category: int | None = None


@dataclass(frozen=True)
class Case:
    case_id: str
    rule: str
    description: str
    households: tuple[Household, ...] = ()
    outsiders: tuple[Member, ...] = ()     # people outside the registry
    records: tuple[Record, ...] = ()
    expect: tuple[Expect, ...] = ()
    demo: bool = True                      # False: only the tests can write it (e.g. a blank number)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


HEATED = ("低保", "特困分散")  # categories entitled to heating aid


@dataclass
class CaseBook:
    """Helpers that keep the case list short: one household per case unless said otherwise."""

    as_of: date
    params: dict
    cases: list[Case] = field(default_factory=list)

    def day(self, days_before: int) -> date:
        return self.as_of - timedelta(days=days_before)

    def born(self, age: int, birthday_in: int = -100) -> date:
        """A birth date giving `age` whole years today; `birthday_in` days to the next birthday
        (0: the birthday is today, 1: tomorrow)."""
        if birthday_in >= 1:
            return add_years(self.as_of + timedelta(days=birthday_in), -(age + 1))
        return add_years(self.as_of + timedelta(days=birthday_in), -age)

    def household(self, handle: str, category: str, *members: Member, status: str = "有效",
                  area: str = "城市", heating: str | None = "default", since: int = 2000,
                  income: float | None = None) -> Household:
        if heating == "default":
            heating = "已发放" if category in HEATED else None
        return Household(handle, category, tuple(members), self.day(since), status, area, heating, income)

    def person(self, handle: str, age: int = 45, **kw) -> Member:
        return Member(handle, kw.pop("birth", None) or self.born(age), **kw)

    def add(self, case_id: str, rule: str, description: str, *, category: str = "低保", status: str = "有效",
            area: str = "城市", heating: str | None = "default", person: dict | None = None,
            records: list[tuple[str, dict]] = (), fires: int | None = None, subject: str | None = None,
            members: tuple[Member, ...] = (), households: tuple[Household, ...] = (),
            outsiders: tuple[Member, ...] = (), expect: tuple[Expect, ...] = (), demo: bool = True,
            income: float | None = None) -> None:
        """A case of one household whose head is `case_id` (unless `households` are given), whose
        records are the head's, and that fires `rule` with category `fires` (None: must not)."""
        if not households and not outsiders:
            head = self.person(case_id, **(person or {}))
            households = (self.household(case_id, category, head, *members, status=status, area=area,
                                         heating=heating, income=income),)
        who = subject or case_id
        recs = tuple(Record(s, v.pop("who", who), v) for s, v in ((s, dict(v)) for s, v in records))
        main = Expect(rule, who, fires is not None, fires)
        self.cases.append(Case(case_id, rule, description, tuple(households), tuple(outsiders), recs,
                               (main, *expect), demo))


def in_heating_season(day: date, params: dict) -> bool:
    md, start, end = day.strftime("%m-%d"), params["heating_season_start"], params["heating_season_end"]
    return start <= md <= end if start <= end else (md >= start or md <= end)


def contribution_months(as_of: date, n: int = 6) -> list[date]:
    """The n full months before the logical date's month, oldest first (as the demo delivers)."""
    k = as_of.year * 12 + as_of.month - 1
    return [date((k - i) // 12, (k - i) % 12 + 1, 1) for i in range(n, 0, -1)]


def build_cases(as_of: date, params: dict) -> list[Case]:
    from synthetic import plant_cases_a, plant_cases_b, plant_cases_c

    book = CaseBook(as_of, params)
    plant_cases_a.add_cases(book)
    plant_cases_b.add_cases(book)
    plant_cases_c.add_cases(book)
    ids = [c.case_id for c in book.cases]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate case ids")
    return book.cases


def record_values(source: str, values: dict, who: dict, as_of: date) -> dict:
    """A planted record's canonical values: the source's quiet defaults, the case's values, and
    the person's own fields (`who`: name, id_number, sex, birth_date, division_code)."""
    day = lambda n: as_of - timedelta(days=n)  # noqa: E731
    defaults = {
        "edu_students": {"school": "哈尔滨市第十七中学", "stage": "初中", "aid_programme": None, "aid_amount": None,
                         "school_year": f"{as_of.year - (as_of.month < 9)}-{as_of.year + (as_of.month >= 9)}"},
        "hrss_unemployed": {"registered_on": day(120), "employment_aid": "是", "agency": "哈尔滨市人力资源服务中心"},
        "hrss_contributions": {"employer": "哈尔滨兴安商贸有限公司"},
        "health_serious_illness": {"disease": "急性白血病", "icd10": "C92.0", "diagnosed_on": day(200),
                                   "hospital": "哈尔滨医科大学附属第一医院"},
        "medins_burden": {"insurance_status": "参保", "premium_subsidy": "定额资助", "out_of_pocket_12m": 1200.0,
                          "medical_assistance": 0.0},
        "housing": {"programme": "危房改造", "danger_grade": None, "progress": "已完成"},
        "emergency_victims": {"disaster_type": "洪涝", "disaster_date": day(30), "house_damage": "一般损坏",
                              "relief_paid": 1000.0},
        "dpf_disabled": {"disability_kind": "肢体", "disability_grade": "四级", "living_subsidy": "已享受",
                         "care_subsidy": "未享受"},
        "acftu_workers": {"employer": "哈尔滨兴安商贸有限公司", "hardship_type": "因病致困", "filed_on": day(300),
                          "aid_status": "已帮扶"},
        "acwf_two_cancers": {"cancer": "宫颈癌", "stage": "IA", "diagnosed_on": day(100), "hospital": "哈尔滨医科大学附属肿瘤医院",
                             "aided": "是"},
        "agri_monitoring": {"monitoring_type": "边缘易致贫户", "risk_type": "因病", "risk_cleared": "是"},
        "mps_cancellations": {"reason": "死亡", "cancelled_on": day(20), "destination": None},
        "vehicles": {"vehicle_type": "小型轿车", "registered_on": day(1500), "vehicle_status": "正常"},
        "market_entities": {"company": "哈尔滨鑫源商贸有限公司", "credit_code": "91230102MA19XK5L3Q",
                            "registered_capital": 10.0, "entity_status": "存续", "founded_on": day(2000)},
        # a staff member's own row; a relative's row names the relative (the planter fills them in)
        "staff_roster": {"position": "社会救助协理员", "division_code": who["division_code"], "relative_name": None,
                         "relative_id_number": None, "relation": None, "filed_assistance": None},
    }[source]
    out = {**defaults, "name": who["name"], "id_number": who["id_number"], **values}
    if source in ("hrss_unemployed", "health_serious_illness"):
        out["sex"] = who["sex"]
    if source == "health_serious_illness":
        out["birth_date"] = who["birth_date"]
    if source in ("housing", "agri_monitoring"):
        out.setdefault("division_code", who["division_code"])
    if source == "agri_monitoring":
        out.update(head_name=out["name"], head_id_number=out["id_number"])
    if source == "dpf_disabled":
        kinds = {"视力": "1", "听力": "2", "言语": "3", "肢体": "4", "智力": "5", "精神": "6", "多重": "7"}
        grades = {"一级": "1", "二级": "2", "三级": "3", "四级": "4"}
        out["card_no"] = (out["id_number"] or "") + kinds[out["disability_kind"]] + grades[out["disability_grade"]]
    return out
