"""Soak benchmark: many consecutive nights on one warehouse; does it grow and slow, or stay flat?

    python -m benchmarks.soak                          # 30 nights, detail kept 7 nights
    python -m benchmarks.soak --nights 30 --detail-nights 35 --households 4000

A demo landing zone is generated once (bench-out/soak/), then every night gets new deliveries
of the sources that deliver daily (copies of their latest delivery under the night's date), and
`lowincome run` runs for it in a fresh process, as the nightly job would. After each night the
benchmark prints the night's wall time and the size of each part of the warehouse (catalog file,
night datasets, staged deliveries, files for people); at the end the means of the first and
last thirds of the nights after the retention window, side by side: flat means the warehouse
grows with the warnings, not with the nightly volume of department records.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

DAILY = ("hrss_contributions", "medins_burden", "vehicles", "emergency_victims", "mps_cancellations")


def folder_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def add_night(landing: Path, day: date) -> None:
    """The daily sources deliver again on `day` (their latest delivery's files, a new folder)."""
    for source in DAILY:
        folders = sorted(p for p in (landing / source).iterdir() if p.is_dir() and p.name <= day.isoformat())
        target = landing / source / day.isoformat()
        if folders and not target.exists():
            shutil.copytree(folders[-1], target)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("bench-out/soak"))
    ap.add_argument("--nights", type=int, default=30)
    ap.add_argument("--detail-nights", type=int, default=7, help="retention window (config: detail_nights)")
    ap.add_argument("--households", type=int, default=4000)
    ap.add_argument("--start", default="2026-11-28")
    args = ap.parse_args()
    start = date.fromisoformat(args.start)
    out = args.out.resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    subprocess.run([sys.executable, "-m", "synthetic", "demo", "--out", str(out / "demo"), "--households",
                    str(args.households), "--as-of", start.isoformat()], check=True, stdout=subprocess.DEVNULL)
    landing, wh = out / "demo" / "landing", out / "wh.duckdb"
    # nights here are minutes apart: a replaced or pruned night file is deleted at the next night
    # (not after the 24 hours a real night leaves analysts' open sessions), or growth would show
    # files that are already superseded
    env = {**os.environ, "LOWINCOME_DETAIL_NIGHTS": str(args.detail_nights), "LOWINCOME_SUPERSEDED_GRACE_HOURS": "0"}
    parts = {"catalog": lambda: folder_size(wh), "data": lambda: folder_size(wh.with_name("wh.data")),
             "staging": lambda: folder_size(wh.with_name("wh.staging")), "out": lambda: folder_size(wh.with_name("wh.out"))}
    rows = []
    print(f"{'night':>5} {'date':>10} {'seconds':>8} " + " ".join(f"{k + ' MB':>11}" for k in parts) + f" {'total MB':>9}")
    for n in range(args.nights):
        day = start + timedelta(days=n)
        if n:
            add_night(landing, day)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--landing", str(landing), "--warehouse", str(wh),
                        "--as-of", day.isoformat()], check=True, env=env, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - t0
        sizes = {k: f() / 1e6 for k, f in parts.items()}
        rows.append((seconds, sizes))
        print(f"{n + 1:>5} {day.isoformat():>10} {seconds:>8.1f} " + " ".join(f"{v:>11.2f}" for v in sizes.values())
              + f" {sum(sizes.values()):>9.2f}", flush=True)
    after = rows[args.detail_nights + 1:]
    if len(after) >= 6:
        third = len(after) // 3
        early, late = after[:third], after[-third:]

        def mean(xs):
            return sum(xs) / len(xs)
        print(f"\nafter the {args.detail_nights}-night window: first third vs last third of the nights")
        print(f"  seconds per night   {mean([r[0] for r in early]):8.1f} {mean([r[0] for r in late]):8.1f}")
        for k in parts:
            print(f"  {k + ' MB':18}  {mean([r[1][k] for r in early]):8.2f} {mean([r[1][k] for r in late]):8.2f}")
        total_early = mean([sum(r[1].values()) for r in early])
        total_late = mean([sum(r[1].values()) for r in late])
        print(f"  {'total MB':18}  {total_early:8.2f} {total_late:8.2f}   (ratio {total_late / total_early:.3f})")


if __name__ == "__main__":
    main()
