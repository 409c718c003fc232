"""One small generator per source: `frame_<source>(pop, rng, cfg) -> pl.DataFrame` of TRUE values.

A frame has a `person_key` column (whose record it is; for agri_monitoring the member, for
housing and registry_households the head) and the source's canonical columns (contract
names, see schemas/<source>.yaml) holding true, clean values: names as registered, 18-character
numbers, `pl.Date` dates, float money, canonical code values. Typing errors, formats, headers
and files come later (`render`, `writers`), so a planting step can add or override rows of
these frames in between.

`SPECS` says, per source, what only the generator knows: file name stem, sheet, who may
appear in it, its event date, money decimals. Format, columns and headers are the contract's
(`schemas/`, read through `pipelines.contracts`), never restated here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

import numpy as np
import polars as pl

from pipelines import contracts
from synthetic import refdata
from synthetic.draw import labels, norm, pick, pick_codes, str_codes, where, yes_no
from synthetic.config import DemoConfig
from synthetic.population import (COUNTY_CODES, COUNTY_URBAN, Population, county_names,
                                       division_and_address, general_age_weights)

FrameFn = Callable[[Population, np.random.Generator, DemoConfig], pl.DataFrame]


# ------------------------------------------------------------------ small helpers
_p = norm


def days_before(rng: np.random.Generator, day: date, n: int, lo: int, hi: int) -> pl.Series:
    """Dates between `hi` and `lo` days before `day` (both included)."""
    d = np.datetime64(day, "D") - rng.integers(lo, hi + 1, n)
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

    def share(self, cfg: DemoConfig) -> float:
        """Expected share of the general (pool) population that is eligible."""
        w = general_age_weights(cfg)
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
    presence = 1.0 if source == cfg.decoy_anchor_source else cfg.decoy_presence.get(source, 0.0)
    decoys = decoys[rng.random(decoys.size) < presence]
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


def _county_frame(county: np.ndarray) -> pl.DataFrame:
    """county (String), city_name, county_name, urban (a 市辖区) per row."""
    return pl.DataFrame({"county": pl.Series(county).cast(pl.String)}).join(
        county_names(), on="county", how="left", maintain_order="left"
    ).with_columns(urban=pl.col("county").str.slice(4, 2).cast(pl.Int32) < 20)


def place_prefix(county: np.ndarray) -> pl.Series:
    """"哈尔滨市道外区" for districts, "宾县" for counties: how institutions name themselves."""
    return _county_frame(county).select(
        pl.when(pl.col("urban")).then(pl.col("city_name") + pl.col("county_name")).otherwise(pl.col("county_name"))
    ).to_series()


def company_names(rng: np.random.Generator, county: np.ndarray) -> tuple[pl.Series, np.ndarray]:
    """Company names (`哈尔滨兴安电子科技有限公司`) and their industry index. The name starts with
    the county, the city or the province (weights `refdata.COMPANY_PREFIX_SCOPE`)."""
    n = county.size
    scope = pl.Series(pick_codes(rng, refdata.COMPANY_PREFIX_SCOPE, n))
    prefix = _county_frame(county).with_columns(scope=scope).select(
        pl.when(pl.col("scope") == 0).then(pl.col("county_name"))
        .when(pl.col("scope") == 1).then(pl.col("city_name").str.replace("市$", ""))
        .otherwise(pl.lit("黑龙江"))
    ).to_series()
    chars = list(refdata.BRAND_CHARS)
    a_i = rng.integers(0, len(chars), n)
    b_i = np.where(rng.random(n) < 0.08, a_i, rng.integers(0, len(chars), n))  # 鑫鑫
    ind_i = pick_codes(rng, [w for _, w in refdata.INDUSTRIES], n)
    name = prefix + labels(chars, a_i) + labels(chars, b_i) + labels([i for i, _ in refdata.INDUSTRIES], ind_i)
    return name, ind_i


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
    idx[:, 16] = np.where(c9 == 10, _USCC.index("X"), np.where(c9 == 11, 0, c9))
    idx[:, 17] = (31 - (idx[:, :17] * _USCC_W).sum(axis=1) % 31) % 31
    return pl.Series(np.ascontiguousarray(alpha[idx]).view("S18").ravel()).cast(pl.String)


def _school_year(day: date) -> str:
    y = day.year if day.month >= 9 else day.year - 1
    return f"{y}-{y + 1}"


def _active(reg: pl.DataFrame) -> np.ndarray:
    """Member of a 有效 registry household (a low-income person)."""
    return (reg["status"] == "有效").fill_null(False).to_numpy()


# ------------------------------------------------------------------ registry
def frame_registry_persons(pop: Population, rng: np.random.Generator, cfg: DemoConfig) -> pl.DataFrame:
    return pop.members


def frame_registry_households(pop: Population, rng: np.random.Generator, cfg: DemoConfig) -> pl.DataFrame:
    return pop.households.with_columns(person_key=pl.col("head_key"))


# ------------------------------------------------------------------ departments
STAGES = ["学前", "小学", "初中", "高中", "中职", "高职", "本科"]


def _shares(d: dict) -> tuple[list, list[float]]:
    """A {label: weight} mix as (labels, weights)."""
    return list(d), [float(v) for v in d.values()]


def _pick_mix(rng: np.random.Generator, d: dict, n: int) -> pl.Series:
    labs, w = _shares(d)
    return labels(labs, pick_codes(rng, w, n))


def frame_edu_students(pop, rng, cfg):
    src = "edu_students"
    mix = cfg.mix_for(src)
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible)
    n = keys.size
    age = pop.age[keys]
    general = rng.random(n) < mix["high_school_general"]
    bachelor = rng.random(n) < mix["university_bachelor"]
    stage = np.select([age < 6, age < 12, age < 15, age < 18, age < 22],
                      [0, 1, 2, np.where(general, 3, 4), np.where(bachelor, 6, 5)], 6)
    ben = [u for u, kind in refdata.UNIVERSITIES if kind == "本科"]
    gao = [u for u, kind in refdata.UNIVERSITIES if kind == "高职"]
    df = pl.DataFrame({
        "prefix": place_prefix(pop.county[keys]), "k": rng.integers(1, 25, n), "h": rng.integers(1, 9, n),
        "stage": stage, "ben": labels(ben, rng.integers(0, len(ben), n)), "gao": labels(gao, rng.integers(0, len(gao), n)),
    })
    c, st = pl.col, pl.col("stage")
    school = df.select(
        pl.when(st == 0).then(c("prefix") + "第" + c("k").cast(pl.String) + "幼儿园")
        .when(st == 1).then(c("prefix") + "第" + c("k").cast(pl.String) + "小学")
        .when(st == 2).then(c("prefix") + "第" + c("k").cast(pl.String) + "中学")
        .when(st == 3).then(c("prefix") + "第" + c("h").cast(pl.String) + "高级中学")
        .when(st == 4).then(c("prefix") + "职业技术学校")
        .when(st == 5).then(c("gao"))
        .otherwise(c("ben"))
    ).to_series()
    low_income = _active(registry_facts(pop, keys))
    aided = rng.random(n) < np.where(low_income, mix["aided"]["low_income"], mix["aided"]["other"])
    free = np.isin(stage, [3, 4]) & (rng.random(n) < mix["free_tuition"])
    programmes = ["学前教育资助", "生活补助", "国家助学金", "免学费", None]
    prog = np.select([stage == 0, np.isin(stage, [1, 2]), free], [0, 1, 3], 2)
    prog = np.where(aided, prog, 4)
    amount = np.asarray([refdata.AID_AMOUNT[s] for s in STAGES])[stage]
    amount = np.where(free, refdata.AID_AMOUNT["免学费"], amount)
    return people_frame(pop, keys).with_columns(
        school=school,
        stage=labels(STAGES, stage),
        aid_programme=labels(programmes, prog),
        aid_amount=pl.Series(np.where(aided, amount, np.nan)).fill_nan(None),
        school_year=pl.lit(_school_year(ref_day(cfg, src))),
    )


def _agency(rng: np.random.Generator, county: np.ndarray, city_share: float) -> pl.Series:
    city_level = pl.Series(rng.random(county.size) < city_share)
    return _county_frame(county).with_columns(city_level=city_level).select(
        pl.when(pl.col("city_level")).then(pl.col("city_name") + "人力资源服务中心")
        .when(pl.col("urban")).then(pl.col("city_name") + pl.col("county_name") + "就业服务局")
        .otherwise(pl.col("county_name") + "公共就业服务中心")
    ).to_series()


def _registry_weight(pop: Population, column: str, weights: dict) -> np.ndarray:
    """Weight per registry person from one of their registry columns ({value: w, "other": w})."""
    values = [k for k in weights if k != "other"]
    codes = str_codes(pop.members[column], values)
    return np.asarray([weights[v] for v in values] + [weights["other"]], dtype=float)[codes]


def frame_hrss_unemployed(pop, rng, cfg):
    src = "hrss_unemployed"
    mix = cfg.mix_for(src)
    w = _registry_weight(pop, "employment", mix["registry_weight"])
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible, registry_weight=w)
    n = keys.size
    return people_frame(pop, keys, "sex").with_columns(
        registered_on=days_before(rng, ref_day(cfg, src), n, 1, mix["registered_within_days"]),
        employment_aid=yes_no(rng, np.full(n, mix["employment_aid"])),
        agency=_agency(rng, pop.county[keys], mix["city_agency"]),
    )


def contribution_months(cfg: DemoConfig) -> list[date]:
    """The last `contribution_months` full months before the delivery's month, oldest first."""
    day = ref_day(cfg, "hrss_contributions")
    out = []
    for i in range(cfg.contribution_months, 0, -1):
        k = day.year * 12 + (day.month - 1) - i
        out.append(date(k // 12, k % 12 + 1, 1))
    return out


def frame_hrss_contributions(pop, rng, cfg):
    """One row per person and month paid, persons together, months in order."""
    src = "hrss_contributions"
    mix = cfg.mix_for(src)
    months = contribution_months(cfg)
    m = len(months)
    avg_rows = m * (1 - cfg.contribution_missing_rate * 0.35)  # ~a third of the months of a gap person
    n_persons = int(round(n_records(cfg, src) / avg_rows))
    w = _registry_weight(pop, "employment", mix["registry_weight"])
    keys = draw_people(pop, rng, cfg, src, n_persons, SPECS[src].eligible, registry_weight=w)
    p = keys.size
    # months paid: most people all; some started late, stopped early or missed one month
    missing = rng.random(p) < cfg.contribution_missing_rate
    how = rng.integers(0, 3, p)
    cut = rng.integers(1, max(m // 2, 1) + 1, p)[:, None]
    gap = rng.integers(0, m, p)[:, None]
    col = np.arange(m)[None, :]
    unpaid = ((how == 0)[:, None] & (col < cut)) | ((how == 1)[:, None] & (col >= m - cut)) \
        | ((how == 2)[:, None] & (col == gap))
    person_i, month_i = np.nonzero(~(missing[:, None] & unpaid))
    in_reg = keys < pop.n_registry
    flexible = rng.random(p) < np.where(in_reg, mix["flexible"]["registry"], mix["flexible"]["other"])
    company, _ = company_names(rng, pop.county[keys])
    special = labels(refdata.EMPLOYER_SPECIAL, rng.integers(0, len(refdata.EMPLOYER_SPECIAL), p))
    median = np.where(in_reg, mix["median_base"]["registry"], mix["median_base"]["other"])
    lo, hi = mix["base_range"]
    base = np.clip(np.round(median * np.exp(rng.normal(0, mix["base_sigma"], p)) / 10) * 10, lo, hi)
    per = people_frame(pop, keys).with_columns(employer=where(flexible, special, company),
                                               contribution_base=pl.Series(base))
    return per[person_i].with_columns(
        contribution_month=pl.Series(months, dtype=pl.Date).gather(month_i)
    ).select("person_key", "name", "id_number", "employer", "contribution_month", "contribution_base")


def frame_health_serious_illness(pop, rng, cfg):
    src = "health_serious_illness"
    mix = cfg.mix_for(src)
    w = _registry_weight(pop, "health", mix["registry_weight"])
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible, registry_weight=w)
    n = keys.size
    names_ = [d for d, _, _ in refdata.DISEASES]
    icd = [c for _, c, _ in refdata.DISEASES]
    disease = pick_codes(rng, [w for _, _, w in refdata.DISEASES], n)
    child = [i for i, c in enumerate(icd) if c in refdata.CHILD_ICD10]
    kid = pop.age[keys] < 18
    disease[kid] = np.asarray(child)[rng.integers(0, len(child), int(kid.sum()))]
    disease[pop.male[keys] & (disease == icd.index("C50.9"))] = icd.index("C34.9")  # 乳房 → 肺 for men
    ref = np.datetime64(ref_day(cfg, src), "D")
    span = np.minimum((ref - pop.birth[keys]).astype(np.int64), mix["diagnosed_within_days"])
    diag = ref - (rng.random(n) * np.maximum(span, 1)).astype(np.int64)
    return people_frame(pop, keys, "sex", "birth_date").with_columns(
        disease=labels(names_, disease),
        icd10=labels(icd, disease),
        diagnosed_on=pl.Series(diag.astype("datetime64[D]")).cast(pl.Date),
        hospital=labels(refdata.HOSPITALS, rng.integers(0, len(refdata.HOSPITALS), n)),
    )


def frame_medins_burden(pop, rng, cfg):
    src = "medins_burden"
    mix = cfg.mix_for(src)
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible)
    n = keys.size
    reg = registry_facts(pop, keys)
    cat = str_codes(reg["assistance_category"], ["特困分散", "特困集中", "低保", "返贫监测"])
    active = _active(reg)
    single = (reg["individually_included"] == "是").fill_null(False).to_numpy()
    who = np.select([active & (cat <= 1), active & ((cat == 2) | single), active & (cat == 3), active], [0, 1, 2, 3], 4)
    table = np.asarray([mix["subsidy"][k] for k in ("tekun", "dibao", "watch", "low_income", "other")], dtype=float)
    p = table[who]
    subsidy = (rng.random((n, 1)) > np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)).sum(axis=1)
    spent = rng.random(n) < mix["spent"]
    lo, hi = mix["burden_range"]
    burden = np.where(spent, np.clip(np.exp(rng.normal(mix["burden_log_mean"], mix["burden_log_sigma"], n)), lo, hi), 0.0)
    a_lo, a_hi = mix["assist_share"]
    assist = np.where(spent & active & (rng.random(n) < mix["assisted"]), burden * rng.uniform(a_lo, a_hi, n), 0.0)
    return people_frame(pop, keys).with_columns(
        insurance_status=_pick_mix(rng, mix["insurance_status"], n),
        premium_subsidy=labels(["全额资助", "定额资助", "无"], np.minimum(subsidy, 2)),
        out_of_pocket_12m=pl.Series(np.round(burden, 2)),
        medical_assistance=pl.Series(np.round(assist, 2)),
    )


def frame_housing(pop, rng, cfg):
    """Heads of households: registry heads (rural ones first) and non-registry adults."""
    src = "housing"
    mix = cfg.mix_for(src)
    hh = pop.households
    heads = hh["head_key"].to_numpy()
    order = np.argsort(heads)
    rural_hh = (hh["urban_rural"] == "农村").to_numpy()
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible,
                       registry_weight=np.where(rural_hh, mix["registry_rural_weight"], 1.0)[order],
                       registry_candidates=heads[order])
    n = keys.size
    in_reg = keys < pop.n_registry
    reg = pl.DataFrame({"person_key": keys}).join(
        hh.select(pl.col("head_key").alias("person_key"), "division_code", "urban_rural"),
        on="person_key", how="left", maintain_order="left")
    county = pop.county[keys]
    other_rural = ~COUNTY_URBAN[np.searchsorted(COUNTY_CODES, county)] | (rng.random(n) < mix["other_rural_in_district"])
    places = division_and_address(rng, cfg, county, ~other_rural)["division_code"]
    rural = np.where(in_reg, (reg["urban_rural"] == "农村").fill_null(False).to_numpy(), other_rural)
    u = rng.random(n)
    renovation, public, rent = 0, 1, 2
    programme = np.where(rural, np.where(u < mix["rural_renovation"], renovation, public),
                         np.where(u < mix["urban_renovation"], renovation,
                                  np.where(u < mix["urban_renovation"] + mix["urban_public"], public, rent)))
    grade = _pick_mix(rng, mix["danger_grade"], n)
    return people_frame(pop, keys).with_columns(
        division_code=reg["division_code"].fill_null(places),
        programme=labels(["危房改造", "公租房", "租赁补贴"], programme),
        danger_grade=where(programme == renovation, grade, pl.Series([None] * n, dtype=pl.String)),
        progress=_pick_mix(rng, mix["progress"], n),
    )


def frame_emergency_victims(pop, rng, cfg):
    src = "emergency_victims"
    mix = cfg.mix_for(src)
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible)
    n = keys.size
    # disasters cluster in the summer months of the last years
    ref = ref_day(cfg, src)
    month = rng.choice(np.arange(1, 13), size=n, p=_p(mix["month_weights"]))
    y = ref.year - rng.integers(0, mix["years_back"], n)
    first = ((y - 1970) * 12 + month - 1).astype("datetime64[M]").astype("datetime64[D]")
    day = first + rng.integers(0, 28, n)
    latest = np.datetime64(ref, "D")
    day = np.where(day > latest, day - 365, day).astype("datetime64[D]")
    lo, hi = mix["paid_range"]
    paid = np.where(rng.random(n) < mix["unpaid"], 0.0, np.round(rng.uniform(lo, hi, n) / 10) * 10)
    return people_frame(pop, keys).with_columns(
        disaster_type=pick(rng, refdata.DISASTER_TYPES, n),
        disaster_date=pl.Series(day).cast(pl.Date),
        house_damage=_pick_mix(rng, mix["damage"], n),
        relief_paid=pl.Series(paid),
    )


def frame_dpf_disabled(pop, rng, cfg):
    src = "dpf_disabled"
    mix = cfg.mix_for(src)
    known = pop.members["disability_grade"].is_not_null().to_numpy()
    w = np.where(known, mix["registry_weight"]["disabled"], mix["registry_weight"]["other"])
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible, registry_weight=w)
    n = keys.size
    reg = registry_facts(pop, keys)
    grade = reg["disability_grade"].fill_null(_pick_mix(rng, mix["grades"], n))  # the registry's grade if known
    severe = grade.is_in(["一级", "二级"]).to_numpy()
    df = people_frame(pop, keys).with_columns(
        disability_kind=pick(rng, refdata.DISABILITY_KINDS, n), disability_grade=grade)
    living, care = mix["living_subsidy"], mix["care_subsidy"]
    return df.with_columns(
        card_no=pl.col("id_number")
        + pl.col("disability_kind").replace_strict(refdata.DISABILITY_KIND_DIGIT, return_dtype=pl.String)
        + pl.col("disability_grade").replace_strict(refdata.GRADE_DIGIT, return_dtype=pl.String),
        living_subsidy=yes_no(rng, np.where(_active(reg), living["low_income"], living["other"]), "已享受", "未享受"),
        care_subsidy=yes_no(rng, np.where(severe, care["severe"], care["other"]), "已享受", "未享受"),
    )


def frame_acftu_workers(pop, rng, cfg):
    src = "acftu_workers"
    mix = cfg.mix_for(src)
    w = _registry_weight(pop, "employment", mix["registry_weight"])
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible, registry_weight=w)
    n = keys.size
    employer, _ = company_names(rng, pop.county[keys])
    return people_frame(pop, keys).with_columns(
        employer=employer,
        hardship_type=pick(rng, refdata.HARDSHIP_TYPES, n),
        filed_on=days_before(rng, ref_day(cfg, src), n, 1, mix["filed_within_days"]),
        aid_status=yes_no(rng, np.full(n, mix["aided"]), "已帮扶", "未帮扶"),
    )


def frame_acwf_two_cancers(pop, rng, cfg):
    src = "acwf_two_cancers"
    mix = cfg.mix_for(src)
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible)
    n = keys.size
    cervical = rng.random(n) < mix["cervical"]
    return people_frame(pop, keys).with_columns(
        cancer=labels(["乳腺癌", "宫颈癌"], cervical.astype(np.int64)),
        stage=where(cervical, pick(rng, refdata.CERVICAL_STAGES, n), pick(rng, refdata.BREAST_STAGES, n)),
        diagnosed_on=days_before(rng, ref_day(cfg, src), n, 1, mix["diagnosed_within_days"]),
        hospital=labels(refdata.CANCER_HOSPITALS, rng.integers(0, len(refdata.CANCER_HOSPITALS), n)),
        aided=yes_no(rng, np.full(n, mix["aided"])),
    )


def frame_agri_monitoring(pop, rng, cfg):
    """One row per member of monitored households: registry households (mostly rural,
    返贫监测 first) and non-registry households made of pool people of one county."""
    src = "agri_monitoring"
    mix = cfg.mix_for(src)
    hh = pop.households
    avg = float(hh["household_size"].mean()) if hh.height else 2.4
    n_hh = max(int(round(n_records(cfg, src) / avg)), 0)
    n_reg_hh = min(int(round(n_hh * cfg.registry_share.get(src, 0.0))), hh.height)
    watch = (hh["assistance_category"] == "返贫监测").to_numpy()
    rural = (hh["urban_rural"] == "农村").to_numpy()
    wt = mix["weight"]
    w = np.where(watch, wt["返贫监测"], wt["other"]) * np.where(rural, wt["rural"], wt["urban"])
    chosen = hh[_top_k(rng, np.arange(hh.height), w, n_reg_hh)].select("household_id", "head_key", "division_code")
    reg_rows = pop.members.select("household_id", "person_key").join(
        chosen, on="household_id", how="inner", maintain_order="right"
    ).select(pl.col("household_id").alias("hh"), "head_key", "person_key", "division_code")

    # non-registry households: a head (decoys may be heads) plus pool people of the same county
    heads = draw_people(pop, rng, cfg, src, n_hh - n_reg_hh, SPECS[src].eligible, share=0.0)
    size_labels, size_w = _shares(mix["other_sizes"])
    sizes = np.asarray(size_labels, dtype=np.int64)[pick_codes(rng, size_w, heads.size)]
    pool = np.arange(pop.n_registry, pop.n)
    pool = pool[~pop.is_decoy[pool]]
    pool = pool[np.argsort(pop.county[pool], kind="stable")]
    pool_county = pop.county[pool]
    hh_of = np.repeat(np.arange(heads.size), sizes)
    slot = np.arange(hh_of.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    cty = pop.county[heads][hh_of]
    lo = np.searchsorted(pool_county, cty, "left")
    hi = np.searchsorted(pool_county, cty, "right")
    member = pool[np.minimum(lo + (rng.random(cty.size) * np.maximum(hi - lo, 1)).astype(np.int64), pool.size - 1)]
    member = np.where(slot == 0, heads[hh_of], member)
    head_urban = COUNTY_URBAN[np.searchsorted(COUNTY_CODES, pop.county[heads])]
    division = division_and_address(rng, cfg, pop.county[heads], head_urban)["division_code"]
    other_rows = pl.DataFrame({
        "hh": "X" + pl.Series(hh_of).cast(pl.String), "head_key": heads[hh_of], "person_key": member,
        "division_code": division.gather(hh_of),
    }).unique(subset=["hh", "person_key"], maintain_order=True)
    rows = pl.concat([reg_rows, other_rows])

    # household-level values, then households in random order (members stay together)
    hh_ids = rows["hh"].unique(maintain_order=True)
    k = hh_ids.len()
    per_hh = pl.DataFrame({
        "hh": hh_ids,
        "monitoring_type": _pick_mix(rng, mix["monitoring_type"], k),
        "risk_type": pick(rng, refdata.RISK_TYPES, k),
        "risk_cleared": yes_no(rng, np.full(k, mix["risk_cleared"])),
        "_order": rng.permutation(k),
    })
    rows = rows.join(per_hh, on="hh", how="left").sort("_order", maintain_order=True)
    p = pop.people
    hk, mk = rows["head_key"], rows["person_key"]
    return pl.DataFrame({
        "person_key": mk, "head_key": hk,
        "head_name": p["name"].gather(hk), "head_id_number": p["id18"].gather(hk),
        "name": p["name"].gather(mk), "id_number": p["id18"].gather(mk),
        "division_code": rows["division_code"], "monitoring_type": rows["monitoring_type"],
        "risk_type": rows["risk_type"], "risk_cleared": rows["risk_cleared"],
    })


def frame_mps_cancellations(pop, rng, cfg):
    src = "mps_cancellations"
    mix = cfg.mix_for(src)
    keys = draw_people(pop, rng, cfg, src, n_records(cfg, src), SPECS[src].eligible)
    n = keys.size
    age = pop.age[keys]
    u = rng.random(n)
    d = mix["death_by_age"]
    p_death = np.clip((age - d["from"]) / d["span"], d["min"], d["max"])
    death, away, army, other = 0, 1, 2, 3
    reason = np.where(u < p_death, death,
                      np.where(u < p_death + (1 - p_death) * mix["moved_share"], away,
                               np.where((age >= 18) & (age <= 24), army, other)))
    shares = mix["destination"]
    groups = ((refdata.DESTINATIONS_IN_PROVINCE, shares["in_province"]),
              (refdata.DESTINATIONS_OTHER_PROVINCE, shares["other_province"]),
              (refdata.DESTINATIONS_NO_PROVINCE, shares["no_province"]))
    table = [(dest, w * share / sum(x for _, x in group)) for group, share in groups for dest, w in group]
    destination = where(reason == away, pick(rng, table, n), pl.Series([None] * n, dtype=pl.String))
    return people_frame(pop, keys).with_columns(
        reason=labels(["死亡", "迁出", "服兵役", "其他"], reason),
        cancelled_on=days_before(rng, ref_day(cfg, src), n, 1, mix["cancelled_within_days"]),
        destination=destination,
    )


def _with_repeats(rng: np.random.Generator, keys: np.ndarray, rate: float) -> np.ndarray:
    """Some people twice (a second vehicle, a second company)."""
    out = np.concatenate([keys, keys[rng.random(keys.size) < rate]])
    rng.shuffle(out)
    return out


def frame_vehicles(pop, rng, cfg):
    src = "vehicles"
    mix = cfg.mix_for(src)
    n_people = int(round(n_records(cfg, src) / (1 + cfg.second_vehicle_rate)))
    keys = _with_repeats(rng, draw_people(pop, rng, cfg, src, n_people, SPECS[src].eligible),
                         cfg.second_vehicle_rate)
    n = keys.size
    vt = np.where(keys < pop.n_registry, pick_codes(rng, mix["types_registry"], n), pick_codes(rng, mix["types_other"], n))
    return people_frame(pop, keys).with_columns(
        vehicle_type=labels(refdata.VEHICLE_TYPES, vt),
        registered_on=days_before(rng, ref_day(cfg, src), n, 1, mix["registered_within_days"]),
        vehicle_status=_pick_mix(rng, mix["status"], n),
    )


def frame_market_entities(pop, rng, cfg):
    src = "market_entities"
    mix = cfg.mix_for(src)
    n_people = int(round(n_records(cfg, src) / (1 + cfg.second_company_rate)))
    keys = _with_repeats(rng, draw_people(pop, rng, cfg, src, n_people, SPECS[src].eligible),
                         cfg.second_company_rate)
    n = keys.size
    county = pop.county[keys]
    company, ind = company_names(rng, county)
    kind = np.asarray([3 if "合作社" in i else 2 if i in ("超市", "粮油经销处") else 1 for i, _ in refdata.INDUSTRIES])
    capital = np.asarray([c for c, _ in refdata.CAPITALS_WAN], dtype=float)
    lo, hi = mix["founded_days"]
    return people_frame(pop, keys).with_columns(
        company=company,
        credit_code=credit_codes(rng, county, kind[ind]),
        registered_capital=pl.Series(capital[pick_codes(rng, [w for _, w in refdata.CAPITALS_WAN], n)]),
        entity_status=_pick_mix(rng, mix["status"], n),
        founded_on=days_before(rng, ref_day(cfg, src), n, lo, hi),
    )


def frame_staff_roster(pop, rng, cfg):
    """民政厅's roster of village/community cadres and assistance staff: one row per staff member
    for themselves (relative columns blank), then one row per near relative they declared (pool
    people mostly, some registry persons), in random order of staff members. relative_key is the
    relative's person_key (-1 on a staff member's own row)."""
    src = "staff_roster"
    mix = cfg.mix_for(src)
    counts_l, counts_w = _shares(mix["relatives"])
    per_staff = 1 + sum(int(k) * w for k, w in zip(counts_l, counts_w)) / sum(counts_w)
    staff = draw_people(pop, rng, cfg, src, int(round(n_records(cfg, src) / per_staff)), SPECS[src].eligible)
    n = staff.size
    county = pop.county[staff]
    urban = COUNTY_URBAN[np.searchsorted(COUNTY_CODES, county)]
    division = division_and_address(rng, cfg, county, urban)["division_code"]
    township = pl.Series(rng.random(n) < mix["township_staff"])
    division = division.zip_with(~township, division.str.slice(0, 9) + "000")
    position = _pick_mix(rng, mix["positions"], n)
    k = np.asarray(counts_l, dtype=np.int64)[pick_codes(rng, counts_w, n)]
    of = np.repeat(np.arange(n), k)
    relatives = draw_people(pop, rng, cfg, src, of.size, Eligible(0, 100), share=mix["relative_in_registry"])
    of = of[: relatives.size]
    p = pop.people
    own = pl.DataFrame({"s": np.arange(n), "slot": np.zeros(n, dtype=np.int64), "person_key": staff,
                        "relative_key": np.full(n, -1, dtype=np.int64)})
    rel = pl.DataFrame({"s": of, "slot": np.arange(of.size, dtype=np.int64) + 1, "person_key": staff[of],
                        "relative_key": relatives.astype(np.int64)})
    rows = pl.concat([own, rel]).join(pl.DataFrame({"s": np.arange(n), "_order": rng.permutation(n)}), on="s")
    rows = rows.sort("_order", "slot")
    s, rk = rows["s"].to_numpy(), rows["relative_key"].to_numpy()
    has = rk >= 0
    safe = np.where(has, rk, 0)
    blank = pl.Series([None] * rows.height, dtype=pl.String)
    m = rows.height
    return pl.DataFrame({
        "person_key": rows["person_key"], "relative_key": rows["relative_key"],
        "name": p["name"].gather(rows["person_key"]), "id_number": p["id18"].gather(rows["person_key"]),
        "position": position.gather(s), "division_code": division.gather(s),
        "relative_name": where(has, p["name"].gather(safe), blank),
        "relative_id_number": where(has, p["id18"].gather(safe), blank),
        "relation": where(has, _pick_mix(rng, mix["relation"], m), blank),
        "filed_assistance": where(has, _pick_mix(rng, mix["filed"], m), blank),
    })


# ------------------------------------------------------------------ how each source is delivered
@dataclass(frozen=True)
class SourceSpec:
    """What the generator knows about delivering a source beyond its contract: the file name
    and sheet this demo department uses, who may appear in it, its event date, how it writes
    money. Format, columns (in file order) and headers come from `schemas/<source>.yaml`."""

    source: str
    file_stem: str
    frame: FrameFn
    eligible: Eligible = field(default_factory=Eligible)
    sheet: str | None = None
    event_date: str | None = None            # rows dated after a delivery's date are not in it
    money_decimals: tuple[tuple[str, int | None], ...] = ()  # None: shortest (7.5, 30)
    persons_per_record: float = 1.0          # for sizing the non-registry pool

    @property
    def contract(self) -> contracts.Contract:
        return contracts.contract(self.source)

    @property
    def fmt(self) -> str:
        """csv | xlsx, as the contract says."""
        return self.contract.format

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        """(canonical column, header the department writes): every contract column, in the
        contract's order, under its first header."""
        return tuple((c.name, c.headers[0]) for c in self.contract.columns)

    @property
    def columns(self) -> list[str]:
        return [c for c, _ in self.headers]

    def header(self, column: str) -> str:
        return self.contract.column(column).headers[0]

    def decimals(self, column: str) -> int | None:
        return dict(self.money_decimals).get(column, 2)


def _old(a: np.ndarray) -> np.ndarray:
    return np.clip((a - 20) / 50, 0.05, 1.2)


SPECS: dict[str, SourceSpec] = {s.source: s for s in [
    SourceSpec("registry_households", "低收入人口家庭", frame_registry_households),
    SourceSpec("registry_persons", "低收入人口成员", frame_registry_persons),
    SourceSpec("edu_students", "学生资助名单", frame_edu_students, Eligible(3, 24), sheet="学生资助名单",
               money_decimals=(("aid_amount", 0),)),
    SourceSpec("hrss_unemployed", "登记失业人员", frame_hrss_unemployed, Eligible(16, 64), event_date="registered_on"),
    SourceSpec("hrss_contributions", "社会保险缴费明细", frame_hrss_contributions, Eligible(18, 64),
               event_date="contribution_month", persons_per_record=1 / 5.8),
    SourceSpec("health_serious_illness", "重特大疾病患者", frame_health_serious_illness,
               Eligible(0, 100, age_weight=_old), event_date="diagnosed_on"),
    SourceSpec("medins_burden", "参保与个人负担", frame_medins_burden, Eligible(0, 100)),
    SourceSpec("housing", "住房保障与农村危房", frame_housing, Eligible(25, 95), sheet="住房保障"),
    SourceSpec("emergency_victims", "受灾人员", frame_emergency_victims, Eligible(0, 100), event_date="disaster_date",
               money_decimals=(("relief_paid", 0),)),
    SourceSpec("dpf_disabled", "持证残疾人", frame_dpf_disabled, Eligible(1, 100, age_weight=_old), sheet="持证残疾人"),
    SourceSpec("acftu_workers", "困难职工档案", frame_acftu_workers, Eligible(20, 60), event_date="filed_on"),
    SourceSpec("acwf_two_cancers", "两癌患病妇女", frame_acwf_two_cancers,
               Eligible(25, 80, "女", age_weight=lambda a: np.exp(-((a - 52) / 12) ** 2)),
               sheet="两癌救助", event_date="diagnosed_on"),
    SourceSpec("agri_monitoring", "防止返贫监测对象", frame_agri_monitoring, Eligible(22, 90), persons_per_record=1 / 2.4),
    SourceSpec("mps_cancellations", "户籍注销", frame_mps_cancellations,
               Eligible(0, 100, age_weight=lambda a: 0.3 + np.clip(a - 50, 0, 50) / 10), event_date="cancelled_on"),
    SourceSpec("vehicles", "机动车登记", frame_vehicles, Eligible(18, 80), event_date="registered_on",
               persons_per_record=1 / 1.1),
    SourceSpec("market_entities", "市场主体登记", frame_market_entities, Eligible(22, 75), event_date="founded_on",
               money_decimals=(("registered_capital", None),), persons_per_record=1 / 1.08),
    SourceSpec("staff_roster", "干部和经办人员近亲属备案", frame_staff_roster, Eligible(22, 65), sheet="备案名单",
               persons_per_record=0.45),
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
        need = max(need, other / max(spec.eligible.share(cfg), 0.05))
    return int(need * cfg.nonregistry_pool_factor)
