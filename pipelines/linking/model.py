"""The fuzzy tier's probability model: Fellegi–Sunter with term-frequency u-probabilities.

Every parameter is estimated from the run's own data:

- m (how often a true match shows each comparison level) from the pairs the exact tier linked:
  their numbers prove they are the same person, so how their names, sexes, birth dates and
  counties agree is what a true match looks like in these sources (homophones, typos ...).
- u (how often a non-match shows the level by chance) from the registry's frequencies: agreeing
  on 王伟 has u = share of registry persons called 王伟, agreeing on 邬骁骞 perhaps 1/N. That is
  the term-frequency adjustment. Only the "close name" level has no frequency; its u comes from
  random record/person pairs.
- the prior, per source, from the share of that source's valid numbers the exact tier found in
  the registry (a disability extract is mostly registry persons, social-insurance rows are not).

Posterior of candidate c among a record's candidates j (the record is one registry person, or
nobody in the registry):  P(c) = λ·BF_c / (1 + λ·Σ_j BF_j),  λ = p / ((1 − p)·N),
BF = Π m/u over the comparisons. Two candidates that fit equally well each get at most one half.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import polars as pl

from pipelines.linking.comparisons import compare_pairs

BIRTH_ORDER = ["exact", "year_month", "year", "different"]  # finest → coarsest agreement


@dataclass
class Model:
    n_registry: int
    m: dict[str, dict[str, float]] = field(default_factory=dict)
    u_name_close: float = 0.0
    share_in_registry: dict[str, float] = field(default_factory=dict)
    pairs_for_m: int = 0

    def prior_odds(self, source: str, floor: float) -> float:
        p = min(max(self.share_in_registry.get(source, floor), floor), 0.999)
        return p / ((1 - p) * self.n_registry)

    def describe(self) -> dict:
        return {"n_registry": self.n_registry, "m": self.m, "u_name_close": self.u_name_close,
                "share_in_registry": self.share_in_registry, "pairs_for_m": self.pairs_for_m}


def _distribution(levels: pl.Series, names: list[str]) -> dict[str, float]:
    """Level shares with one pseudo-count per level (Laplace), so no level is impossible."""
    known = levels.filter(levels != "unknown")
    counts = known.value_counts()
    by = dict(zip(counts[levels.name].to_list(), counts["count"].to_list()))
    total = known.len() + len(names)
    return {n: (by.get(n, 0) + 1) / total for n in names}


def estimate_m(exact_pairs: pl.DataFrame, close_threshold: float) -> dict[str, dict[str, float]]:
    compared = compare_pairs(exact_pairs, close_threshold)
    return {
        "name": _distribution(compared["name_level"], ["exact", "pinyin", "close", "different"]),
        "birth": _distribution(compared["birth_level"], BIRTH_ORDER),
        "sex": _distribution(compared["sex_level"], ["agree", "different"]),
        "county": _distribution(compared["county_level"], ["agree", "different"]),
    }


def estimate_u_close(random_pairs: pl.DataFrame, close_threshold: float) -> float:
    """Share of random record/person pairs whose names are 'close' (not equal, not homophones)."""
    if random_pairs.is_empty():
        return 1e-4
    compared = compare_pairs(random_pairs, close_threshold)
    close = int((compared["name_level"] == "close").sum())
    return (close + 1) / (compared.height + 2)


def _log2(x: pl.Expr) -> pl.Expr:
    return x.clip(lower_bound=1e-12).log(2)


def weights(pairs: pl.DataFrame, model: Model) -> pl.DataFrame:
    """Add m, u and the log2 Bayes factor of every comparison, and their sum `match_weight`.

    Expects the comparison levels (compare_pairs) and term frequencies joined on: f_name,
    f_pinyin (registry persons sharing the record's name / pinyin), f_date, f_ym, f_year,
    f_sex, f_county, and the record's birth precision `r_precision` (0 date, 1 year-month, 2 year).
    """
    n = float(model.n_registry)
    mn, mb, ms, mc = (model.m[k] for k in ("name", "birth", "sex", "county"))
    floor = 0.5 / n

    name_m = pl.col("name_level").replace_strict(mn, return_dtype=pl.Float64)
    name_u = (
        pl.when(pl.col("name_level") == "exact").then(pl.col("f_name") / n)
        .when(pl.col("name_level") == "pinyin").then(((pl.col("f_pinyin") - pl.col("f_name")) / n).clip(lower_bound=floor))
        .when(pl.col("name_level") == "close").then(pl.lit(model.u_name_close))
        .otherwise(1 - pl.col("f_pinyin") / n - model.u_name_close)
    )
    # Birth: a record known to precision p agrees at p with m = Σ m(levels at least as fine as p).
    cum = [sum(mb[k] for k in BIRTH_ORDER[: i + 1]) for i in range(3)]
    level_ix = pl.col("birth_level").replace_strict({k: i for i, k in enumerate(BIRTH_ORDER)} | {"unknown": -1},
                                                    return_dtype=pl.Int32)
    p = pl.col("r_precision")
    birth_m = (
        pl.when(level_ix == -1).then(pl.lit(1.0))
        .when(level_ix == p).then(pl.when(p == 0).then(cum[0]).when(p == 1).then(cum[1]).otherwise(cum[2]))
        .otherwise(pl.col("birth_level").replace_strict({k: v for k, v in mb.items()}, default=1.0, return_dtype=pl.Float64))
    )
    f_at = {0: pl.col("f_date"), 1: pl.col("f_ym"), 2: pl.col("f_year")}
    birth_u = (
        pl.when(level_ix == -1).then(pl.lit(1.0))
        .when(level_ix == 3).then(1 - pl.col("f_year") / n)
        .when(level_ix == p).then(pl.when(p == 0).then(f_at[0]).when(p == 1).then(f_at[1]).otherwise(f_at[2]) / n)
        .when(level_ix == 1).then((f_at[1] - f_at[0]) / n)
        .otherwise((f_at[2] - f_at[1]) / n)
        .clip(lower_bound=floor)
    )
    def agree(col: str, m: dict, f: str) -> tuple[pl.Expr, pl.Expr]:
        lvl = pl.col(col)
        mm = pl.when(lvl == "agree").then(m["agree"]).when(lvl == "different").then(m["different"]).otherwise(1.0)
        uu = pl.when(lvl == "agree").then(pl.col(f) / n).when(lvl == "different").then(1 - pl.col(f) / n).otherwise(1.0)
        return mm, uu.clip(lower_bound=floor)

    sex_m, sex_u = agree("sex_level", ms, "f_sex")
    county_m, county_u = agree("county_level", mc, "f_county")
    out = pairs.with_columns(
        (_log2(name_m) - _log2(name_u)).alias("w_name"),
        (_log2(birth_m) - _log2(birth_u)).alias("w_birth"),
        (_log2(sex_m) - _log2(sex_u)).alias("w_sex"),
        (_log2(county_m) - _log2(county_u)).alias("w_county"),
    )
    return out.with_columns(match_weight=pl.sum_horizontal("w_name", "w_birth", "w_sex", "w_county"))


def posteriors(weighted: pl.DataFrame, model: Model, floor: float) -> pl.DataFrame:
    """P(record is candidate c) over each record's candidates, from the match weights."""
    key = ["source", "delivery_date", "record_no"]
    priors = pl.DataFrame({
        "source": list(model.share_in_registry) or ["-"],
        "log2_prior": [math.log2(model.prior_odds(s, floor)) for s in (model.share_in_registry or ["-"])],
    })
    default_prior = math.log2(model.prior_odds("", floor))
    w = weighted.join(priors, on="source", how="left").with_columns(pl.col("log2_prior").fill_null(default_prior))
    # λ·BF in log2; normalise with log-sum-exp per record for numerical safety.
    w = w.with_columns((pl.col("log2_prior") + pl.col("match_weight")).alias("log2_odds"))
    w = w.with_columns(pl.col("log2_odds").max().over(key).alias("_mx"))
    w = w.with_columns((2 ** (pl.col("log2_odds") - pl.col("_mx"))).alias("_scaled"))
    w = w.with_columns(pl.col("_scaled").sum().over(key).alias("_sum"))
    # P = 2^lo / (1 + Σ 2^lo) = scaled / (2^-mx + Σ scaled)
    w = w.with_columns((pl.col("_scaled") / (2 ** (-pl.col("_mx")) + pl.col("_sum"))).alias("probability"))
    w = w.with_columns(pl.col("probability").rank("ordinal", descending=True).over(key).alias("candidate_rank"))
    return w.drop("_mx", "_scaled", "_sum")
