"""Generate demo data from the command line and report speed and peak memory.

    .venv/bin/python -m pipelines.demo OUT_DIR [--households N] [--dept-scale X] [--sources a,b]
"""

from __future__ import annotations

import argparse
import resource
import sys
from pathlib import Path

from pipelines.demo import DemoConfig, generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipelines.demo", description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--households", type=int, default=DemoConfig.households)
    ap.add_argument("--dept-scale", type=float, default=DemoConfig.dept_scale)
    ap.add_argument("--seed", type=int, default=DemoConfig.seed)
    ap.add_argument("--excel-part-rows", type=int, default=DemoConfig.excel_part_rows)
    ap.add_argument("--excel-workers", type=int, default=DemoConfig.excel_workers)
    ap.add_argument("--sources", type=lambda s: tuple(x for x in s.split(",") if x), default=None)
    args = ap.parse_args(argv)
    cfg = DemoConfig(seed=args.seed, households=args.households, dept_scale=args.dept_scale,
                     excel_part_rows=args.excel_part_rows, excel_workers=args.excel_workers, sources=args.sources)
    summary = generate(args.out_dir, cfg)
    print(summary.table())
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rate = summary.total_rows / summary.elapsed if summary.elapsed else 0.0
    print(f"\nregistry: {summary.households:,} households, {summary.registry_persons:,} persons; "
          f"people in all: {summary.people:,}")
    print(f"department records: {summary.department_rows:,}; all rows written: {summary.total_rows:,}")
    print(f"wall: {summary.elapsed:.1f} s, {rate:,.0f} rows/s; peak RSS: main {peak_self:,.0f} MB, "
          f"largest child {peak_children:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
