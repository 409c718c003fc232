"""The synthetic province: registry households and persons, the non-registry people who
appear only in department data, and decoys (namesakes of registry persons).

Everything is drawn in bulk with numpy and assembled with polars. Person keys are row
numbers of `Population.people`: registry persons first, then the non-registry pool (decoys
at its end).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from synthetic import ids, names, refdata
from synthetic.draw import labels
from synthetic.config import DemoConfig

COUNTY_CODES = np.asarray([int(c) for c in refdata.COUNTIES], dtype=np.int64)
COUNTY_WEIGHTS = np.asarray([v[2] for v in refdata.COUNTIES.values()], dtype=float)
COUNTY_URBAN = np.asarray([int(c[4:6]) < 20 for c in refdata.COUNTIES])  # 市辖区 vs county
OTHER_PROVINCE_CODES = np.asarray([int(c) for c in refdata.OTHER_PROVINCE_COUNTIES], dtype=np.int64)
OTHER_PROVINCE_WEIGHTS = np.asarray(list(refdata.OTHER_PROVINCE_COUNTIES.values()), dtype=float)

RELATIONS = ("本人", "配偶", "子女", "父母", "孙子女", "兄弟姐妹", "其他")
DAYS_PER_YEAR = 365.2425


def _p(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w / w.sum()


def general_age_weights(cfg: DemoConfig) -> np.ndarray:
    """Relative weight of each age 0..99 in the province's (ageing) population."""
    pyramid = cfg.mix_for("population")["age_pyramid"]
    return np.interp(np.arange(100), pyramid["ages"], pyramid["weights"])


def age_at(birth: np.ndarray, as_of: date) -> np.ndarray:
    """Whole years at `as_of` for datetime64[D] births."""
    y, m, d = ids.date_parts(birth)
    before = (m > as_of.month) | ((m == as_of.month) & (d > as_of.day))
    return (as_of.year - y - before).astype(np.int16)


def birth_from_age(rng: np.random.Generator, age: np.ndarray, as_of: date) -> np.ndarray:
    """A birth date giving exactly `age` whole years at as_of."""
    end = np.datetime64(as_of, "D")
    days = np.floor((age + rng.random(age.size)) * DAYS_PER_YEAR).astype(np.int64)
    birth = end - days
    got = age_at(birth, as_of)
    birth = np.where(got > age, birth + 1, birth)  # rounding at the birthday
    return birth.astype("datetime64[D]")


@dataclass
class Population:
    """People, households and registry persons as true values (before any typing errors)."""

    people: pl.DataFrame          # person_key .. is_decoy, decoy_of, minority (see PEOPLE_COLUMNS)
    households: pl.DataFrame      # registry_households true values + head_key
    members: pl.DataFrame         # registry_persons true values + person_key
    n_registry: int
    # numpy arrays aligned with `people` (fast eligibility and sampling)
    age: np.ndarray
    male: np.ndarray
    county: np.ndarray            # residence county code (int)
    is_decoy: np.ndarray
    birth: np.ndarray             # datetime64[D]
    _view: pl.DataFrame | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return self.people.height

    def registry_view(self) -> pl.DataFrame:
        """Per registry person: household facts the department generators condition on."""
        if self._view is None:
            self._view = self._registry_view()
        return self._view

    def _registry_view(self) -> pl.DataFrame:
        return self.members.select(
            "person_key", "person_id", "household_id", "relation", "individually_included", "health",
            "disability_grade", "employment",
        ).join(
            self.households.select("household_id", "division_code", "urban_rural", "assistance_category",
                                   "status", "household_size"),
            on="household_id", how="left",
        )


# ------------------------------------------------------------------ registry
def _household_table(rng: np.random.Generator, cfg: DemoConfig) -> dict[str, np.ndarray]:
    h = cfg.households
    mix = cfg.mix_for("registry")
    county_i = rng.choice(COUNTY_CODES.size, size=h, p=_p(COUNTY_WEIGHTS))
    share = np.where(COUNTY_URBAN[county_i], mix["urban_share"]["district"], mix["urban_share"]["county"])
    urban = rng.random(h) < share
    sizes = np.asarray(list(cfg.household_sizes), dtype=np.int64)
    size = rng.choice(sizes, size=h, p=_p(list(cfg.household_sizes.values())))
    cats = list(cfg.categories)
    cat = rng.choice(len(cats), size=h, p=_p(list(cfg.categories.values())))
    tekun = np.isin(cat, [cats.index(c) for c in ("特困分散", "特困集中") if c in cats])
    size = np.where(tekun, np.minimum(size, 2), size)  # 特困: people living alone or as a couple
    return {"county_i": county_i, "urban": urban, "size": size, "cat": cat}


def _head_ages(rng: np.random.Generator, n: int, mix: dict) -> np.ndarray:
    w = np.interp(np.arange(100), mix["head_age"]["ages"], mix["head_age"]["weights"])
    return rng.choice(100, size=n, p=_p(w)).astype(np.int64)


def _members(rng: np.random.Generator, cfg: DemoConfig, hh: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One row per registry person: household index, relation, sex, birth, surname index."""
    as_of = np.datetime64(cfg.as_of, "D")
    size = hh["size"]
    n_h = size.size
    h_of = np.repeat(np.arange(n_h), size)
    slot = np.arange(h_of.size) - np.repeat(np.cumsum(size) - size, size)
    n = h_of.size
    mix = cfg.mix_for("registry")

    head_age = _head_ages(rng, n_h, mix)
    head_birth = birth_from_age(rng, head_age, cfg.as_of)
    head_male = rng.random(n_h) < mix["head_male"]

    # relation by slot: slot 0 head (本人); slot 1 mostly a spouse; later slots children, parents, ...
    second = 1 + rng.choice(6, size=n, p=_p(mix["second_member"]))
    other = 1 + rng.choice(6, size=n, p=_p(mix["other_members"]))
    rel = np.where(slot == 0, 0, np.where(slot == 1, second, other))
    ha = head_age[h_of]
    rel = np.where((rel == 3) & (ha > 65), 2, rel)     # no living parents for old heads
    rel = np.where((rel == 4) & (ha < 50), 2, rel)     # grandchildren only for older heads
    years = np.zeros(n)
    r = rng.random(n)
    years = np.select(
        [rel == 1, rel == 2, rel == 3, rel == 4, rel == 5, rel == 6],
        [rng.normal(0, 3, n), 20 + 18 * r, -(20 + 15 * r), 45 + 20 * r, (r - 0.5) * 20, (r - 0.5) * 60],
        0.0,
    )
    hb = head_birth[h_of]
    birth = hb + np.round(years * DAYS_PER_YEAR).astype(np.int64)
    latest = as_of - 30
    # children / grandchildren born "in the future": somewhere between the youngest plausible date and now
    youngest_parent = {2: 20, 4: 45}
    for code, gap in youngest_parent.items():
        late = (rel == code) & (birth > latest)
        if late.any():
            lo = hb[late] + int(gap * DAYS_PER_YEAR)
            span = np.maximum((latest - lo).astype(np.int64), 1)
            birth[late] = lo + (rng.random(late.sum()) * span).astype(np.int64)
    birth = np.clip(birth, np.datetime64("1924-01-01"), latest).astype("datetime64[D]")
    birth[slot == 0] = head_birth

    male = rng.random(n) < 0.5
    male[slot == 0] = head_male
    spouse = rel == 1
    male[spouse] = ~head_male[h_of[spouse]]

    book = names.name_book()
    surname = rng.choice(len(book.surnames), size=n, p=book.surname_p)
    head_surname = surname[np.flatnonzero(slot == 0)][h_of]
    # the father's surname: the head's when the head is a man, else the spouse's (if any)
    father = surname[np.flatnonzero(slot == 0)].copy()
    husband_rows = np.flatnonzero(spouse & male)  # a male spouse: the head is a woman
    father[h_of[husband_rows]] = surname[husband_rows]
    kids = (rel == 2) | (rel == 4)
    surname = np.where(kids & (rng.random(n) < mix["children_take_father_surname"]), father[h_of], surname)
    surname = np.where((rel == 5) | ((rel == 3) & (rng.random(n) < 0.5)), head_surname, surname)
    return {"h_of": h_of, "slot": slot, "rel": rel, "birth": birth, "male": male, "surname": surname}


def _categorical(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """Row-wise draw: p is (n, k) relative weights; returns the chosen column per row."""
    c = np.cumsum(p, axis=1)
    c /= c[:, -1:]
    return (rng.random((p.shape[0], 1)) > c).sum(axis=1)


def _person_attributes(rng: np.random.Generator, cfg: DemoConfig, age: np.ndarray, cat: np.ndarray,
                       cats: list[str]) -> dict[str, list | np.ndarray]:
    n = age.size
    mix = cfg.mix_for("registry")
    child = age < 16
    old = age >= 60

    def by_age(d: dict) -> np.ndarray:
        return np.where(old, d["old"], np.where(child, d["child"], d["adult"]))
    # 健康状况
    p_ill, p_chronic = by_age(mix["ill"]), by_age(mix["chronic"])
    health = _categorical(rng, np.stack([1 - p_ill - p_chronic, p_chronic, p_ill], axis=1))
    # 残疾等级: blank 0, 一级..四级 1..4
    p_dis = np.where(old, mix["disabled"]["old"], mix["disabled"]["young"])
    dis = np.where(rng.random(n) < p_dis, rng.choice(4, size=n, p=_p(mix["disability_grades"])) + 1, 0)
    # 劳动能力: 有 0, 部分 1, 无 2
    lab_p = np.where(child[:, None], [0.0, 0.0, 1.0],
             np.where(old[:, None], mix["labour"]["old"], mix["labour"]["adult"]))
    labour = _categorical(rng, lab_p)
    labour = np.where((health == 2) | (dis == 1) | (dis == 2), np.maximum(labour, 1 + (rng.random(n) < 0.6)), labour)
    labour = np.minimum(labour, 2)
    # 就业状况: 在业 失业 无业 在校 学龄前 退休
    emp_p = np.where((age < 6)[:, None], [0, 0, 0, 0, 1, 0],
            np.where((age < 16)[:, None], [0, 0, 0, 1, 0, 0],
            np.where((age < 23)[:, None], mix["employment"]["youth"],
            np.where((age < 60)[:, None], mix["employment"]["adult"], mix["employment"]["old"]))))
    emp = _categorical(rng, emp_p.astype(float))
    emp = np.where((labour == 2) & (emp == 0), 2, emp)
    # 单独纳入: rare; people of 低保边缘/刚性支出 households who are ill or disabled
    eligible = np.isin(cat, [cats.index(c) for c in ("低保边缘", "刚性支出") if c in cats]) & ((health == 2) | (dis > 0))
    p_single = np.where(eligible, mix["individually_included"]["eligible"], mix["individually_included"]["other"])
    single = rng.random(n) < p_single
    return {
        "health": labels(["健康", "慢性病", "重病"], health),
        "disability_grade": labels([None, "一级", "二级", "三级", "四级"], dis),
        "labour_capacity": labels(["有", "部分", "无"], labour),
        "employment": labels(["在业", "失业", "无业", "在校", "学龄前", "退休"], emp),
        "individually_included": labels(["否", "是"], single.astype(np.int64)),
    }


def _unique_codes(rng: np.random.Generator, n: int, digits: int, low: int = 0) -> np.ndarray:
    return rng.choice(np.arange(low, 10**digits), size=n, replace=False) if n < 10**digits // 4 else \
        rng.permutation(np.arange(low, low + n))


def _township_names(county_code: pl.Expr, town: pl.Expr, urban: pl.Expr) -> pl.Expr:
    roots = pl.Series(refdata.TOWNSHIP_ROOTS)
    k = (county_code.cast(pl.Int64) * 7 + town * 13) % len(roots)
    root = k.replace_strict(list(range(len(roots))), roots.to_list(), return_dtype=pl.String)
    return pl.when(urban).then(root + "街道").otherwise(root + pl.when(town % 3 == 0).then(pl.lit("乡")).otherwise(pl.lit("镇")))


def _village_names(county_code: pl.Expr, town: pl.Expr, village: pl.Expr, urban: pl.Expr) -> pl.Expr:
    roots = pl.Series(refdata.VILLAGE_ROOTS)
    k = (county_code.cast(pl.Int64) * 3 + town * 5 + village * 11) % len(roots)
    root = k.replace_strict(list(range(len(roots))), roots.to_list(), return_dtype=pl.String)
    return pl.when(urban).then(root + "社区").otherwise(root + "村")


def county_names() -> pl.DataFrame:
    return pl.DataFrame({
        "county": list(refdata.COUNTIES),
        "city_name": [v[0] for v in refdata.COUNTIES.values()],
        "county_name": [v[1] for v in refdata.COUNTIES.values()],
    })


def division_and_address(rng: np.random.Generator, cfg: DemoConfig, county: np.ndarray, urban: np.ndarray
                         ) -> pl.DataFrame:
    """12-digit division codes and street addresses for people/households of given counties."""
    n = county.size
    town = rng.integers(1, cfg.townships_per_county + 1, n)
    village = rng.integers(1, cfg.villages_per_township + 1, n)
    df = pl.DataFrame({"county": pl.Series(county).cast(pl.String), "town": town, "village": village, "urban": urban,
                       "a": rng.integers(1, 40, n), "b": rng.integers(1, 7, n), "c": rng.integers(101, 1800, n)})
    df = df.join(county_names(), on="county", how="left", maintain_order="left")
    c = pl.col
    town_name = _township_names(c("county"), c("town"), c("urban"))
    village_name = _village_names(c("county"), c("town"), c("village"), c("urban"))
    place = pl.lit(refdata.PROVINCE) + c("city_name") + c("county_name") + town_name + village_name
    return df.select(
        division_code=c("county") + c("town").cast(pl.String).str.zfill(3) + c("village").cast(pl.String).str.zfill(3),
        address=pl.when(c("urban"))
        .then(place + c("a").cast(pl.String) + "号楼" + c("b").cast(pl.String) + "单元" + c("c").cast(pl.String) + "室")
        .otherwise(place + c("b").cast(pl.String) + "组" + (c("c") // 10).cast(pl.String) + "号"),
    )


def _id_county(rng: np.random.Generator, cfg: DemoConfig, county: np.ndarray) -> np.ndarray:
    """County of birth registration (first six digits of the identity number)."""
    n = county.size
    u = rng.random(n)
    other_prov = u < cfg.other_province_rate
    other_cty = (u >= cfg.other_province_rate) & (u < cfg.other_province_rate + cfg.other_county_birth_rate)
    out = county.copy()
    out[other_prov] = rng.choice(OTHER_PROVINCE_CODES, size=other_prov.sum(), p=_p(OTHER_PROVINCE_WEIGHTS))
    out[other_cty] = rng.choice(COUNTY_CODES, size=other_cty.sum(), p=_p(COUNTY_WEIGHTS))
    return out


# ------------------------------------------------------------------ the whole population
def build(cfg: DemoConfig, pool_size: int) -> Population:
    """Registry households and persons, `pool_size` non-registry people, and the decoys."""
    rng = np.random.default_rng(np.random.SeedSequence([cfg.seed, 1]))
    as_of = cfg.as_of

    # registry
    hh = _household_table(rng, cfg)
    mem = _members(rng, cfg, hh)
    n_reg = mem["h_of"].size
    reg_county = COUNTY_CODES[hh["county_i"]][mem["h_of"]]
    reg_birth = mem["birth"]
    reg_male = mem["male"]

    # non-registry pool: general age pyramid, any county
    pool_age = rng.choice(100, size=pool_size, p=_p(general_age_weights(cfg))).astype(np.int64)
    pool_birth = birth_from_age(rng, pool_age, as_of)
    pool_male = rng.random(pool_size) < cfg.mix_for("population")["male"]
    pool_county = rng.choice(COUNTY_CODES, size=pool_size, p=_p(COUNTY_WEIGHTS))

    # decoys: same name, sex and birth date as a registry person; mostly the same county
    n_decoy = int(round(cfg.decoy_rate * n_reg))
    twin = np.sort(rng.choice(n_reg, size=min(n_decoy, n_reg), replace=False))
    n_decoy = twin.size
    same_county = rng.random(n_decoy) < cfg.decoy_same_county
    decoy_county = np.where(same_county, reg_county[twin],
                            rng.choice(COUNTY_CODES, size=n_decoy, p=_p(COUNTY_WEIGHTS)))

    birth = np.concatenate([reg_birth, pool_birth, reg_birth[twin]]).astype("datetime64[D]")
    male = np.concatenate([reg_male, pool_male, reg_male[twin]])
    county = np.concatenate([reg_county, pool_county, decoy_county])
    n = birth.size
    by = ids.date_parts(birth)[0]

    # names: registry with family surnames, pool drawn freely, decoys copy their twin
    kw = dict(single_rate=cfg.single_given_name_rate, double_rate=cfg.common_double_rate,
              minority_rate=cfg.minority_rate)
    reg_names, _, reg_minor = names.draw_names(rng, reg_male, by[:n_reg], surname_idx=mem["surname"], **kw)
    pool_names, _, pool_minor = names.draw_names(rng, pool_male, by[n_reg:n_reg + pool_size], **kw)
    all_names = pl.concat([reg_names, pool_names, reg_names.gather(twin)])
    minority = np.concatenate([reg_minor, pool_minor, reg_minor[twin]])

    # identity numbers: birth county mostly the residence county; a decoy in its twin's county
    # shares the twin's birth county (their numbers then differ only in the order code)
    id_county = _id_county(rng, cfg, county)
    id_county[n_reg + pool_size:] = np.where(same_county, id_county[twin], id_county[n_reg + pool_size:])
    id18 = ids.to_series(ids.mint(rng, id_county, birth, male))

    person_key = np.arange(n, dtype=np.int64)
    is_decoy = np.zeros(n, dtype=bool)
    is_decoy[n_reg + pool_size:] = True
    decoy_of = np.full(n, -1, dtype=np.int64)
    decoy_of[n_reg + pool_size:] = twin

    # registry identifiers
    n_h = hh["size"].size
    hh_no = _unique_codes(rng, n_h, 7)
    hh_county = COUNTY_CODES[hh["county_i"]]
    household_id = "HH" + pl.Series(hh_county).cast(pl.String) + pl.Series(hh_no).cast(pl.String).str.zfill(7)
    pid_no = rng.permutation(n_reg) + 100_000
    person_id = "P" + pl.Series(pid_no).cast(pl.String).str.zfill(9)

    people = pl.DataFrame({
        "person_key": person_key,
        "id18": id18,
        "name": all_names,
        "sex": labels(["女", "男"], male.astype(np.int64)),
        "birth_date": pl.Series(birth).cast(pl.Date),
        "county": pl.Series(county).cast(pl.String),
        "in_registry": person_key < n_reg,
        "person_id": pl.concat([person_id, pl.Series([None] * (n - n_reg), dtype=pl.String)]),
        "household_id": pl.concat([household_id.gather(mem["h_of"]), pl.Series([None] * (n - n_reg), dtype=pl.String)]),
        "is_decoy": is_decoy,
        "decoy_of": pl.Series(decoy_of).replace(-1, None),
        "minority": minority,
    })
    age = age_at(birth, as_of)

    households, members = _registry_frames(rng, cfg, hh, mem, people.head(n_reg), household_id, age[:n_reg])
    return Population(people=people, households=households, members=members, n_registry=n_reg, age=age,
                      male=male, county=county, is_decoy=is_decoy, birth=birth)


def _registry_frames(rng: np.random.Generator, cfg: DemoConfig, hh: dict, mem: dict, reg: pl.DataFrame,
                     household_id: pl.Series, age: np.ndarray) -> tuple[pl.DataFrame, pl.DataFrame]:
    cats = list(cfg.categories)
    n_h = hh["size"].size
    h_of = mem["h_of"]
    attrs = _person_attributes(rng, cfg, age, hh["cat"][h_of], cats)
    members = pl.DataFrame({
        "person_key": reg["person_key"],
        "household_id": household_id.gather(h_of),
        "person_id": reg["person_id"],
        "name": reg["name"],
        "id_number": reg["id18"],
        "sex": reg["sex"],
        "birth_date": reg["birth_date"],
        "relation": labels(RELATIONS, mem["rel"]),
        "individually_included": attrs["individually_included"],
        "labour_capacity": attrs["labour_capacity"],
        "health": attrs["health"],
        "disability_grade": attrs["disability_grade"],
        "employment": attrs["employment"],
    })

    head_rows = np.flatnonzero(mem["slot"] == 0)
    county = COUNTY_CODES[hh["county_i"]]
    urban = hh["urban"]
    place = division_and_address(rng, cfg, county, urban)
    cat = np.asarray(cats)[hh["cat"]]  # small (households): fine as a numpy string array for the maths
    terminated = rng.random(n_h) < cfg.terminated_rate
    as_of = np.datetime64(cfg.as_of, "D")
    mix = cfg.mix_for("registry")
    start = np.datetime64(mix["included_since"])
    span = (as_of - start).astype(np.int64)
    included = start + (span * rng.random(n_h) ** mix["included_skew"]).astype(np.int64)
    standard = np.where(urban, cfg.dibao_standard.get("城市", 760.0), cfg.dibao_standard.get("农村", 560.0))
    size = hh["size"]
    u = rng.random(n_h)
    ranges = mix["income_vs_standard"]  # income per head as a multiple of the 低保 standard

    def income_in(key: str) -> np.ndarray:
        lo, hi = ranges[key]
        return standard * (lo + (hi - lo) * u)
    income = np.select(
        [cat == "低保", np.isin(cat, ["特困分散", "特困集中"]), cat == "低保边缘"],
        [income_in("低保"), income_in("特困"), income_in("低保边缘")],
        income_in("other"),
    )
    income = np.round(income, 2)
    benefit = np.select(
        [cat == "低保", np.isin(cat, ["特困分散", "特困集中"])],
        [np.round((standard - income) * size, 0),
         np.round(standard * mix["tekun_benefit_factor"] + 200 * rng.random(n_h), 0)],
        0.0,
    )
    entitled = np.isin(cat, ["低保", "特困分散"])
    heating = np.where(entitled, (rng.random(n_h) < cfg.heating_not_paid_rate).astype(np.int64), 2)
    households = pl.DataFrame({
        "household_id": household_id,
        "head_key": reg["person_key"].gather(head_rows),
        "head_name": reg["name"].gather(head_rows),
        "head_id_number": reg["id18"].gather(head_rows),
        "division_code": place["division_code"],
        "address": place["address"],
        "urban_rural": labels(["农村", "城市"], urban.astype(np.int64)),
        "assistance_category": labels(cats, hh["cat"]),
        "status": labels(["有效", "已终止"], terminated.astype(np.int64)),
        "included_on": pl.Series(included.astype("datetime64[D]")).cast(pl.Date),
        "monthly_benefit": benefit,
        "household_size": size,
        "income_per_head": income,
        "heating_aid": labels(["已发放", "未发放", None], heating),
    })
    return households, members
