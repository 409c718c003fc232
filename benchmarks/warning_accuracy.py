"""Warning accuracy against ground truth, before and after a change of the code, side by side.

    python -m benchmarks.warning_accuracy                         # both profiles, this code only
    python -m benchmarks.warning_accuracy --before-rev c35e997    # ... and the code of that commit
    python -m benchmarks.warning_accuracy --profile unseen --households 8000

Profiles (each generated once into --out/<profile>/ and reused):
  demo    the demo (`python -m synthetic demo`): planted cases on a background kept quiet
  unseen  a province the project has not seen: another seed, background noise on (a share of the
          registry keeps its drawn values, so every rule fires on the background too;
          agri_monitoring's 风险消除 as drawn for most households), and agri_monitoring member
          numbers blank or Excel-mangled far more often than their head's number beside them

For each profile and each version of the code, one night is staged, linked and ruled (never
published). Scored against:
  oracle   the same night's rules over the TRUE links (benchmarks/scoring.py: every record tied to
           the registry person it belongs to): a warning the oracle does not give is false, one it
           gives and the run does not is missed. Precision and recall per rule.
  planted  truth/planted_warnings.parquet: every planted case must fire, no near miss may.
Links are scored per source against truth/records.parquet, and agri_monitoring's members without a
usable number of their own (blank, Excel-mangled) separately.

Targets (issue 13): warning precision >= 0.995 with every rule's planted recall 1.0;
MONITORING_INTAKE precision 1.0; agri members without a usable number tied at recall >= 0.95 with
no wrong tie; link precision >= 0.9995.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl

from benchmarks.scoring import (KEY, held_of, link_night, links_and_review, oracle_warnings, planted_recall,
                                rules_night, score_links, score_warnings, stage_night, summarise, truth_records,
                                used_deliveries, warnings_of)

ROOT = Path(__file__).resolve().parents[1]
NO_NUMBER = ["blank", "mangled"]
# agri_monitoring member numbers in the unseen profile: the head's number beside them keeps the
# default rates (DemoConfig.id_corruption); the members' are blank or mangled ten times as often
UNSEEN_AGRI_MEMBER = {"fullwidth": 0.01, "spaces": 0.012, "quote": 0.008, "lower_x": 0.008, "id15": 0.01,
                      "typo": 0.01, "transposition": 0.005, "mangled": 0.08, "blank": 0.12}


def profile_config(profile: str, households: int, as_of: date):
    from synthetic import DemoConfig

    base = DemoConfig(households=households, as_of=as_of, plant_cases=True, excel_workers=0)
    if profile == "demo":
        return base
    if profile == "unseen":
        return replace(base, seed=base.seed + 7919, background_warning_share=0.25, monitoring_background=0.7,
                       column_id_corruption={"agri_monitoring.id_number": UNSEEN_AGRI_MEMBER})
    raise ValueError(f"unknown profile {profile!r}")


def generated(out: Path, cfg) -> Path:
    """The profile's landing zone and truth, generated once per configuration."""
    from synthetic import generate

    stamp = out / "config.txt"
    if not (stamp.exists() and stamp.read_text(encoding="utf-8") == repr(cfg)):
        t0 = time.perf_counter()
        generate(out, cfg)
        stamp.write_text(repr(cfg), encoding="utf-8")
        print(f"generated {out} in {time.perf_counter() - t0:.0f} s")
    return out


# --------------------------------------------------------------------------- one night of one code
def night_results(landing: Path, warehouse: Path, as_of: date, results: Path, oracle_truth: Path | None) -> None:
    """Stage, link and rule a night with the code this process imports; write what it found (and,
    given the truth folder, the oracle's warnings) as Parquet into `results`."""
    staged = stage_night(landing, warehouse, as_of)
    link_night(staged)
    rules_night(staged)
    results.mkdir(parents=True, exist_ok=True)
    links, review = links_and_review(staged)
    links.write_parquet(results / "links.parquet")
    review.write_parquet(results / "review.parquet")
    warnings_of(staged).write_parquet(results / "warnings.parquet")
    held_of(staged).write_parquet(results / "held.parquet")
    used_deliveries(staged).write_parquet(results / "used.parquet")
    (results / "seconds.json").write_text(json.dumps(staged.seconds), encoding="utf-8")
    if oracle_truth is not None:
        truth = truth_records(oracle_truth, used_deliveries(staged))
        oracle_warnings(staged, truth).write_parquet(results / "oracle.parquet")


# The same, in a process of another version of the code (its own checkout on sys.path). It uses
# only what every version since the seam refactor has: the steps of pipelines.orchestrate.
_OTHER_CODE = """
import json, sys, shutil
from datetime import date
from pathlib import Path
from pipelines.orchestrate import (Night, discover_step, load_step, link_step, new_run_id, night_deliveries,
                                   rules_step, split_results, stage_step)
from pipelines.store import night
from pipelines.store.layout import layout
landing, warehouse, as_of, results = Path(sys.argv[1]), Path(sys.argv[2]), date.fromisoformat(sys.argv[3]), Path(sys.argv[4])
lay = layout(warehouse)
for p in (lay.work, lay.data, lay.staging, lay.out):
    shutil.rmtree(p, ignore_errors=True)
warehouse.unlink(missing_ok=True)
d = discover_step(landing, as_of)
newest, earlier = split_results(d, [stage_step(x, warehouse) for x in night_deliveries(d)])
nt = Night(lay, as_of, new_run_id())
night.begin(lay, nt.run_id)
load_step(nt, d, newest, earlier)
link_step(nt)
rules_step(nt)
results.mkdir(parents=True, exist_ok=True)
with nt.engine() as eng:
    night.tonight_views(eng, lay, as_of)
    eng.frame("SELECT source, delivery_date, record_no, person_id, method, score FROM links").write_parquet(results / "links.parquet")
    eng.frame("SELECT source, delivery_date, record_no, true AS in_review FROM review").write_parquet(results / "review.parquet")
    eng.frame("SELECT rule_code, subject_key, person_id, household_id, id_number, name, county_code FROM warnings_found").write_parquet(results / "warnings.parquet")
    eng.frame("SELECT source, delivery_date FROM run_sources WHERE as_of = $d AND status = 'loaded'", {"d": as_of}).write_parquet(results / "used.parquet")
"""


def other_code_results(code: Path, landing: Path, warehouse: Path, as_of: date, results: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(code)}
    subprocess.run([sys.executable, "-c", _OTHER_CODE, str(landing), str(warehouse), as_of.isoformat(), str(results)],
                   cwd=code, env=env, check=True)
    empty = pl.DataFrame(schema={"rule_code": pl.String, "source": pl.String, "delivery_date": pl.Date,
                                 "record_no": pl.String})
    empty.write_parquet(results / "held.parquet")


def checkout(rev: str, into: Path) -> Path:
    """The code of a commit, unpacked (git archive: reads the repository, changes nothing)."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


# --------------------------------------------------------------------------- scoring
def load(results: Path) -> dict[str, pl.DataFrame]:
    return {p.stem: pl.read_parquet(p) for p in results.glob("*.parquet")}


def score(version: dict[str, pl.DataFrame], truth_dir: Path, oracle: pl.DataFrame, rules: list[str]) -> dict:
    truth = truth_records(truth_dir, version["used"])
    j = score_links(truth, version["links"], version["review"])
    planted = pl.read_parquet(truth_dir / "planted_warnings.parquet")
    agri = j.filter((pl.col("source") == "agri_monitoring") & pl.col("id_corruption").is_in(NO_NUMBER))
    return {
        "rules": score_warnings(version["warnings"], oracle, rules),
        "planted": planted_recall(version["warnings"], planted),
        "held": version["held"].group_by("rule_code").agg(pl.len().alias("held")),
        "sources": summarise(j, "source"),
        "links": summarise(j).row(0, named=True),
        "agri_no_number": summarise(agri).row(0, named=True),
    }


def side_by_side(frames: dict[str, pl.DataFrame], key: str, cols: list[str]) -> pl.DataFrame:
    out = None
    for name, f in frames.items():
        part = f.select(key, *[pl.col(c).alias(f"{c} {name}") for c in cols])
        out = part if out is None else out.join(part, on=key, how="full", coalesce=True)
    return out.sort(pl.col(key).eq("ALL"), key)


def report(profile: str, scores: dict[str, dict]) -> list[dict]:
    print(f"\n======== profile {profile}: warnings per rule (against the oracle; planted recall) ========")
    def per_rule(s: dict) -> pl.DataFrame:
        held = pl.concat([s["held"].cast({"held": pl.Int64}),
                          pl.DataFrame({"rule_code": ["ALL"], "held": [int(s["held"]["held"].sum())]})])
        planted = s["planted"].select("rule_code", "planted_recall", "near_misses_fired")
        planted = pl.concat([planted, planted.select(pl.lit("ALL").alias("rule_code"), pl.col("planted_recall").min(),
                                                     pl.col("near_misses_fired").sum())])
        return (s["rules"].join(planted, on="rule_code", how="left").join(held, on="rule_code", how="left")
                .with_columns(pl.col("held").fill_null(0)))

    rules = {n: per_rule(s) for n, s in scores.items()}
    print(side_by_side(rules, "rule_code", ["found", "correct", "oracle", "precision", "recall", "planted_recall",
                                            "held"]))
    print(f"\n======== profile {profile}: links per source ========")
    print(side_by_side({n: s["sources"] for n, s in scores.items()}, "source",
                       ["linked", "wrong", "review", "precision", "recall"]))
    rows = []
    for name, s in scores.items():
        r = s["rules"].filter(pl.col("rule_code") == "ALL").row(0, named=True)
        mi = s["rules"].filter(pl.col("rule_code") == "MONITORING_INTAKE").row(0, named=True)
        rows.append({
            "profile": profile, "code": name,
            "warning precision": r["precision"], "warning recall (oracle)": r["recall"],
            "planted recall, every rule": float(s["planted"]["planted_recall"].min()),
            "near misses fired": int(s["planted"]["near_misses_fired"].sum()),
            "MONITORING_INTAKE precision": mi["precision"], "MONITORING_INTAKE recall (oracle)": mi["recall"],
            "held (身份待核实)": int(s["held"]["held"].sum()) if s["held"].height else 0,
            "agri no-number recall": s["agri_no_number"]["recall"],
            "agri no-number wrong": s["agri_no_number"]["wrong"],
            "link precision": s["links"]["precision"], "link recall": s["links"]["recall"],
            "wrong links": s["links"]["wrong"],
        })
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out" / "warnings")
    ap.add_argument("--profile", choices=["demo", "unseen", "both"], default="both")
    ap.add_argument("--households", type=int, default=4000)
    ap.add_argument("--as-of", default="2026-11-28")
    ap.add_argument("--before-rev", help="also run the code of this commit (git archive) and show it beside")
    ap.add_argument("--before-dir", type=Path, help="also run the code in this folder and show it beside")
    args = ap.parse_args()
    as_of = date.fromisoformat(args.as_of)
    pl.Config.set_tbl_rows(60)
    pl.Config.set_tbl_cols(40)
    pl.Config.set_tbl_width_chars(250)
    from pipelines.rules.catalogue import load_catalogue

    rules = sorted(r.code for r in load_catalogue().rules)
    before = args.before_dir
    tmp = tempfile.TemporaryDirectory(prefix="before-code-")
    if args.before_rev and before is None:
        before = checkout(args.before_rev, Path(tmp.name))
    summary = []
    for profile in (["demo", "unseen"] if args.profile == "both" else [args.profile]):
        out = generated(args.out / profile, profile_config(profile, args.households, as_of))
        runs: dict[str, Path] = {}
        if before is not None:
            runs["before"] = out / "results-before"
            other_code_results(before, out / "landing", out / "before.duckdb", as_of, runs["before"])
        runs["after"] = out / "results-after"
        night_results(out / "landing", out / "after.duckdb", as_of, runs["after"], out / "truth")
        oracle = pl.read_parquet(runs["after"] / "oracle.parquet")
        scores = {name: score(load(path), out / "truth", oracle, rules) for name, path in runs.items()}
        summary += report(profile, scores)
    print("\n======== side by side ========")
    table = pl.DataFrame(summary)
    print(table.with_columns(pl.col(pl.Float64).round(5))
          .transpose(include_header=True, header_name="figure",
                     column_names=[f"{r['profile']} {r['code']}" for r in summary]))
    tmp.cleanup()


if __name__ == "__main__":
    main()
