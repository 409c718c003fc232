"""The fuzzy tier: records without a usable number, matched on name with birth date, sex, county.

Blocking and term frequencies are SQL (sql/linking/fuzzy_*.sql); comparisons and the model are
polars + rapidfuzz over the whole candidate frame at once (pipelines/linking/comparisons.py,
model.py). A record is linked only when its best candidate's posterior reaches the configured
probability and no other known identity fits it; the rest that come close go to review.
"""

from __future__ import annotations

import logging

import duckdb
import numpy as np
import polars as pl

from pipelines.linking.comparisons import compare_pairs
from pipelines.linking.model import Model, estimate_m, estimate_u_close, posteriors, weights
from pipelines.linking.sqlfiles import render

log = logging.getLogger(__name__)
KEY = ["source", "delivery_date", "record_no"]
REVIEW_CANDIDATES = 5


def fit_model(con: duckdb.DuckDBPyConnection, cfg: dict) -> Model:
    con.execute(render("model_samples", model_sample_rows=int(cfg["u_sample_pairs"])))
    n = con.execute("SELECT count(*) FROM registry_people").fetchall()[0][0]
    model = Model(n_registry=max(int(n), 1))
    exact = con.sql("SELECT * FROM exact_pairs").pl()
    model.pairs_for_m = exact.height
    model.m = estimate_m(exact, cfg["fuzzy_name_jaro_winkler"])
    model.u_name_close = estimate_u_close(random_pairs(con), cfg["fuzzy_name_jaro_winkler"])
    valid = con.execute("SELECT share_valid FROM registry_number_quality").fetchall()[0][0] or 0.0
    # A true match's number is inside the interval unless the registry's own number is wrong.
    model.m["number"] = {"within": max(float(valid), 0.5), "outside": max(1 - float(valid), 1e-4)}
    shares = con.execute("SELECT source, share_in_registry FROM source_shares ORDER BY source").fetchall()
    model.share_in_registry = {s: float(v) for s, v in shares}
    return model


def random_pairs(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The two pseudo-random samples (model_samples.sql) paired off in order: random pairs."""
    records = con.sql("SELECT * FROM random_records").pl()
    people = con.sql("SELECT * FROM random_people").pl()
    n = min(records.height, people.height)
    pairs = pl.concat([records.head(n), people.head(n)], how="horizontal")
    empty = {"r_sex": pl.String, "r_birth": pl.Date, "r_birth_year": pl.String, "r_county": pl.String,
             "r_id_lo": pl.Int64, "r_id_hi": pl.Int64, "r_id_digits": pl.Int64, "g_id_num": pl.Int64,
             "g_sex": pl.String, "g_birth": pl.Date, "g_county": pl.String}
    return pairs.with_columns([pl.lit(None, dtype).alias(name) for name, dtype in empty.items()])


def numbers_in_interval(con: duckdb.DuckDBPyConnection, lo: pl.Series, hi: pl.Series) -> pl.Series:
    """How many registry numbers lie in each [lo, hi] (binary search over the sorted numbers)."""
    ids = con.sql("SELECT TRY_CAST(id18 AS BIGINT) AS n FROM registry_people WHERE n IS NOT NULL ORDER BY n").pl()["n"]
    arr = ids.to_numpy()
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


def score_candidates(con: duckdb.DuckDBPyConnection, model: Model, cfg: dict) -> pl.DataFrame:
    con.execute(render("fuzzy_records"))
    con.execute(render("fuzzy_blocking"))
    con.execute(render("fuzzy_pairs_tf"))
    pairs = con.sql("SELECT * FROM fuzzy_pairs_tf").pl()
    if pairs.is_empty():
        return pairs
    pairs = pairs.with_columns(f_number=numbers_in_interval(con, pairs["r_id_lo"], pairs["r_id_hi"]))
    compared = compare_pairs(pairs, cfg["fuzzy_name_jaro_winkler"])
    return posteriors(weights(compared, model), model, cfg["min_share_in_registry"])


def decide(con: duckdb.DuckDBPyConnection, scored: pl.DataFrame, cfg: dict) -> dict[str, int]:
    """Insert fuzzy links and reviews into link_decisions / review_candidates."""
    if scored.is_empty():
        return {"linked": 0, "review": 0}
    best = scored.filter(pl.col("candidate_rank") == 1)
    proposed = best.filter(pl.col("probability") >= cfg["link_probability"])
    con.register("fuzzy_proposed", proposed.select(*KEY, "person_id", "g_id18").to_arrow())
    con.execute(render("twins"))
    con.unregister("fuzzy_proposed")
    twins = con.sql("SELECT * FROM fuzzy_twins").pl()
    linked = proposed.join(twins.select(KEY), on=KEY, how="anti")
    blocked = proposed.join(twins.select(*KEY, "twins"), on=KEY, how="inner")
    unsure = best.filter(
        (pl.col("probability") < cfg["link_probability"]) & (pl.col("probability") >= cfg["review_probability"])
    )
    links = linked.select(
        *KEY, "person_id", pl.lit("fuzzy_name").alias("method"), pl.col("probability").alias("score"),
        pl.lit("link").alias("outcome"), pl.lit(None, pl.String).alias("reason"), _explanation().alias("explanation"),
    )
    reviews = pl.concat([
        blocked.select(*KEY, pl.format("another known person ({} in all) shares the name and birth date",
                                       pl.col("twins")).alias("reason")),
        unsure.select(*KEY, pl.lit("no candidate is clearly the person").alias("reason")),
    ])
    review_rows = reviews.select(
        *KEY, pl.lit(None, pl.String).alias("person_id"), pl.lit("fuzzy_name").alias("method"),
        pl.lit(None, pl.Float64).alias("score"), pl.lit("review").alias("outcome"), "reason",
        pl.lit(None, pl.String).alias("explanation"),
    )
    decisions = pl.concat([links, review_rows]).with_columns(pl.col("delivery_date").cast(pl.Date))
    candidates = scored.join(reviews.select(KEY), on=KEY, how="semi").filter(
        (pl.col("candidate_rank") <= REVIEW_CANDIDATES) & (pl.col("probability") >= 0.001)
    ).select(*KEY, "person_id", pl.col("probability").alias("score"), _explanation().alias("detail"))
    con.register("fuzzy_decisions_df", decisions.to_arrow())
    con.register("fuzzy_candidates_df", candidates.to_arrow())
    con.execute("INSERT INTO link_decisions BY NAME SELECT * FROM fuzzy_decisions_df")
    con.execute("INSERT INTO review_candidates BY NAME SELECT * FROM fuzzy_candidates_df")
    con.unregister("fuzzy_decisions_df")
    con.unregister("fuzzy_candidates_df")
    return {"linked": links.height, "review": reviews.height}
