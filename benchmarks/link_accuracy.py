"""Accuracy benchmark of the linker against generated ground truth, with Splink beside it.

    python -m benchmarks.link_accuracy --households 130000 --dept-scale 0.39   # ≈1.09M records
    python -m benchmarks.link_accuracy --households 4000 --skip-splink          # a quick look

Generates a landing zone with the project's generator (corruptions of sources.md in their default
proportions, decoys; `--agri-member-blank`/`--agri-member-mangled` raise the share of
agri_monitoring member numbers left blank or Excel-mangled beside a head's number that is not),
stages and loads it into a fresh warehouse, runs the night's link step (the real models,
pipelines.orchestrate.link_step), then Splink on the same inputs (the night's link_registry and
link_records, rebuilt by the same models), and prints precision / recall / F1 overall, per
identity-number corruption and per source, the recall of agri_monitoring members without a
usable number of their own, decoys wrongly linked, and the wall time of each linker.

Targets (issues 3 and 13): precision >= 0.9995, 0 decoys linked, recall >= 0.999 on valid /
15-digit / mistyped / transposed numbers, >= 0.97 on blank or mangled numbers whose person's name
and birth date are unique in their county (records that carry a birth date), agri_monitoring
members without a usable number tied at recall >= 0.95 with no wrong tie; higher F1 than Splink in
less time.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl

from benchmarks.scoring import (KEY, StagedNight, link_night, links_and_review, score_links, stage_night, summarise,
                                truth_records, used_deliveries)

NUMBER_TIERS = ["clean", "fullwidth", "spaces", "quote", "lower_x", "id15", "typo", "transposition"]
NO_NUMBER = ["blank", "mangled"]


def generate_zone(out: Path, households: int, dept_scale: float, as_of: date, agri_blank: float,
                  agri_mangled: float, reuse: bool) -> None:
    from synthetic import DemoConfig, generate
    from synthetic.config import DEFAULT_ID_CORRUPTION

    cfg = DemoConfig(households=households, dept_scale=dept_scale, as_of=as_of)
    if agri_blank or agri_mangled:
        rates = {**DEFAULT_ID_CORRUPTION, "blank": agri_blank, "mangled": agri_mangled}
        cfg = replace(cfg, column_id_corruption={"agri_monitoring.id_number": rates})
    stamp = out / "config.txt"
    if reuse and stamp.exists() and stamp.read_text(encoding="utf-8") == repr(cfg):
        return
    t0 = time.perf_counter()
    generate(out, cfg)
    stamp.write_text(repr(cfg), encoding="utf-8")
    print(f"generated in {time.perf_counter() - t0:.0f} s")


def linker_inputs(staged: StagedNight) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The night's link_registry and link_records rebuilt by their own models (they are relations of
    the link step only), for Splink; and per record whether it carries a birth date (a birth-date
    column, or a mangled number whose 14 leading digits survived)."""
    from benchmarks.splink_baseline import INPUT_SQL
    from pipelines.engine.base import bind
    from pipelines.models.inputs import prepare
    from pipelines.models.project import load_project
    from pipelines.models.python_models import run_python_model

    nt = staged.night
    project = load_project()
    with nt.engine() as eng:
        ctx = prepare(eng, nt.lay, nt.as_of)
        eng.materialize("link_records", run_python_model("link_records", eng, ctx))
        sql = project.models["link_registry"].sql
        eng.materialize("link_registry", sql, {k: v for k, v in bind(sql, ctx.bound()).items()})
        registry = eng.frame(INPUT_SQL["registry"])
        records = eng.frame(INPUT_SQL["records"])
        evidence = eng.frame("SELECT source, delivery_date, record_no, "
                             "birth_col IS NOT NULL OR coalesce(id_digits >= 14, false) AS carries_birth "
                             "FROM link_records")
    return registry, records, evidence


def unique_in_county(truth_dir: Path) -> pl.DataFrame:
    people = pl.read_parquet(truth_dir / "people.parquet")
    n = people.group_by("name", "birth_date", "county").agg(pl.len().alias("same"))
    return people.join(n, on=["name", "birth_date", "county"]).select("person_key", unique=pl.col("same") == 1)


def report(name: str, j: pl.DataFrame, seconds: float) -> dict:
    overall = summarise(j).row(0, named=True)
    numbers = j.filter(pl.col("id_corruption").is_in(NUMBER_TIERS))
    hard = j.filter(pl.col("id_corruption").is_in(NO_NUMBER) & pl.col("unique") & pl.col("carries_birth"))
    all_hard = j.filter(pl.col("id_corruption").is_in(NO_NUMBER))
    agri = j.filter((pl.col("source") == "agri_monitoring") & pl.col("id_corruption").is_in(NO_NUMBER))
    decoys = j.filter(pl.col("is_decoy"))
    row = {
        "linker": name, "seconds": round(seconds, 1),
        "precision": overall["precision"], "recall": overall["recall"], "f1": overall["f1"],
        "wrong links": overall["wrong"],
        "recall, number usable": summarise(numbers).row(0, named=True)["recall"],
        "recall, blank/mangled unique+birth": summarise(hard).row(0, named=True)["recall"],
        "recall, all blank/mangled": summarise(all_hard).row(0, named=True)["recall"],
        "recall, agri members blank/mangled": summarise(agri).row(0, named=True)["recall"],
        "wrong, agri members blank/mangled": summarise(agri).row(0, named=True)["wrong"],
        "decoys linked": int((decoys["linked"]).sum()), "decoy records": decoys.height,
    }
    print(f"\n== {name}: per identity-number corruption")
    print(summarise(j, "id_corruption").select("id_corruption", "records", "in_registry", "linked", "correct", "wrong",
                                               "review", "precision", "recall"))
    print(f"\n== {name}: per source (blank or mangled numbers: recall_no_number)")
    per_source = summarise(j, "source").join(
        summarise(all_hard, "source").select("source", pl.col("recall").alias("recall_no_number")), on="source",
        how="left")
    print(per_source.select("source", "records", "in_registry", "linked", "wrong", "review", "precision", "recall",
                            "recall_no_number"))
    if "method" in j.columns:
        print(f"\n== {name}: per method")
        print(j.filter(pl.col("linked")).group_by("method").agg(
            pl.len().alias("links"), (~pl.col("correct")).sum().alias("wrong")).sort("method"))
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("bench-out/link"))
    ap.add_argument("--households", type=int, default=130_000)
    ap.add_argument("--dept-scale", type=float, default=0.39)
    ap.add_argument("--as-of", default="2026-11-28")
    ap.add_argument("--agri-member-blank", type=float, default=0.0,
                    help="share of agri_monitoring member numbers left blank (default: the generator's)")
    ap.add_argument("--agri-member-mangled", type=float, default=0.0,
                    help="share of agri_monitoring member numbers Excel-mangled (default: the generator's)")
    ap.add_argument("--reuse", action="store_true", help="reuse generated data in --out when its config matches")
    ap.add_argument("--skip-splink", action="store_true")
    args = ap.parse_args()
    as_of = date.fromisoformat(args.as_of)
    pl.Config.set_tbl_rows(40)
    pl.Config.set_tbl_cols(20)
    pl.Config.set_tbl_width_chars(200)

    generate_zone(args.out, args.households, args.dept_scale, as_of, args.agri_member_blank,
                  args.agri_member_mangled, args.reuse)
    t0 = time.perf_counter()
    staged = stage_night(args.out / "landing", args.out / "warehouse.duckdb", as_of)
    print(f"ingested in {time.perf_counter() - t0:.0f} s")
    link_night(staged)
    registry, records, evidence = linker_inputs(staged)
    truth = truth_records(args.out / "truth", used_deliveries(staged))
    truth = truth.join(unique_in_county(args.out / "truth"), on="person_key", how="left")
    truth = truth.join(evidence, on=KEY, how="left")
    print(f"department records: {truth.height:,}")
    rows = [report("ours", score_links(truth, *links_and_review(staged)), staged.seconds["link"])]

    if not args.skip_splink:
        from benchmarks.splink_baseline import run_splink

        splink_links, splink_s = run_splink(registry, records)
        rows.append(report("splink", score_links(truth, splink_links.drop("score")), splink_s))

    print("\n== side by side")
    print(pl.DataFrame(rows).transpose(include_header=True, header_name="figure", column_names="linker"))


if __name__ == "__main__":
    main()
