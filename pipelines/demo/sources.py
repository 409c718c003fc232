"""One small generator per source: `frame_<source>(pop, rng, cfg) -> pl.DataFrame` of TRUE values.

A frame has a `person_key` column (whose record it is; for agri_monitoring the member, for
housing and registry_households the head) and the source's canonical columns (contract
names, see schemas/<source>.yaml) holding true, clean values: names as registered, 18-character
numbers, `pl.Date` dates, float money, canonical code values. Typing errors, formats, headers
and files come later (`render`, `writers`), so a planting step can add or override rows of
these frames in between.

`SPECS` says, per source, how it is delivered: file name stem, format, sheet, the header the
department writes for each canonical column, who may appear in it, and its event date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

import numpy as np
import polars as pl

from pipelines.demo import refdata
from pipelines.demo.config import DemoConfig
from pipelines.demo.population import (COUNTY_CODES, COUNTY_URBAN, Population, county_names,
                                       division_and_address, general_age_weights)

FrameFn = Callable[[Population, np.random.Generator, DemoConfig], pl.DataFrame]


# ------------------------------------------------------------------ small helpers
def _p(w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w / w.sum()


def pick(rng: np.random.Generator, table: list[tuple[object, float]], n: int) -> np.ndarray:
    """Labels drawn by weight from [(label, weight), ...]."""
    labels = np.asarray([t[0] for t in table], dtype=object)
    return labels[rng.choice(len(table), size=n, p=_p([t[1] for t in table]))]


def yes_no(rng: np.random.Generator, p_yes, yes: str = "是", no: str = "否") -> np.ndarray:
    p_yes = np.asarray(p_yes, dtype=float)
    return np.where(rng.random(p_yes.size) < p_yes, yes, no)


def days_before(rng: np.random.Generator, as_of: date, n: int, lo: int, hi: int) -> pl.Series:
    """Dates between `hi` and `lo` days before as_of (both included)."""
    d = np.datetime64(as_of, "D") - rng.integers(lo, hi + 1, n)
    return pl.Series(d.astype("datetime64[D]")).cast(pl.Date)


def ref_day(cfg: DemoConfig, source: str) -> date:
    """The day of the source's main delivery: its records are dated on or before it."""
    return cfg.as_of - timedelta(days=cfg.delivery_offset.get(source, 0))


def n_records(cfg: DemoConfig, source: str) -> int:
    return int(round(cfg.households * cfg.records_per_household.get(source, 0.0) * cfg.dept_scale))


def _top_k(rng: np.random.Generator, candidates: np.ndarray, weights: np.ndarray | None, k: int) -> np.ndarray:
    """k of the candidates without replacement, with probability growing with weight
    (Efraimidis-Spirakis keys: vectorised, O(n))."""
    k = min(k, candidates.size)
    if k <= 0:
        return candidates[:0]
    if weights is None:
        return rng.choice(candidates, size=k, replace=False)
    w = np.asarray(weights, dtype=float)
    with np.errstate(divide="ignore"):
        keys = np.log(rng.random(candidates.size)) / w
    keys[w <= 0] = -np.inf
    k = min(k, int((w > 0).sum()))
    top = np.argpartition(-keys, k - 1)[:k] if k < candidates.size else np.arange(candidates.size)
    return candidates[top]


@dataclass(frozen=True)
class Eligible:
    """Who may appear in a source: ages (at as_of), sex, and optional weights by age."""

    min_age: int = 0
    max_age: int = 120
    sex: str | None = None                                  # "男" / "女"
    age_weight: Callable[[np.ndarray], np.ndarray] | None = None

    def mask(self, pop: Population, keys: np.ndarray) -> np.ndarray:
        a = pop.age[keys]
        m = (a >= self.min_age) & (a <= self.max_age)
        if self.sex is not None:
            m &= pop.male[keys] == (self.sex == "男")
        return m

    def weight(self, pop: Population, keys: np.ndarray) -> np.ndarray | None:
        return None if self.age_weight is None else self.age_weight(pop.age[keys].astype(float))

    def share(self) -> float:
        """Expected share of the general (pool) population that is eligible."""
        w = general_age_weights()
        ages = np.arange(w.size)
        ok = (ages >= self.min_age) & (ages <= self.max_age)
        s = float(w[ok].sum() / w.sum())
        return s * (0.5 if self.sex else 1.0)


def draw_people(pop: Population, rng: np.random.Generator, cfg: DemoConfig, source: str, n: int,
                eligible: Eligible, registry_weight: np.ndarray | None = None,
                registry_candidates: np.ndarray | None = None, share: float | None = None) -> np.ndarray:
    """Person keys for `n` records (or persons) of a source, shuffled.

    About `registry_share[source]` of them are registry persons (among `registry_candidates`,
    by default all, weighted by `registry_weight` × the age weight); the rest are non-registry
    people: decoys that fit, each with probability `decoy_presence[source]`, then the pool.
    """
    reg = np.arange(pop.n_registry) if registry_candidates is None else registry_candidates
    reg_w = None if registry_weight is None else np.asarray(registry_weight, dtype=float)
    ok = eligible.mask(pop, reg)
    reg, reg_w = reg[ok], (None if reg_w is None else reg_w[ok])
    aw = eligible.weight(pop, reg)
    if aw is not None:
        reg_w = aw if reg_w is None else reg_w * aw
    n_reg = int(round(n * (cfg.registry_share.get(source, 0.0) if share is None else share)))
    chosen_reg = _top_k(rng, reg, reg_w, n_reg)

    others = np.arange(pop.n_registry, pop.n)
    others = others[eligible.mask(pop, others)]
    decoys = others[pop.is_decoy[others]]
    decoys = decoys[rng.random(decoys.size) < cfg.decoy_presence.get(source, 0.0)]
    n_other = max(n - chosen_reg.size, 0)
    decoys = decoys[:n_other]
    plain = others[~pop.is_decoy[others]]
    chosen_other = _top_k(rng, plain, eligible.weight(pop, plain), n_other - decoys.size)
    keys = np.concatenate([chosen_reg, decoys, chosen_other]).astype(np.int64)
    rng.shuffle(keys)
    return keys


def people_frame(pop: Population, keys: np.ndarray, *cols: str) -> pl.DataFrame:
    """person_key plus the person's true name and identity number (and any of sex, birth_date, county)."""
    p = pop.people
    idx = pl.Series(keys)
    out = {"person_key": keys, "name": p["name"].gather(idx), "id_number": p["id18"].gather(idx)}
    for c in cols:
        out[c] = p[c].gather(idx)
    return pl.DataFrame(out)


def registry_facts(pop: Population, keys: np.ndarray) -> pl.DataFrame:
    """Registry facts per key (null for non-registry people), in key order."""
    return pl.DataFrame({"person_key": keys}).join(pop.registry_view(), on="person_key", how="left",
                                                   maintain_order="left")


def place_prefix(county: np.ndarray) -> pl.Series:
    """"哈尔滨市道外区" for districts, "宾县" for counties: how institutions name themselves."""
    df = pl.DataFrame({"county": county.astype(str)}).join(county_names(), on="county", how="left",
                                                           maintain_order="left")
    urban = df["county"].str.slice(4, 2).cast(pl.Int32) < 20
    return df.select(pl.when(urban).then(pl.col("city_name") + pl.col("county_name"))
                     .otherwise(pl.col("county_name"))).to_series()


def company_names(rng: np.random.Generator, county: np.ndarray) -> tuple[pl.Series, np.ndarray]:
    """Company names (`哈尔滨兴安电子科技有限公司`) and their industry index."""
    n = county.size
    df = pl.DataFrame({"county": county.astype(str)}).join(county_names(), on="county", how="left",
                                                           maintain_order="left")
    scope = rng.choice(3, size=n, p=[0.45, 0.4, 0.15])
    prefix = df.select(
        pl.when(pl.lit(scope) == 0).then(pl.col("county_name"))
        .when(pl.lit(scope) == 1).then(pl.col("city_name").str.replace("市$", ""))
        .otherwise(pl.lit("黑龙江"))
    ).to_series()
    chars = pl.Series(list(refdata.BRAND_CHARS))
    a = chars.gather(rng.integers(0, len(chars), n))
    b = chars.gather(rng.integers(0, len(chars), n))
    double = rng.random(n) < 0.08  # 鑫鑫
    brand = pl.Series(np.where(double, (a + a).to_numpy(), (a + b).to_numpy()))
    ind_i = rng.choice(len(refdata.INDUSTRIES), size=n, p=_p([w for _, w in refdata.INDUSTRIES]))
    ind = pl.Series([i for i, _ in refdata.INDUSTRIES]).gather(ind_i)
    return prefix + brand + ind, ind_i


_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_W = np.asarray([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
_ORG_W = np.asarray([3, 7, 9, 10, 5, 8, 4, 2])


def credit_codes(rng: np.random.Generator, county: np.ndarray, entity_type: np.ndarray) -> pl.Series:
    """统一社会信用代码 (GB 32100) with valid organisation-code and overall check characters."""
    n = county.size
    alpha = np.frombuffer(_USCC.encode(), dtype=np.uint8)
    idx = np.zeros((n, 18), dtype=np.int64)
    idx[:, 0] = 9
    idx[:, 1] = entity_type
    cd = county.astype(np.int64)
    for i in range(6):
        idx[:, 2 + i] = (cd // 10 ** (5 - i)) % 10
    idx[:, 8:16] = rng.integers(0, 31, size=(n, 8))
    letter_value = np.asarray([int(c, 36) for c in _USCC])  # GB 11714: A = 10 ... Z = 35
    c9 = 11 - (letter_value[idx[:, 8:16]] * _ORG_W).sum(axis=1) % 11
    c9_char = np.where(c9 == 10, _USCC.index("X"), np.where(c9 == 11, 0, c9))
    idx[:, 16] = c9_char
    c18 = (31 - (idx[:, :17] * _USCC_W).sum(axis=1) % 31) % 31
    idx[:, 17] = c18
    return pl.Series(np.ascontiguousarray(alpha[idx]).view("S18").ravel()).cast(pl.String)


def _school_year(as_of: date) -> str:
    y = as_of.year if as_of.month >= 9 else as_of.year - 1
    return f"{y}-{y + 1}"


# ------------------------------------------------------------------ registry
def frame_registry_persons(pop: Population, rng: np.random.Generator, cfg: DemoConfig) -> pl.DataFrame:
    return pop.members


def frame_registry_households(pop: Population, rng: np.random.Generator, cfg: DemoConfig) -> pl.DataFrame:
    return pop.households.with_columns(person_key=pl.col("head_key"))


# ------------------------------------------------------------------ departments
def frame_edu_students(pop, rng, cfg):
    src = "edu_students"
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible)
    df = people_frame(pop, keys)
    n = keys.size
    age = pop.age[keys]
    stage = np.select([age < 6, age < 12, age < 15, age < 18, age < 22],
                      ["学前", "小学", "初中", np.where(rng.random(n) < 0.8, "高中", "中职"),
                       np.where(rng.random(n) < 0.6, "本科", "高职")], "本科")
    prefix = place_prefix(pop.county[keys]).to_numpy()
    k = rng.integers(1, 25, n).astype(str)
    uni = np.asarray(refdata.UNIVERSITIES, dtype=object)
    ben = uni[uni[:, 1] == "本科", 0]
    gao = uni[uni[:, 1] == "高职", 0]
    school = np.select(
        [stage == "学前", stage == "小学", stage == "初中", stage == "高中", stage == "中职", stage == "高职"],
        [prefix + "第" + k + "幼儿园", prefix + "第" + k + "小学", prefix + "第" + k + "中学",
         prefix + "第" + np.char.mod("%d", rng.integers(1, 9, n)) + "高级中学", prefix + "职业技术学校",
         gao[rng.integers(0, gao.size, n)]],
        ben[rng.integers(0, ben.size, n)],
    )
    reg = registry_facts(pop, keys)
    low_income = (reg["status"] == "有效").fill_null(False).to_numpy()
    aided = rng.random(n) < np.where(low_income, 0.75, 0.12)
    alt = rng.random(n) < 0.5
    programme = np.select(
        [stage == "学前", np.isin(stage, ["小学", "初中"]), np.isin(stage, ["高中", "中职"])],
        ["学前教育资助", "生活补助", np.where(alt, "免学费", "国家助学金")], "国家助学金")
    amount = np.select(
        [stage == "学前", stage == "小学", stage == "初中", (stage == "高中") & alt, np.isin(stage, ["高中", "中职"])],
        [1000.0, 1000.0, 1250.0, 1200.0, 2000.0], 3300.0)
    return df.with_columns(
        school=pl.Series(school.astype(str)),
        stage=pl.Series(stage.astype(str)),
        aid_programme=pl.Series(np.where(aided, programme, None).tolist(), dtype=pl.String),
        aid_amount=pl.Series(np.where(aided, amount, np.nan)).fill_nan(None),
        school_year=pl.lit(_school_year(cfg.as_of)),
    )


def _agency(rng: np.random.Generator, county: np.ndarray) -> pl.Series:
    n = county.size
    df = pl.DataFrame({"county": county.astype(str)}).join(county_names(), on="county", how="left",
                                                           maintain_order="left")
    urban = COUNTY_URBAN[np.searchsorted(COUNTY_CODES, county)] if county.size else np.zeros(0, bool)
    city_level = rng.random(n) < 0.1
    return df.select(
        pl.when(pl.lit(city_level)).then(pl.col("city_name") + "人力资源服务中心")
        .when(pl.lit(urban)).then(pl.col("city_name") + pl.col("county_name") + "就业服务局")
        .otherwise(pl.col("county_name") + "公共就业服务中心")
    ).to_series()


def frame_hrss_unemployed(pop, rng, cfg):
    src = "hrss_unemployed"
    n = n_records(cfg, src)
    emp = pop.members["employment"].to_numpy()
    w = np.select([emp == "失业", emp == "无业"], [6.0, 2.0], 0.3)
    keys = draw_people(pop, rng, cfg, src, n, SPECS[src].eligible, registry_weight=w)
    n = keys.size
    return people_frame(pop, keys, "sex").with_columns(
        registered_on=days_before(rng, ref_day(cfg, src), n, 1, 730),
        employment_aid=pl.Series(yes_no(rng, np.full(n, 0.5))),
        agency=_agency(rng, pop.county[keys]),
    )


def contribution_months(cfg: DemoConfig) -> list[date]:
    """The last `contribution_months` full months before as_of's month, oldest first."""
    y, m = cfg.as_of.year, cfg.as_of.month
    out = []
    for i in range(cfg.contribution_months, 0, -1):
        k = y * 12 + (m - 1) - i
        out.append(date(k // 12, k % 12 + 1, 1))
    return out


def frame_hrss_contributions(pop, rng, cfg):
    src = "hrss_contributions"
    months = contribution_months(cfg)
    m = len(months)
    avg_rows = m * (1 - cfg.contribution_missing_rate * 0.35)
    n_persons = int(round(n_records(cfg, src) / avg_rows))
    emp = pop.members["employment"].to_numpy()
    w = np.where(emp == "在业", 5.0, 0.4)
    keys = draw_people(pop, rng, cfg, src, n_persons, SPECS[src].eligible, registry_weight=w)
    p = keys.size
    # months paid: most people all; some started late, stopped early or missed one month
    paid = np.ones((p, m), dtype=bool)
    missing = rng.random(p) < cfg.contribution_missing_rate
    how = rng.integers(0, 3, p)
    cut = rng.integers(1, max(m // 2, 1) + 1, p)
    col = np.arange(m)[None, :]
    paid &= ~(missing & (how == 0))[:, None] | (col >= cut[:, None])          # started late
    paid &= ~(missing & (how == 1))[:, None] | (col < m - cut[:, None])       # stopped early
    gap = rng.integers(0, m, p)
    paid &= ~(missing & (how == 2))[:, None] | (col != gap[:, None])           # one month missed
    person_i, month_i = np.nonzero(paid)
    in_reg = keys < pop.n_registry
    flexible = rng.random(p) < np.where(in_reg, 0.6, 0.15)
    employer, _ = company_names(rng, pop.county[keys])
    employer = pl.Series(np.where(flexible, pick(rng, [(e, 1) for e in refdata.EMPLOYER_SPECIAL], p).astype(str),
                                  employer.to_numpy()))
    median = np.where(in_reg, 3600.0, 5200.0)
    base = np.clip(np.round(median * np.exp(rng.normal(0, 0.4, p)) / 10) * 10, 3000, 40000)
    per = people_frame(pop, keys).with_columns(employer=employer, contribution_base=pl.Series(base))
    rows = per[person_i].with_columns(
        contribution_month=pl.Series([months[i] for i in range(m)], dtype=pl.Date).gather(month_i))
    return rows.select("person_key", "name", "id_number", "employer", "contribution_month", "contribution_base")


def frame_health_serious_illness(pop, rng, cfg):
    src = "health_serious_illness"
    health = pop.members["health"].to_numpy()
    w = np.select([health == "重病", health == "慢性病"], [10.0, 2.0], 0.5)
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible, registry_weight=w)
    n = keys.size
    table = [((d, c), w) for d, c, w in refdata.DISEASES]
    picked = pick(rng, table, n)
    child_table = [((d, c), w) for d, c, w in refdata.DISEASES if c in ("C91.0", "C92.0", "Q24.9", "D61.9")]
    kid = pop.age[keys] < 18
    picked[kid] = pick(rng, child_table, int(kid.sum()))
    male = pop.male[keys]
    breast = np.asarray([c == "C50.9" for _, c in picked]) & male
    picked[breast] = pick(rng, [(("肺恶性肿瘤", "C34.9"), 1)], int(breast.sum()))
    birth = pop.birth[keys]
    ref = np.datetime64(ref_day(cfg, src), "D")
    span = np.minimum((ref - birth).astype(np.int64), 5 * 365)
    diag = ref - (rng.random(n) * np.maximum(span, 1)).astype(np.int64)
    return people_frame(pop, keys, "sex", "birth_date").with_columns(
        disease=pl.Series([d for d, _ in picked], dtype=pl.String),
        icd10=pl.Series([c for _, c in picked], dtype=pl.String),
        diagnosed_on=pl.Series(diag.astype("datetime64[D]")).cast(pl.Date),
        hospital=pl.Series(pick(rng, [(h, 1) for h in refdata.HOSPITALS], n).astype(str)),
    )


def frame_medins_burden(pop, rng, cfg):
    src = "medins_burden"
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible)
    n = keys.size
    reg = registry_facts(pop, keys)
    cat = reg["assistance_category"].fill_null("").to_numpy()
    active = (reg["status"] == "有效").fill_null(False).to_numpy()
    single = (reg["individually_included"] == "是").fill_null(False).to_numpy()
    tekun = active & np.isin(cat, ["特困分散", "特困集中"])
    dibao = active & ((cat == "低保") | single)
    watch = active & (cat == "返贫监测")
    u = rng.random(n)
    subsidy = np.select(
        [tekun, dibao, watch, active],
        [np.where(u < 0.9, "全额资助", np.where(u < 0.97, "定额资助", "无")),
         np.where(u < 0.25, "全额资助", np.where(u < 0.85, "定额资助", "无")),
         np.where(u < 0.6, "定额资助", "无"),
         np.where(u < 0.15, "定额资助", "无")],
        np.where(u < 0.02, "定额资助", "无"))
    status = pick(rng, [("参保", 0.92), ("未参保", 0.03), ("中断", 0.05)], n)
    spent = rng.random(n) < 0.45
    burden = np.where(spent, np.clip(np.exp(rng.normal(7.6, 1.25, n)), 50, 300_000), 0.0)
    assist = np.where(spent & (active | (rng.random(n) < 0.03)) & (rng.random(n) < 0.6),
                      burden * rng.uniform(0.1, 0.6, n), 0.0)
    return people_frame(pop, keys).with_columns(
        insurance_status=pl.Series(status.astype(str)),
        premium_subsidy=pl.Series(subsidy.astype(str)),
        out_of_pocket_12m=pl.Series(np.round(burden, 2)),
        medical_assistance=pl.Series(np.round(assist, 2)),
    )


def frame_housing(pop, rng, cfg):
    src = "housing"
    hh = pop.households
    heads = hh["head_key"].to_numpy()
    rural = (hh["urban_rural"] == "农村").to_numpy()
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible,
                       registry_weight=np.where(rural, 3.0, 1.0)[np.argsort(heads)],
                       registry_candidates=np.sort(heads))
    n = keys.size
    in_reg = keys < pop.n_registry
    reg = pl.DataFrame({"person_key": keys}).join(
        hh.select(pl.col("head_key").alias("person_key"), "division_code", "urban_rural"),
        on="person_key", how="left", maintain_order="left")
    county = pop.county[keys]
    urban_cty = COUNTY_URBAN[np.searchsorted(COUNTY_CODES, county)]
    other_rural = ~urban_cty | (rng.random(n) < 0.15)
    places = division_and_address(rng, cfg, county, ~other_rural)["division_code"]
    division = reg["division_code"].fill_null(places)
    is_rural = np.where(in_reg, (reg["urban_rural"] == "农村").fill_null(False).to_numpy(), other_rural)
    u = rng.random(n)
    programme = np.where(is_rural, np.where(u < 0.9, "危房改造", "公租房"),
                         np.where(u < 0.05, "危房改造", np.where(u < 0.55, "公租房", "租赁补贴")))
    g = rng.random(n)
    grade = np.where(programme == "危房改造", np.where(g < 0.45, "C级", np.where(g < 0.8, "D级", None)), None)
    progress = pick(rng, [("已完成", 0.6), ("在办", 0.2), ("未办理", 0.2)], n)
    return people_frame(pop, keys).with_columns(
        division_code=division,
        programme=pl.Series(programme.astype(str)),
        danger_grade=pl.Series(grade.tolist(), dtype=pl.String),
        progress=pl.Series(progress.astype(str)),
    )


def frame_emergency_victims(pop, rng, cfg):
    src = "emergency_victims"
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible)
    n = keys.size
    # disasters cluster in the summer months of the last two years
    year_back = rng.integers(0, 2, n)
    month = rng.choice(np.arange(1, 13), size=n, p=_p([1, 1, 1, 2, 3, 5, 9, 10, 6, 2, 1, 1]))
    ref = ref_day(cfg, src)
    y = ref.year - year_back
    months = ((y - 1970) * 12 + month - 1).astype("datetime64[M]").astype("datetime64[D]")
    day = months + rng.integers(0, 28, n)
    latest = np.datetime64(ref, "D")
    day = np.where(day > latest, day - 365, day).astype("datetime64[D]")
    damage = pick(rng, [("无", 0.6), ("一般损坏", 0.25), ("严重损坏", 0.1), ("倒塌", 0.05)], n)
    paid = np.where(rng.random(n) < 0.5, 0.0, np.round(rng.uniform(500, 8000, n) / 10) * 10)
    return people_frame(pop, keys).with_columns(
        disaster_type=pl.Series(pick(rng, refdata.DISASTER_TYPES, n).astype(str)),
        disaster_date=pl.Series(day).cast(pl.Date),
        house_damage=pl.Series(damage.astype(str)),
        relief_paid=pl.Series(paid),
    )


def frame_dpf_disabled(pop, rng, cfg):
    src = "dpf_disabled"
    grade_reg = pop.members["disability_grade"].to_numpy()
    w = np.where(grade_reg != None, 12.0, 0.4)  # noqa: E711 - object array
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible, registry_weight=w)
    n = keys.size
    reg = registry_facts(pop, keys)
    kind = pick(rng, refdata.DISABILITY_KINDS, n).astype(str)
    grade = pick(rng, [("一级", 0.12), ("二级", 0.2), ("三级", 0.3), ("四级", 0.38)], n).astype(str)
    known = reg["disability_grade"].to_numpy()
    grade = np.where(known != None, known, grade).astype(str)  # noqa: E711
    active = (reg["status"] == "有效").fill_null(False).to_numpy()
    living = yes_no(rng, np.where(active, 0.7, 0.1), "已享受", "未享受")
    care = yes_no(rng, np.where(np.isin(grade, ["一级", "二级"]), 0.75, 0.02), "已享受", "未享受")
    df = people_frame(pop, keys).with_columns(
        disability_kind=pl.Series(kind), disability_grade=pl.Series(grade))
    return df.with_columns(
        card_no=pl.col("id_number")
        + pl.col("disability_kind").replace_strict(refdata.DISABILITY_KIND_DIGIT, return_dtype=pl.String)
        + pl.col("disability_grade").replace_strict(refdata.GRADE_DIGIT, return_dtype=pl.String),
        living_subsidy=pl.Series(living), care_subsidy=pl.Series(care),
    )


def frame_acftu_workers(pop, rng, cfg):
    src = "acftu_workers"
    emp = pop.members["employment"].to_numpy()
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible,
                       registry_weight=np.where(emp == "在业", 3.0, 1.0))
    n = keys.size
    employer, _ = company_names(rng, pop.county[keys])
    return people_frame(pop, keys).with_columns(
        employer=employer,
        hardship_type=pl.Series(pick(rng, refdata.HARDSHIP_TYPES, n).astype(str)),
        filed_on=days_before(rng, ref_day(cfg, src), n, 1, 4 * 365),
        aid_status=pl.Series(yes_no(rng, np.full(n, 0.6), "已帮扶", "未帮扶")),
    )


def frame_acwf_two_cancers(pop, rng, cfg):
    src = "acwf_two_cancers"
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible)
    n = keys.size
    cervical = rng.random(n) < 0.45
    stage = np.where(cervical, pick(rng, refdata.CERVICAL_STAGES, n), pick(rng, refdata.BREAST_STAGES, n))
    return people_frame(pop, keys).with_columns(
        cancer=pl.Series(np.where(cervical, "宫颈癌", "乳腺癌")),
        stage=pl.Series(stage.astype(str)),
        diagnosed_on=days_before(rng, ref_day(cfg, src), n, 1, 3 * 365),
        hospital=pl.Series(pick(rng, [(h, 1) for h in refdata.HOSPITALS[:6]], n).astype(str)),
        aided=pl.Series(yes_no(rng, np.full(n, 0.55))),
    )


def frame_agri_monitoring(pop, rng, cfg):
    """One row per member of monitored households: registry households (mostly rural,
    返贫监测 first) and non-registry households made of pool people of one county."""
    src = "agri_monitoring"
    hh = pop.households
    avg = float(np.mean(hh["household_size"].to_numpy())) if hh.height else 2.4
    n_hh = max(int(round(n_records(cfg, src) / avg)), 0)
    n_reg_hh = min(int(round(n_hh * cfg.registry_share.get(src, 0.0))), hh.height)
    cat = hh["assistance_category"].to_numpy()
    rural = (hh["urban_rural"] == "农村").to_numpy()
    w = np.where(cat == "返贫监测", 8.0, 1.0) * np.where(rural, 4.0, 0.3)
    reg_hh = _top_k(rng, np.arange(hh.height), w, n_reg_hh)
    chosen = hh[reg_hh].select("household_id", "head_key", "division_code")
    members = pop.members.select("household_id", "person_key").join(chosen, on="household_id", how="inner",
                                                                    maintain_order="right")
    reg_rows = members.select(pl.col("household_id").alias("hh"), "head_key", "person_key", "division_code")

    # non-registry households: a head (decoys may be heads) plus pool people of the same county
    heads = draw_people(pop, rng, cfg, src, n_hh - n_reg_hh, SPECS[src].eligible, share=0.0)
    sizes = rng.choice([1, 2, 3, 4, 5], size=heads.size, p=[0.3, 0.3, 0.2, 0.15, 0.05])
    pool = np.arange(pop.n_registry, pop.n)
    pool = pool[~pop.is_decoy[pool]]
    order = pool[np.argsort(pop.county[pool], kind="stable")]
    cty_sorted = pop.county[order]
    head_rep = np.repeat(heads, sizes)
    slot = np.arange(head_rep.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    cty = pop.county[head_rep]
    lo = np.searchsorted(cty_sorted, cty, "left")
    hi = np.searchsorted(cty_sorted, cty, "right")
    mem = order[np.minimum(lo + (rng.random(cty.size) * np.maximum(hi - lo, 1)).astype(np.int64), order.size - 1)]
    mem = np.where(slot == 0, head_rep, mem)
    head_urban = COUNTY_URBAN[np.searchsorted(COUNTY_CODES, pop.county[heads])]
    division = division_and_address(rng, cfg, pop.county[heads], head_urban)["division_code"]
    other_rows = pl.DataFrame({
        "hh": pl.Series(np.char.add("X", np.arange(heads.size).astype(str))).gather(np.repeat(np.arange(heads.size), sizes)),
        "head_key": head_rep, "person_key": mem, "division_code": division.gather(np.repeat(np.arange(heads.size), sizes)),
    }).unique(subset=["hh", "person_key"], maintain_order=True)
    rows = pl.concat([reg_rows, other_rows])

    # household-level values, then shuffle households (members stay together)
    hh_ids = rows["hh"].unique(maintain_order=True)
    k = hh_ids.len()
    per_hh = pl.DataFrame({
        "hh": hh_ids,
        "monitoring_type": pick(rng, [("脱贫不稳定户", 0.45), ("边缘易致贫户", 0.4), ("突发严重困难户", 0.15)], k).astype(str),
        "risk_type": pick(rng, refdata.RISK_TYPES, k).astype(str),
        "risk_cleared": yes_no(rng, np.full(k, 0.6)),
        "_order": rng.permutation(k),
    })
    rows = rows.join(per_hh, on="hh", how="left").sort("_order", maintain_order=True)
    p = pop.people
    hk = rows["head_key"]
    mk = rows["person_key"]
    return pl.DataFrame({
        "person_key": mk,
        "head_key": hk,
        "head_name": p["name"].gather(hk),
        "head_id_number": p["id18"].gather(hk),
        "name": p["name"].gather(mk),
        "id_number": p["id18"].gather(mk),
        "division_code": rows["division_code"],
        "monitoring_type": rows["monitoring_type"],
        "risk_type": rows["risk_type"],
        "risk_cleared": rows["risk_cleared"],
    })


def frame_mps_cancellations(pop, rng, cfg):
    src = "mps_cancellations"
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible)
    n = keys.size
    age = pop.age[keys]
    u = rng.random(n)
    p_death = np.clip((age - 40) / 45, 0.02, 0.92)
    reason = np.where(u < p_death, "死亡",
             np.where(u < p_death + (1 - p_death) * 0.9, "迁出",
             np.where((age >= 18) & (age <= 24), "服兵役", "其他")))
    dest_table = ([(d, w * 0.55 / 11.1) for d, w in refdata.DESTINATIONS_IN_PROVINCE]
                  + [(d, w * 0.40 / 11.7) for d, w in refdata.DESTINATIONS_OTHER_PROVINCE]
                  + [(d, w * 0.05 / 0.7) for d, w in refdata.DESTINATIONS_NO_PROVINCE])
    dest = np.where(reason == "迁出", pick(rng, dest_table, n), None)
    return people_frame(pop, keys).with_columns(
        reason=pl.Series(reason.astype(str)),
        cancelled_on=days_before(rng, ref_day(cfg, src), n, 1, 365),
        destination=pl.Series(dest.tolist(), dtype=pl.String),
    )


def _with_repeats(rng: np.random.Generator, keys: np.ndarray, rate: float) -> np.ndarray:
    extra = keys[rng.random(keys.size) < rate]
    out = np.concatenate([keys, extra])
    rng.shuffle(out)
    return out


def frame_vehicles(pop, rng, cfg):
    src = "vehicles"
    n_people = int(round(n_records(cfg, src) / (1 + cfg.second_vehicle_rate)))
    keys = _with_repeats(rng, draw_people(pop, rng, cfg, src, n_people, SPECS[src].eligible),
                         cfg.second_vehicle_rate)
    n = keys.size
    in_reg = keys < pop.n_registry
    reg_w = [0.30, 0.05, 0.02, 0.25, 0.15, 0.20, 0.03]
    oth_w = [0.62, 0.14, 0.02, 0.09, 0.05, 0.06, 0.02]
    vt = np.where(in_reg, pick(rng, list(zip(refdata.VEHICLE_TYPES, reg_w)), n),
                  pick(rng, list(zip(refdata.VEHICLE_TYPES, oth_w)), n))
    return people_frame(pop, keys).with_columns(
        vehicle_type=pl.Series(vt.astype(str)),
        registered_on=days_before(rng, ref_day(cfg, src), n, 1, 15 * 365),
        vehicle_status=pl.Series(pick(rng, [("正常", 0.85), ("注销", 0.08), ("报废", 0.07)], n).astype(str)),
    )


def frame_market_entities(pop, rng, cfg):
    src = "market_entities"
    n_people = int(round(n_records(cfg, src) / (1 + cfg.second_company_rate)))
    keys = _with_repeats(rng, draw_people(pop, rng, cfg, src, n_people, SPECS[src].eligible),
                         cfg.second_company_rate)
    n = keys.size
    county = pop.county[keys]
    company, ind = company_names(rng, county)
    ind_names = np.asarray([i for i, _ in refdata.INDUSTRIES])[ind]
    etype = np.where(np.char.find(ind_names.astype(str), "合作社") >= 0, 3,
                     np.where(np.isin(ind_names, ["超市", "粮油经销处"]), 2, 1))
    capital = pick(rng, refdata.CAPITALS_WAN, n).astype(float)
    return people_frame(pop, keys).with_columns(
        company=company,
        credit_code=credit_codes(rng, county, etype),
        registered_capital=pl.Series(capital),
        entity_status=pl.Series(pick(rng, [("存续", 0.75), ("注销", 0.2), ("吊销", 0.05)], n).astype(str)),
        founded_on=days_before(rng, ref_day(cfg, src), n, 30, 20 * 365),
    )


# ------------------------------------------------------------------ how each source is delivered
@dataclass(frozen=True)
class SourceSpec:
    source: str
    file_stem: str
    fmt: str                                 # csv | xlsx
    headers: tuple[tuple[str, str], ...]     # (canonical column, header as the department writes it)
    frame: FrameFn
    eligible: Eligible = field(default_factory=Eligible)
    sheet: str | None = None
    event_date: str | None = None            # rows dated after a delivery's date are not in it
    money_decimals: tuple[tuple[str, int | None], ...] = ()  # None: shortest (7.5, 30)
    persons_per_record: float = 1.0          # for sizing the non-registry pool

    @property
    def columns(self) -> list[str]:
        return [c for c, _ in self.headers]

    def header(self, column: str) -> str:
        return dict(self.headers)[column]

    def decimals(self, column: str) -> int | None:
        return dict(self.money_decimals).get(column, 2)


def _old(a: np.ndarray) -> np.ndarray:
    return np.clip((a - 20) / 50, 0.05, 1.2)


SPECS: dict[str, SourceSpec] = {s.source: s for s in [
    SourceSpec("registry_households", "低收入人口家庭", "csv", (
        ("household_id", "家庭编号"), ("head_name", "户主姓名"), ("head_id_number", "户主身份证号"),
        ("division_code", "行政区划代码"), ("address", "详细地址"), ("urban_rural", "城乡类别"),
        ("assistance_category", "救助类别"), ("status", "状态"), ("included_on", "纳入日期"),
        ("monthly_benefit", "月救助金额"), ("household_size", "家庭人口数"), ("income_per_head", "家庭月人均收入"),
        ("heating_aid", "取暖救助")), frame_registry_households),
    SourceSpec("registry_persons", "低收入人口成员", "csv", (
        ("household_id", "家庭编号"), ("person_id", "成员编号"), ("name", "姓名"), ("id_number", "身份证号"),
        ("sex", "性别"), ("birth_date", "出生日期"), ("relation", "与户主关系"), ("individually_included", "单独纳入"),
        ("labour_capacity", "劳动能力"), ("health", "健康状况"), ("disability_grade", "残疾等级"),
        ("employment", "就业状况")), frame_registry_persons),
    SourceSpec("edu_students", "学生资助名单", "xlsx", (
        ("record_no", "序号"), ("name", "学生姓名"), ("id_number", "身份证件号"), ("school", "学校名称"),
        ("stage", "学段"), ("aid_programme", "资助项目"), ("aid_amount", "资助金额"), ("school_year", "学年")),
        frame_edu_students, Eligible(3, 24), sheet="学生资助名单", money_decimals=(("aid_amount", 0),)),
    SourceSpec("hrss_unemployed", "登记失业人员", "csv", (
        ("record_no", "序号"), ("name", "姓名"), ("id_number", "公民身份号码"), ("sex", "性别"),
        ("registered_on", "失业登记日期"), ("employment_aid", "就业援助"), ("agency", "经办机构")),
        frame_hrss_unemployed, Eligible(16, 64), event_date="registered_on"),
    SourceSpec("hrss_contributions", "社会保险缴费明细", "csv", (
        ("record_no", "序号"), ("name", "姓名"), ("id_number", "公民身份号码"), ("employer", "单位名称"),
        ("contribution_month", "缴费年月"), ("contribution_base", "缴费基数")),
        frame_hrss_contributions, Eligible(18, 64), event_date="contribution_month", persons_per_record=1 / 5.8),
    SourceSpec("health_serious_illness", "重特大疾病患者", "csv", (
        ("record_no", "序号"), ("name", "患者姓名"), ("id_number", "身份证号码"), ("sex", "性别"),
        ("birth_date", "出生日期"), ("disease", "疾病名称"), ("icd10", "疾病编码"), ("diagnosed_on", "确诊日期"),
        ("hospital", "确诊医院")), frame_health_serious_illness, Eligible(0, 100, age_weight=_old),
        event_date="diagnosed_on"),
    SourceSpec("medins_burden", "参保与个人负担", "csv", (
        ("record_no", "序号"), ("name", "姓名"), ("id_number", "身份证号"), ("insurance_status", "参保状态"),
        ("premium_subsidy", "参保资助类型"), ("out_of_pocket_12m", "近12个月个人负担费用"),
        ("medical_assistance", "医疗救助金额")), frame_medins_burden, Eligible(0, 100)),
    SourceSpec("housing", "住房保障与农村危房", "xlsx", (
        ("record_no", "序号"), ("name", "户主姓名"), ("id_number", "户主身份证号"), ("division_code", "区划代码"),
        ("programme", "保障类型"), ("danger_grade", "危房等级"), ("progress", "办理状态")),
        frame_housing, Eligible(25, 95), sheet="住房保障"),
    SourceSpec("emergency_victims", "受灾人员", "csv", (
        ("record_no", "序号"), ("name", "姓名"), ("id_number", "身份证号"), ("disaster_type", "灾害类型"),
        ("disaster_date", "受灾日期"), ("house_damage", "房屋损毁"), ("relief_paid", "已发放救助金额")),
        frame_emergency_victims, Eligible(0, 100), event_date="disaster_date",
        money_decimals=(("relief_paid", 0),)),
    SourceSpec("dpf_disabled", "持证残疾人", "xlsx", (
        ("record_no", "序号"), ("name", "姓名"), ("id_number", "身份证号码"), ("disability_kind", "残疾类别"),
        ("disability_grade", "残疾等级"), ("card_no", "残疾人证号"), ("living_subsidy", "困难残疾人生活补贴"),
        ("care_subsidy", "重度残疾人护理补贴")), frame_dpf_disabled, Eligible(1, 100, age_weight=_old),
        sheet="持证残疾人"),
    SourceSpec("acftu_workers", "困难职工档案", "csv", (
        ("record_no", "序号"), ("name", "职工姓名"), ("id_number", "身份证号"), ("employer", "工作单位"),
        ("hardship_type", "困难类型"), ("filed_on", "建档日期"), ("aid_status", "帮扶状态")),
        frame_acftu_workers, Eligible(20, 60), event_date="filed_on"),
    SourceSpec("acwf_two_cancers", "两癌患病妇女", "xlsx", (
        ("record_no", "序号"), ("name", "姓名"), ("id_number", "身份证号"), ("cancer", "病种"),
        ("stage", "临床分期"), ("diagnosed_on", "确诊日期"), ("hospital", "确诊医院"), ("aided", "已获救助")),
        frame_acwf_two_cancers,
        Eligible(25, 80, "女", age_weight=lambda a: np.exp(-((a - 52) / 12) ** 2)),
        sheet="两癌救助", event_date="diagnosed_on"),
    SourceSpec("agri_monitoring", "防止返贫监测对象", "csv", (
        ("record_no", "序号"), ("head_name", "户主姓名"), ("head_id_number", "户主身份证号"),
        ("name", "成员姓名"), ("id_number", "成员身份证号"), ("division_code", "区划代码"),
        ("monitoring_type", "监测类型"), ("risk_type", "风险类型"), ("risk_cleared", "风险消除")),
        frame_agri_monitoring, Eligible(22, 90), persons_per_record=1 / 2.4),
    SourceSpec("mps_cancellations", "户籍注销", "csv", (
        ("record_no", "序号"), ("name", "姓名"), ("id_number", "公民身份号码"), ("reason", "注销原因"),
        ("cancelled_on", "注销日期"), ("destination", "迁往地")),
        frame_mps_cancellations, Eligible(0, 100, age_weight=lambda a: 0.3 + np.clip(a - 50, 0, 50) / 10),
        event_date="cancelled_on"),
    SourceSpec("vehicles", "机动车登记", "csv", (
        ("record_no", "序号"), ("name", "所有人姓名"), ("id_number", "所有人证件号码"), ("vehicle_type", "车辆类型"),
        ("registered_on", "初次登记日期"), ("vehicle_status", "车辆状态")),
        frame_vehicles, Eligible(18, 80), event_date="registered_on", persons_per_record=1 / 1.1),
    SourceSpec("market_entities", "市场主体登记", "csv", (
        ("record_no", "序号"), ("company", "企业名称"), ("credit_code", "统一社会信用代码"), ("name", "法定代表人"),
        ("id_number", "法定代表人证件号码"), ("registered_capital", "注册资本(万元)"), ("entity_status", "登记状态"),
        ("founded_on", "成立日期")), frame_market_entities, Eligible(22, 75), event_date="founded_on",
        money_decimals=(("registered_capital", None),), persons_per_record=1 / 1.08),
]}


def pool_size(cfg: DemoConfig, n_registry_persons: int) -> int:
    """How many non-registry people the department sources need: the largest demand of a source
    divided by the share of people who fit it, times a margin. All sources count, selected or
    not, so that a run of a subset of sources writes the same files as a full run."""
    need = 1000.0
    for source in SPECS:
        spec = SPECS[source]
        if source.startswith("registry_"):
            continue
        n = n_records(cfg, source) * spec.persons_per_record
        other = n * (1 - cfg.registry_share.get(source, 0.0))
        need = max(need, other / max(spec.eligible.share(), 0.05))
    return int(need * cfg.nonregistry_pool_factor)
