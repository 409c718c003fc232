"""Score a run's links against the generator's ground truth (shared by benchmarks and tests).

A link is correct when it names the registry person the record truly belongs to. Decoys are
records of a person who shares name, sex and birth date with a registry person but is not that
person: any link of theirs is wrong.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl

KEY = ["source", "delivery_date", "record_no"]


def truth_records(truth_dir: Path, used: pl.DataFrame) -> pl.DataFrame:
    """Truth rows of the deliveries a run used, with the person's decoy flag."""
    records = pl.read_parquet(truth_dir / "records.parquet").with_columns(pl.col(pl.Enum, pl.Categorical).cast(pl.String))
    people = pl.read_parquet(truth_dir / "people.parquet").select("person_key", "is_decoy")
    records = records.filter(~pl.col("source").str.starts_with("registry_"))
    return records.join(used, on=["source", "delivery_date"]).join(people, on="person_key", how="left")


def used_deliveries(warehouse: Path, as_of: date) -> pl.DataFrame:
    """(source, delivery_date) of the deliveries the run of `as_of` used."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql("SELECT source, delivery_date FROM run_sources WHERE as_of = ? AND status = 'loaded'",
                       params=[as_of]).pl()


def links_and_review(warehouse: Path, as_of: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The run's links, and its review records flagged `in_review`."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        links = con.sql("SELECT source, delivery_date, record_no, person_id, method, score FROM links "
                        "WHERE as_of = ?", params=[as_of]).pl()
        review = con.sql("SELECT source, delivery_date, record_no, true AS in_review FROM review "
                         "WHERE as_of = ?", params=[as_of]).pl()
    return links, review


def score_links(truth: pl.DataFrame, links: pl.DataFrame, review: pl.DataFrame | None = None) -> pl.DataFrame:
    j = truth.join(links, on=KEY, how="left")
    if review is not None:
        j = j.join(review, on=KEY, how="left")
    else:
        j = j.with_columns(in_review=pl.lit(None, pl.Boolean))
    return j.with_columns(
        linked=pl.col("person_id").is_not_null(),
        should=pl.col("true_person_id").is_not_null(),
        correct=(pl.col("person_id") == pl.col("true_person_id")).fill_null(False),
        in_review=pl.col("in_review").fill_null(False),
    )


def summarise(j: pl.DataFrame, by: str | None = None) -> pl.DataFrame:
    aggs = [
        pl.len().alias("records"),
        pl.col("should").sum().alias("in_registry"),
        pl.col("linked").sum().alias("linked"),
        pl.col("correct").sum().alias("correct"),
        (pl.col("linked") & ~pl.col("correct")).sum().alias("wrong"),
        pl.col("in_review").sum().alias("review"),
    ]
    g = j.group_by(by).agg(aggs).sort(by) if by else j.select(aggs)
    return g.with_columns(
        precision=pl.when(pl.col("linked") > 0).then(pl.col("correct") / pl.col("linked")),
        recall=pl.when(pl.col("in_registry") > 0).then(pl.col("correct") / pl.col("in_registry")),
    ).with_columns(f1=2 * pl.col("precision") * pl.col("recall") / (pl.col("precision") + pl.col("recall")))
