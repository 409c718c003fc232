"""The fuzzy tier's two Python models: estimating the Fellegi–Sunter model, and scoring pairs.

Blocking, term frequencies, samples, twins and decisions are SQL models (sql/models/linking/);
only what SQL does badly lives here: comparing names with rapidfuzz (C++, all cores) and the
model arithmetic in polars, over the whole candidate frame at once.
"""

from __future__ import annotations

import json
import logging

import numpy as np
import polars as pl

from pipelines.engine.base import Engine
from pipelines.linking.comparisons import compare_pairs
from pipelines.linking.model import Model, estimate_m, estimate_u_close, posteriors, weights

log = logging.getLogger(__name__)
KEY = ["source", "delivery_date", "record_no"]


def fit_model(engine: Engine, cfg: dict) -> Model:
    """m from the exact tier's pairs, u of a close name from random pairs, priors per source."""
    quality = engine.rows("SELECT share_valid, persons FROM registry_number_quality")
    valid, n = quality[0] if quality else (0.0, 0)
    model = Model(n_registry=max(int(n or 0), 1))
    exact = engine.frame("SELECT * FROM exact_pairs")
    model.pairs_for_m = exact.height
    model.m = estimate_m(exact, cfg["fuzzy_name_jaro_winkler"])
    model.u_name_close = estimate_u_close(random_pairs(engine), cfg["fuzzy_name_jaro_winkler"])
    # A true match's number is inside the interval unless the registry's own number is wrong.
    valid = float(valid or 0.0)
    model.m["number"] = {"within": max(valid, 0.5), "outside": max(1 - valid, 1e-4)}
    shares = engine.rows("SELECT source, share_in_registry FROM source_shares ORDER BY source")
    model.share_in_registry = {s: float(v) for s, v in shares}
    return model


def random_pairs(engine: Engine) -> pl.DataFrame:
    """The two pseudo-random samples paired off in order: random (almost all non-matching) pairs."""
    records = engine.frame("SELECT r_name, r_pinyin FROM random_records ORDER BY k")
    people = engine.frame("SELECT g_name, g_pinyin FROM random_people ORDER BY k")
    n = min(records.height, people.height)
    pairs = pl.concat([records.head(n), people.head(n)], how="horizontal")
    empty = {"r_sex": pl.String, "r_birth": pl.Date, "r_birth_year": pl.String, "r_county": pl.String,
             "r_id_lo": pl.Int64, "r_id_hi": pl.Int64, "r_id_digits": pl.Int64, "g_id_num": pl.Int64,
             "g_sex": pl.String, "g_birth": pl.Date, "g_county": pl.String}
    return pairs.with_columns([pl.lit(None, dtype).alias(name) for name, dtype in empty.items()])


def model_frame(model: Model) -> pl.DataFrame:
    """The fuzzy_model relation: one row, the model as JSON (published as link_models)."""
    return pl.DataFrame({"model": [json.dumps(model.describe(), ensure_ascii=False, sort_keys=True)]})


def model_from_frame(frame: pl.DataFrame) -> Model:
    d = json.loads(frame["model"][0])
    return Model(n_registry=d["n_registry"], m=d["m"], u_name_close=d["u_name_close"],
                 share_in_registry=d["share_in_registry"], pairs_for_m=d["pairs_for_m"])


def numbers_in_interval(engine: Engine, lo: pl.Series, hi: pl.Series) -> pl.Series:
    """How many registry numbers lie in each [lo, hi] (binary search over the sorted numbers)."""
    return count_in_intervals(registry_numbers(engine), lo, hi)


def registry_numbers(engine: Engine) -> np.ndarray:
    """The registry's identity numbers as sorted integers (what a mangled number's interval is
    searched in; shipped once to each Spark executor)."""
    ids = engine.frame("SELECT n FROM (SELECT TRY_CAST(id18 AS BIGINT) AS n FROM registry_people) t "
                       "WHERE n IS NOT NULL ORDER BY n")["n"]
    return ids.to_numpy()


def count_in_intervals(arr: np.ndarray, lo: pl.Series, hi: pl.Series) -> pl.Series:
    lo_np = lo.fill_null(0).to_numpy()
    hi_np = hi.fill_null(-1).to_numpy()
    counts = np.searchsorted(arr, hi_np, side="right") - np.searchsorted(arr, lo_np, side="left")
    return pl.Series("f_number", np.maximum(counts, 0), dtype=pl.Int64)


def _explanation() -> pl.Expr:
    def field(level: str, w: str) -> pl.Expr:
        return pl.struct(pl.col(level).alias("level"), pl.col(w).round(2).alias("weight_bits"))

    return pl.struct(
        pl.lit("fuzzy_name").alias("tier"),
        pl.col("log2_prior").round(2).alias("prior_bits"),
        field("name_level", "w_name").alias("name"),
        field("birth_level", "w_birth").alias("birth_date"),
        field("sex_level", "w_sex").alias("sex"),
        field("county_level", "w_county").alias("county"),
        field("number_level", "w_number").alias("identity_number_interval"),
        pl.col("name_similarity").round(3).alias("pinyin_similarity"),
        pl.col("probability").round(6).alias("probability"),
    ).struct.json_encode()


SCORED = {"source": pl.String, "delivery_date": pl.Date, "record_no": pl.String, "person_id": pl.String,
          "g_id18": pl.String, "probability": pl.Float64, "candidate_rank": pl.Int64, "explanation": pl.String}


def score_candidates(pairs: pl.DataFrame, model: Model, f_number: pl.Series, cfg: dict) -> pl.DataFrame:
    """Every candidate pair with its posterior, its rank among the record's candidates (ties by
    person id, so the rank is the same on every engine) and its explanation."""
    if pairs.is_empty():
        return pl.DataFrame(schema=SCORED)
    pairs = pairs.with_columns(f_number=f_number)
    compared = compare_pairs(pairs, cfg["fuzzy_name_jaro_winkler"])
    scored = posteriors(weights(compared, model), model, cfg["min_share_in_registry"])
    scored = scored.sort([*KEY, "probability", "person_id"], descending=[False, False, False, True, False])
    scored = scored.with_columns(pl.int_range(1, pl.len() + 1).over(KEY).cast(pl.Int64).alias("candidate_rank"))
    return scored.select(*KEY, "person_id", "g_id18", "probability", "candidate_rank",
                         _explanation().alias("explanation")).cast(SCORED)
