"""Comparison levels of a record/person pair: how far two names, birth dates, sexes, counties agree.

Vectorised: polars expressions over a frame of candidate pairs, and one rapidfuzz `cpdist`
call (C++, all cores) for the Jaro-Winkler similarity of pinyin where the pinyin differ.
Columns expected: r_name, r_pinyin, r_sex, r_birth, r_birth_year, r_county, r_id_lo, r_id_hi,
r_id_digits (the record's evidence) and g_name, g_pinyin, g_sex, g_birth, g_county, g_id_num
(the registry person's).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

NAME_LEVELS = ["exact", "pinyin", "close", "different"]
BIRTH_LEVELS = ["exact", "year_month", "year", "different", "unknown"]
AGREE_LEVELS = ["agree", "different", "unknown"]


def pinyin_similarity(a: pl.Series, b: pl.Series) -> np.ndarray:
    """Jaro-Winkler similarity of two aligned pinyin columns (1.0 where equal, 0 where missing)."""
    out = np.zeros(len(a), dtype=np.float64)
    equal = (a == b).fill_null(False).to_numpy()
    out[equal] = 1.0
    todo = np.flatnonzero(~equal & a.is_not_null().to_numpy() & b.is_not_null().to_numpy())
    if todo.size:
        left = a.gather(todo).to_list()
        right = b.gather(todo).to_list()
        out[todo] = process.cpdist(left, right, scorer=JaroWinkler.normalized_similarity, workers=-1)
    return out


def name_level(close_threshold: float) -> pl.Expr:
    same_surname = pl.col("r_pinyin").str.split(" ").list.first() == pl.col("g_pinyin").str.split(" ").list.first()
    return (
        pl.when(pl.col("r_name") == pl.col("g_name")).then(pl.lit("exact"))
        .when(pl.col("r_pinyin") == pl.col("g_pinyin")).then(pl.lit("pinyin"))
        .when(same_surname & (pl.col("name_similarity") >= close_threshold)).then(pl.lit("close"))
        .otherwise(pl.lit("different"))
    )


def birth_level() -> pl.Expr:
    """The finest precision at which the record's birth date agrees with the person's."""
    return (
        pl.when(pl.col("g_birth").is_null() | pl.col("r_birth").is_null()).then(pl.lit("unknown"))
        .when(pl.col("r_birth") == pl.col("g_birth")).then(pl.lit("exact"))
        .when(pl.col("r_birth").dt.strftime("%Y%m") == pl.col("g_birth").dt.strftime("%Y%m")).then(pl.lit("year_month"))
        .when(pl.col("r_birth").dt.year() == pl.col("g_birth").dt.year()).then(pl.lit("year"))
        .otherwise(pl.lit("different"))
    )


def number_level() -> pl.Expr:
    """Does the person's number lie inside the interval a mangled number leaves?"""
    return (
        pl.when(pl.col("r_id_lo").is_null()).then(pl.lit("unknown"))
        .when(pl.col("g_id_num").is_null()).then(pl.lit("unknown"))
        .when(pl.col("g_id_num").is_between(pl.col("r_id_lo"), pl.col("r_id_hi"))).then(pl.lit("within"))
        .otherwise(pl.lit("outside"))
    )


def agree_level(r: str, g: str) -> pl.Expr:
    return (
        pl.when(pl.col(r).is_null() | pl.col(g).is_null()).then(pl.lit("unknown"))
        .when(pl.col(r) == pl.col(g)).then(pl.lit("agree"))
        .otherwise(pl.lit("different"))
    )


def compare_pairs(pairs: pl.DataFrame, close_threshold: float) -> pl.DataFrame:
    """Add name_similarity and the comparison levels to a frame of candidate pairs.

    A mangled number's interval already holds the county (from 6 kept digits) and the birth date
    (from 14): those comparisons are then left to the number, not counted twice.
    """
    sim = pinyin_similarity(pairs["r_pinyin"], pairs["g_pinyin"])
    has_range = pl.col("r_id_lo").is_not_null()
    out = pairs.with_columns(pl.Series("name_similarity", sim)).with_columns(
        name_level(close_threshold).alias("name_level"),
        birth_level().alias("birth_level"),
        agree_level("r_sex", "g_sex").alias("sex_level"),
        agree_level("r_county", "g_county").alias("county_level"),
        number_level().alias("number_level"),
    )
    return out.with_columns(
        pl.when(has_range & (pl.col("r_id_digits") >= 14)).then(pl.lit("unknown")).otherwise(pl.col("birth_level"))
        .alias("birth_level"),
        pl.when(has_range & (pl.col("r_id_digits") >= 6)).then(pl.lit("unknown")).otherwise(pl.col("county_level"))
        .alias("county_level"),
    )
