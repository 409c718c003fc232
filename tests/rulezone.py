"""Small landing zones written by tests: a few one-person registry households and department
deliveries of them, in the contracts' layouts (first header of each column, the contract's
format), with typical record values a test overrides where it matters. Independent of the demo
generator: a test fails on the pipeline, not on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pipelines.contracts import load_contracts
from pipelines.normalise.idnumbers import check_char

from conftest import add_delivery, csv_bytes

URBAN, RURAL = "230102", "230123"
SURNAMES = "赵钱孙李周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施孔曹严华金魏陶姜"
GIVEN = ["建国", "秀英", "志强", "桂兰", "海燕", "春生", "玉珍", "文博", "晓东", "凤霞", "德明", "淑芬"]


def make_id(county: str, birth: date, seq: int, sex: str) -> str:
    order = seq * 2 + (1 if sex == "男" else 0)
    first17 = f"{county}{birth:%Y%m%d}{order % 1000:03d}"
    return first17 + check_char(first17)


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def default_values(source: str, as_of: date) -> dict:
    """A department record's default values: the typical record of each source (some fire a rule
    for a covered person on their own: a car, a 存续 company, a death, a student without aid)."""
    day = lambda n: as_of - timedelta(days=n)  # noqa: E731
    return {
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
        "acwf_two_cancers": {"cancer": "宫颈癌", "stage": "IA", "diagnosed_on": day(100),
                             "hospital": "哈尔滨医科大学附属肿瘤医院", "aided": "是"},
        "agri_monitoring": {"monitoring_type": "边缘易致贫户", "risk_type": "因病", "risk_cleared": "是"},
        "mps_cancellations": {"reason": "死亡", "cancelled_on": day(20), "destination": None},
        "vehicles": {"vehicle_type": "小型轿车", "registered_on": day(1500), "vehicle_status": "正常"},
        "market_entities": {"company": "哈尔滨鑫源商贸有限公司", "credit_code": "91230102MA19XK5L3Q",
                            "registered_capital": 10.0, "entity_status": "存续", "founded_on": day(2000)},
        # a staff member's own row (relative columns blank)
        "staff_roster": {"position": "社会救助协理员", "division_code": "230102001001", "relative_name": None,
                         "relative_id_number": None, "relation": None, "filed_assistance": None},
    }[source]


def record_values(source: str, values: dict, who: dict, as_of: date) -> dict:
    """A record's canonical values: quiet defaults, the test's values, the person's own fields
    (`who`: name, id_number, sex, birth_date, division_code) in the columns the source has."""
    out = {**default_values(source, as_of), **values}
    contract = load_contracts()[source]
    names = {c.name for c in contract.columns}
    person = {"name": who["name"], "id_number": who["id_number"], "sex": who["sex"], "birth_date": who["birth_date"],
              "division_code": who["division_code"], "head_name": who["name"], "head_id_number": who["id_number"]}
    for k, v in person.items():
        if k in names and k not in values:
            out[k] = v
    if source == "dpf_disabled" and "card_no" not in values:
        kinds = {"视力": "1", "听力": "2", "言语": "3", "肢体": "4", "智力": "5", "精神": "6", "多重": "7"}
        grades = {"一级": "1", "二级": "2", "三级": "3", "四级": "4"}
        out["card_no"] = (out["id_number"] or "") + kinds[out["disability_kind"]] + grades[out["disability_grade"]]
    return out


# ---------------------------------------------------------------------- hand-made small zones
@dataclass
class Person:
    """A one-person registry household, for tests that need a few people, not the case list."""
    key: str
    n: int
    category: str = "低保"
    status: str = "有效"
    name: str | None = None
    sex: str = "男"
    birth: date = date(1980, 5, 17)
    heating: str | None = "已发放"
    county: str = URBAN

    @property
    def id_number(self) -> str:
        return make_id(self.county, self.birth, self.n, self.sex)

    @property
    def person_id(self) -> str:
        return f"P{self.n:09d}"

    @property
    def household_id(self) -> str:
        return f"HH{self.county}{self.n:07d}"

    @property
    def display_name(self) -> str:
        return self.name or SURNAMES[self.n % len(SURNAMES)] + GIVEN[self.n // len(SURNAMES) % len(GIVEN)]


def write_registry(landing: Path, day: str, people: list[Person]) -> None:
    hh_head = ["家庭编号", "户主姓名", "户主身份证号", "行政区划代码", "详细地址", "城乡类别", "救助类别", "状态", "纳入日期",
               "月救助金额", "家庭人口数", "家庭月人均收入", "取暖救助"]
    p_head = ["家庭编号", "成员编号", "姓名", "身份证号", "性别", "出生日期", "与户主关系", "单独纳入", "劳动能力", "健康状况",
              "残疾等级", "就业状况"]
    hh = [[p.household_id, p.display_name, p.id_number, p.county + "001001", "地址", "城市", p.category, p.status,
           "2020-01-01", "500", "1", "300", p.heating or ""] for p in people]
    ps = [[p.household_id, p.person_id, p.display_name, p.id_number, p.sex, p.birth.isoformat(), "本人", "否", "有",
           "健康", "", "无业"] for p in people]
    add_delivery(landing, "registry_households", day, {"家庭.csv": csv_bytes([hh_head, *hh], "utf-8-sig")})
    add_delivery(landing, "registry_persons", day, {"成员.csv": csv_bytes([p_head, *ps], "utf-8-sig")})


def write_source(landing: Path, source: str, day: str, rows: list[tuple[Person, dict]], as_of: date,
                 raw: list[list[str]] | None = None) -> None:
    """A department delivery: each (person, values) a record with default values; `raw` rows are
    appended as they are (e.g. to break a delivery)."""
    contract = load_contracts()[source]
    out = []
    for i, (p, values) in enumerate(rows, start=1):
        who = {"name": p.display_name, "id_number": p.id_number, "sex": p.sex, "birth_date": p.birth,
               "division_code": p.county + "001001"}
        v = record_values(source, values, who, as_of)
        v["record_no"] = str(i)
        out.append([_fmt(v.get(c.name)) for c in contract.columns])
    out += raw or []
    header = [c.headers[0] for c in contract.columns]
    if contract.format == "xlsx":
        add_delivery(landing, source, day, {f"{source}.xlsx": [header, *out]})
    else:
        add_delivery(landing, source, day, {f"{source}.csv": csv_bytes([header, *out], "utf-8")})
