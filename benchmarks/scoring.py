"""Run a night of a generated landing zone without publishing it, and score what it found against
the generator's ground truth (shared by the benchmarks and tests).

A night here is the real pipeline's steps (pipelines.orchestrate: stage, load, link, rules) on a
fresh warehouse, stopped before the outputs gate and publishing: nothing is published, so a
benchmark can read the night's relations (links, review, warnings_found ...) and can re-run the
rules step on other links. `oracle_warnings` does that with the true links (every record tied to
the person it belongs to, no identity left unresolved): the warnings a perfect linker would
give, the yardstick of warning precision and recall.

A link is correct when it names the registry person the record truly belongs to. Decoys are
records of a person who shares name, sex and birth date with a registry person but is not that
person: any link of theirs is wrong.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

KEY = ["source", "delivery_date", "record_no"]
LINK_COLUMNS = {"source": pl.String, "delivery_date": pl.Date, "record_no": pl.String, "person_id": pl.String,
                "method": pl.String, "score": pl.Float64}


# --------------------------------------------------------------------------- a night
@dataclass
class StagedNight:
    """A night begun on a fresh warehouse, its deliveries staged and loaded (pipelines.orchestrate)."""

    night: object            # pipelines.orchestrate.Night
    seconds: dict[str, float]

    @property
    def as_of(self) -> date:
        return self.night.as_of

    def frame(self, sql: str, params: dict | None = None) -> pl.DataFrame:
        """A query over the night in progress: its work catalog, scratch and tonight's night files."""
        from pipelines.store import night

        with self.night.engine() as eng:
            night.tonight_views(eng, self.night.lay, self.as_of)
            return eng.frame(sql, params)


def fresh_warehouse(warehouse: Path) -> None:
    from pipelines.store.layout import layout

    lay = layout(warehouse)
    for part in (lay.work, lay.data, lay.staging, lay.out, lay.spill):
        shutil.rmtree(part, ignore_errors=True)
    for f in (lay.published, lay.lock):
        f.unlink(missing_ok=True)


def stage_night(landing: Path, warehouse: Path, as_of: date) -> StagedNight:
    """Discover, stage and load a date's deliveries into a new warehouse (no lease: a private one)."""
    import time

    from pipelines.orchestrate import (Night, discover_step, load_step, new_run_id, night_deliveries,
                                       split_results, stage_step)
    from pipelines.store import night
    from pipelines.store.layout import layout

    fresh_warehouse(warehouse)
    t0 = time.perf_counter()
    discovery = discover_step(landing, as_of)
    results = [stage_step(d, warehouse) for d in night_deliveries(discovery)]
    newest, earlier = split_results(discovery, results)
    nt = Night(layout(warehouse), as_of, new_run_id())
    night.begin(nt.lay, nt.run_id)
    load_step(nt, discovery, newest, earlier)
    return StagedNight(nt, {"ingest": time.perf_counter() - t0})


def link_night(staged: StagedNight) -> None:
    import time

    from pipelines.orchestrate import link_step

    t0 = time.perf_counter()
    link_step(staged.night)
    staged.seconds["link"] = time.perf_counter() - t0


def rules_night(staged: StagedNight) -> None:
    import time

    from pipelines.orchestrate import rules_step

    t0 = time.perf_counter()
    rules_step(staged.night)
    staged.seconds["rules"] = time.perf_counter() - t0


def used_deliveries(staged: StagedNight) -> pl.DataFrame:
    """(source, delivery_date) of the deliveries the night used."""
    return staged.frame("SELECT source, delivery_date FROM run_sources WHERE as_of = $d AND status = 'loaded'",
                        {"d": staged.as_of})


def links_and_review(staged: StagedNight) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The night's links, and its review records flagged `in_review`."""
    links = staged.frame("SELECT source, delivery_date, record_no, person_id, method, score FROM links")
    review = staged.frame("SELECT source, delivery_date, record_no, true AS in_review FROM review")
    return links, review


def warnings_of(staged: StagedNight) -> pl.DataFrame:
    """The night's warnings as found (rule, subject) with their person, number and county."""
    return staged.frame("SELECT rule_code, subject_key, person_id, household_id, id_number, name, county_code "
                        "FROM warnings_found")


def held_of(staged: StagedNight) -> pl.DataFrame:
    """Records an absence rule held back (身份待核实), when the code has the mechanism."""
    try:
        return staged.frame("SELECT rule_code, source, delivery_date, record_no FROM identity_pending")
    except Exception:   # a night of code before issue 13
        return pl.DataFrame(schema={"rule_code": pl.String, "source": pl.String, "delivery_date": pl.Date,
                                    "record_no": pl.String})


def oracle_warnings(staged: StagedNight, truth: pl.DataFrame) -> pl.DataFrame:
    """The warnings of the night's rules over the TRUE links (each record tied to the registry
    person it belongs to; nothing unresolved): the night's links file is replaced by the truth, and
    the rules step runs again. Call after the night's own warnings were read."""
    from pipelines.store import night

    nt = staged.night
    true_links = (truth.filter(pl.col("true_person_id").is_not_null())
                  .select(*KEY, pl.col("true_person_id").alias("person_id"), pl.lit("truth").alias("method"),
                          pl.lit(1.0).alias("score")).cast(LINK_COLUMNS))
    path = night.night_path(nt.lay, "links", nt.as_of, nt.run_id)
    true_links.write_parquet(path)
    with nt.engine() as eng:
        if eng.exists("unresolved_records"):
            eng.run("DELETE FROM unresolved_records")
    rules_night(staged)
    return warnings_of(staged)


# --------------------------------------------------------------------------- truth
def truth_records(truth_dir: Path, used: pl.DataFrame) -> pl.DataFrame:
    """Truth rows of the deliveries a night used, with the person's decoy flag."""
    records = pl.read_parquet(truth_dir / "records.parquet").with_columns(
        pl.col(pl.Enum, pl.Categorical).cast(pl.String))
    people = pl.read_parquet(truth_dir / "people.parquet").select("person_key", "is_decoy")
    records = records.filter(~pl.col("source").str.starts_with("registry_"))
    return records.join(used, on=["source", "delivery_date"]).join(people, on="person_key", how="left")


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


def summarise(j: pl.DataFrame, by: str | list[str] | None = None) -> pl.DataFrame:
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


# --------------------------------------------------------------------------- warnings
WARNING_KEY = ["rule_code", "subject_key"]


def score_warnings(found: pl.DataFrame, oracle: pl.DataFrame, rules: list[str]) -> pl.DataFrame:
    """Per rule (and in all): warnings found, true ones (also the oracle's), the oracle's count,
    precision and recall against the oracle."""
    f = found.select(WARNING_KEY).unique().with_columns(found=pl.lit(True))
    o = oracle.select(WARNING_KEY).unique().with_columns(true=pl.lit(True))
    j = f.join(o, on=WARNING_KEY, how="full", coalesce=True).with_columns(
        pl.col("found").fill_null(False), pl.col("true").fill_null(False))
    per = j.group_by("rule_code").agg(
        pl.col("found").sum().alias("found"), (pl.col("found") & pl.col("true")).sum().alias("correct"),
        pl.col("true").sum().alias("oracle"))
    per = pl.DataFrame({"rule_code": rules}).join(per, on="rule_code", how="left").fill_null(0)
    total = per.select(pl.lit("ALL").alias("rule_code"), pl.col("found").sum(), pl.col("correct").sum(),
                       pl.col("oracle").sum())
    out = pl.concat([per.sort("rule_code"), total])
    return out.with_columns(
        precision=pl.when(pl.col("found") > 0).then(pl.col("correct") / pl.col("found")),
        recall=pl.when(pl.col("oracle") > 0).then(pl.col("correct") / pl.col("oracle")),
    )


def planted_recall(found: pl.DataFrame, planted: pl.DataFrame) -> pl.DataFrame:
    """Per rule: planted cases that must fire, how many were found, and planted near misses that
    fired anyway (by rule and person, or identity number for MONITORING_INTAKE, as tests/test_e2e_demo.py)."""
    def keyed(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.select("rule_code", pl.coalesce("person_id", "id_number").alias("who")).unique()

    got = keyed(found).with_columns(hit=pl.lit(True))
    must = keyed(planted.filter("expect_fire")).join(got, on=["rule_code", "who"], how="left")
    quiet = keyed(planted.filter(~pl.col("expect_fire"))).join(got, on=["rule_code", "who"], how="left")
    a = must.group_by("rule_code").agg(pl.len().alias("planted"), pl.col("hit").fill_null(False).sum().alias("found"))
    b = quiet.group_by("rule_code").agg(pl.col("hit").fill_null(False).sum().alias("near_misses_fired"))
    return a.join(b, on="rule_code", how="full", coalesce=True).fill_null(0).sort("rule_code").with_columns(
        planted_recall=pl.col("found") / pl.col("planted"))
