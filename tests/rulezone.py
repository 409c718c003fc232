"""Write the planted rule cases (pipelines/demo/plant_cases.py) as a small landing zone, with
clean identity numbers, and say which warnings a run must find.

Independent of the demo generator: it only shares the case list, so a rule test fails on the
rules, not on the generator's typing or background.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipelines.demo.plant_cases import Case, build_cases, record_values
from pipelines.demo.sources import SPECS
from pipelines.normalise.idnumbers import check_char
from pipelines.rules.catalogue import load_params

from conftest import add_delivery, csv_bytes

URBAN, RURAL = "230102", "230123"
SURNAMES = "赵钱孙李周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施孔曹严华金魏陶姜"
GIVEN = ["建国", "秀英", "志强", "桂兰", "海燕", "春生", "玉珍", "文博", "晓东", "凤霞", "德明", "淑芬"]
XLSX = {"edu_students", "housing", "dpf_disabled", "acwf_two_cancers"}


@dataclass
class Who:
    handle: str
    name: str
    id_number: str | None
    sex: str
    birth_date: date
    division_code: str
    person_id: str | None = None
    household_id: str | None = None


@dataclass
class Zone:
    cases: list[Case]
    people: dict[str, Who] = field(default_factory=dict)

    def key(self, rule: str, handle: str) -> tuple[str, str]:
        """How a warning of `rule` for this person is recognised in the warnings table."""
        w = self.people[handle]
        if rule == "MONITORING_INTAKE":
            return rule, w.id_number or f"name:{w.name}|{w.division_code[:6]}"
        return rule, w.person_id

    def expected(self, fires: bool = True) -> dict[tuple[str, str], int | None]:
        return {self.key(e.rule, e.subject): e.category for c in self.cases for e in c.expect if e.fires == fires}


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


def build_zone(landing: Path, as_of: date, day: str | None = None, params: dict | None = None,
               only_demo: bool = False, skip_sources: tuple[str, ...] = ()) -> Zone:
    """All cases as deliveries dated `day` (default: as_of) under `landing`."""
    params = params or load_params()
    cases = [c for c in build_cases(as_of, params) if c.demo or not only_demo]
    zone = Zone(cases)
    day = day or as_of.isoformat()
    n = 0
    hh_rows, p_rows = [], []
    for case in cases:
        for hh_i, hh in enumerate(case.households):
            county = RURAL if hh.urban_rural == "农村" else URBAN
            hid = f"HH{county}{len(hh_rows) + 1:07d}"
            for m in hh.members:
                n += 1
                if m.same_as:
                    o = zone.people[m.same_as]
                    who = Who(m.handle, o.name, o.id_number, o.sex, o.birth_date, o.division_code)
                else:
                    who = Who(m.handle, SURNAMES[n % len(SURNAMES)] + GIVEN[n // len(SURNAMES) % len(GIVEN)],
                              make_id(county, m.birth, n, m.sex), m.sex, m.birth, county + "001001")
                who.person_id, who.household_id = f"P{n:09d}", hid
                zone.people[m.handle] = who
                p_rows.append([hid, who.person_id, who.name, who.id_number, m.sex, m.birth.isoformat(), m.relation,
                               m.single, "有", "健康", "", "无业"])
            head = zone.people[hh.members[0].handle]
            hh_rows.append([hid, head.name, head.id_number, county + "001001", "地址", hh.urban_rural, hh.category,
                            hh.status, hh.included_on.isoformat(), "500", str(len(hh.members)), "300",
                            hh.heating or ""])
        for m in case.outsiders:
            n += 1
            outsiders = sum(1 for w in zone.people.values() if w.person_id is None)
            zone.people[m.handle] = Who(m.handle, "欧阳" + GIVEN[outsiders % len(GIVEN)],
                                        make_id(URBAN, m.birth, n, m.sex), m.sex, m.birth, URBAN + "001001")
    hh_head = ["家庭编号", "户主姓名", "户主身份证号", "行政区划代码", "详细地址", "城乡类别", "救助类别", "状态", "纳入日期",
               "月救助金额", "家庭人口数", "家庭月人均收入", "取暖救助"]
    p_head = ["家庭编号", "成员编号", "姓名", "身份证号", "性别", "出生日期", "与户主关系", "单独纳入", "劳动能力", "健康状况",
              "残疾等级", "就业状况"]
    add_delivery(landing, "registry_households", day, {"家庭.csv": csv_bytes([hh_head, *hh_rows], "utf-8-sig")})
    add_delivery(landing, "registry_persons", day, {"成员.csv": csv_bytes([p_head, *p_rows], "utf-8-sig")})
    _write_departments(landing, zone, as_of, day, skip_sources)
    return zone


def _write_departments(landing: Path, zone: Zone, as_of: date, day: str, skip: tuple[str, ...]) -> None:
    by_source: dict[str, list[list[str]]] = {}
    for case in zone.cases:
        for rec in case.records:
            w = zone.people[rec.who]
            values = record_values(rec.source, rec.values, vars(w), as_of)
            if "id_number" in rec.values and rec.values["id_number"] is None:
                w.id_number = None  # a record typed without the number: known by name and county only
            spec = SPECS[rec.source]
            if rec.source == "hrss_contributions":
                values["contribution_month"] = values["contribution_month"].strftime("%Y%m")
            rows = by_source.setdefault(rec.source, [])
            values["record_no"] = str(len(rows) + 1)
            rows.append([_fmt(values.get(col)) for col in spec.columns])
    for source, rows in by_source.items():
        if source in skip:
            continue
        header = [h for _, h in SPECS[source].headers]
        if source in XLSX:
            add_delivery(landing, source, day, {f"{source}.xlsx": [header, *rows]})
        else:
            add_delivery(landing, source, day, {f"{source}.csv": csv_bytes([header, *rows], "utf-8")})


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
    """A department delivery: each (person, values) a record with the planted-case defaults;
    `raw` rows are appended as they are (e.g. to break a delivery)."""
    spec = SPECS[source]
    out = []
    for i, (p, values) in enumerate(rows, start=1):
        who = {"name": p.display_name, "id_number": p.id_number, "sex": p.sex, "birth_date": p.birth,
               "division_code": p.county + "001001"}
        v = record_values(source, values, who, as_of)
        v["record_no"] = str(i)
        out.append([_fmt(v.get(col)) for col in spec.columns])
    out += raw or []
    header = [h for _, h in spec.headers]
    if source in XLSX:
        add_delivery(landing, source, day, {f"{source}.xlsx": [header, *out]})
    else:
        add_delivery(landing, source, day, {f"{source}.csv": csv_bytes([header, *out], "utf-8")})
