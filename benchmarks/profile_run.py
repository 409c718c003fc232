"""One nightly run on a generated scale landing zone, for a profiler to watch.

    .venv/bin/python -m benchmarks.scale --scales 0.333333       # generates bench-out/scale-0.333333/ once
    .venv/bin/pyinstrument -r text -o bench-out/profile-0.33.txt -m benchmarks.profile_run bench-out/scale-0.333333

Starts from an empty warehouse and re-reads every delivery (no staged files reused), like the
scale benchmark.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from pipelines.orchestrate import run_for_date

AS_OF = date(2026, 11, 28)


def main(root: Path) -> None:
    warehouse = root / "warehouse.duckdb"
    for p in (warehouse, warehouse.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    summary = run_for_date(root / "landing", warehouse, AS_OF, reuse=False)
    print({k: round(v, 1) for k, v in summary.timings.items()})


if __name__ == "__main__":
    main(Path(sys.argv[1]))
