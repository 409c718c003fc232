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

from pipelines.linking.comparisons import AGREE_LEVELS, BIRTH_LEVELS, NAME_LEVELS, compare_pairs



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


def _known(levels: list[str]) -> list[str]:
    """The levels a pair of the exact tier can show: both sides carry the field."""
    return [lv for lv in levels if lv != "unknown"]


def estimate_m(exact_pairs: pl.DataFrame, close_threshold: float) -> dict[str, dict[str, float]]:
    compared = compare_pairs(exact_pairs, close_threshold)
    return {
        "name": _distribution(compared["name_level"], NAME_LEVELS),
        "birth": _distribution(compared["birth_level"], _known(BIRTH_LEVELS)),
        "sex": _distribution(compared["sex_level"], _known(AGREE_LEVELS)),
        "county": _distribution(compared["county_level"], _known(AGREE_LEVELS)),
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
    """Add the log2 Bayes factor m/u of every comparison and their sum `match_weight`.

    Expects the comparison levels (compare_pairs) and term frequencies of the record's values:
    f_name, f_pinyin, f_date, f_ym, f_year, f_sex, f_county (registry persons sharing them), and
    f_number (registry persons whose number lies inside the record's mangled-number interval).
    """
    n = float(model.n_registry)
    mn, mb, ms, mc = (model.m[k] for k in ("name", "birth", "sex", "county"))
    floor = 0.5 / n

    def level_map(col: str, mapping: dict[str, float | pl.Expr], default: float = 1.0) -> pl.Expr:
        expr = pl.lit(default)
        for level, value in mapping.items():
            expr = pl.when(pl.col(col) == level).then(value).otherwise(expr)
        return expr

    name_m = level_map("name_level", mn)
    name_u = level_map("name_level", {
        "exact": pl.col("f_name") / n,
        "pinyin": (pl.col("f_pinyin") - pl.col("f_name")) / n,
        "close": pl.lit(model.u_name_close),
        "different": 1 - pl.col("f_pinyin") / n - model.u_name_close,
    })
    birth_m = level_map("birth_level", mb)
    birth_u = level_map("birth_level", {
        "exact": pl.col("f_date") / n,
        "year_month": (pl.col("f_ym") - pl.col("f_date")) / n,
        "year": (pl.col("f_year") - pl.col("f_ym")) / n,
        "different": 1 - pl.col("f_year") / n,
    })
    sex_m = level_map("sex_level", ms)
    sex_u = level_map("sex_level", {"agree": pl.col("f_sex") / n, "different": 1 - pl.col("f_sex") / n})
    county_m = level_map("county_level", mc)
    county_u = level_map("county_level", {"agree": pl.col("f_county") / n, "different": 1 - pl.col("f_county") / n})
    number_m = level_map("number_level", model.m["number"])
    number_u = level_map("number_level", {"within": pl.col("f_number") / n, "outside": 1 - pl.col("f_number") / n})

    def bits(m: pl.Expr, u: pl.Expr) -> pl.Expr:
        return _log2(m) - _log2(u.clip(lower_bound=floor))

    out = pairs.with_columns(
        bits(name_m, name_u).alias("w_name"),
        bits(birth_m, birth_u).alias("w_birth"),
        bits(sex_m, sex_u).alias("w_sex"),
        bits(county_m, county_u).alias("w_county"),
        bits(number_m, number_u).alias("w_number"),
    )
    return out.with_columns(match_weight=pl.sum_horizontal("w_name", "w_birth", "w_sex", "w_county", "w_number"))


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
