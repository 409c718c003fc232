"""An Airflow staging task for a small delivery, beside its share of a `lowincome run` (issue 14).

    python -m benchmarks.stage_task                          # a demo-size landing zone (generated once)
    python -m benchmarks.stage_task --smallest 5

In one run, side by side:
  share  `lowincome run` on a fresh warehouse, in a fresh process: its wall time divided by the
         number of deliveries it staged (what one delivery costs a whole night);
  task   each of the smallest deliveries staged the way Airflow's mapped stage task does it: a
         process that has Airflow imported (Airflow 3's worker forks each task from its supervisor
         on Linux, airflow/sdk/execution_time/supervisor.py, so the task inherits that import)
         parses the DAG file (dags/lowincome_nightly.py), then calls the task's function
         (pipelines.dag_tasks.stage) on a fresh warehouse: parse + stage is the task. The whole
         fresh process's wall time ("cold": Python and Airflow started for this task alone) is
         printed beside it.
Target: task ≤ 2 × share. Not a timed test: figures printed with their anchor.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

AS_OF = date(2026, 11, 28)
TASK = """
import json, runpy, sys, time
import airflow.sdk                                   # the worker's supervisor has it: a forked task inherits it
started = time.perf_counter()
runpy.run_path("dags/lowincome_nightly.py")          # what the task process parses first
parsed = time.perf_counter()
from pipelines.dag_tasks import stage
out = stage(json.loads(sys.argv[1]), json.loads(sys.argv[2]))
print(json.dumps({"parse": parsed - started, "stage": time.perf_counter() - parsed, "status": out["status"],
                  "rows": out["rows_read"]}))
"""


def ensure_landing(root: Path) -> Path:
    from synthetic import DemoConfig, generate

    if not (root / "truth" / "records.parquet").exists():
        generate(root, DemoConfig(plant_cases=True))
    return root / "landing"


def timed(cmd: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    if res.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed:\n{res.stderr[-3000:]}")
    return time.perf_counter() - t0, res.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("bench-out/stage-task"))
    ap.add_argument("--smallest", type=int, default=3, help="how many of the smallest deliveries to stage as tasks")
    args = ap.parse_args()
    from pipelines.deliveries import delivery_bytes, discover_step, night_deliveries
    from pipelines.ingest.delivery_json import delivery_to_dict

    landing = ensure_landing(args.out)
    todo = night_deliveries(discover_step(landing, AS_OF))
    with tempfile.TemporaryDirectory(dir=args.out) as tmp:
        run_s, _ = timed([sys.executable, "-m", "pipelines.cli", "run", "--landing", str(landing),
                          "--warehouse", str(Path(tmp) / "run.duckdb"), "--as-of", AS_OF.isoformat()])
        share = run_s / len(todo)
        print(f"lowincome run: {run_s:.1f} s for {len(todo)} deliveries → share {share:.2f} s per delivery")
        print(f"{'delivery':<34}{'rows':>7}{'parse':>8}{'stage':>8}{'task':>8}{'task/share':>12}{'cold':>8}")
        worst = 0.0
        for i, d in enumerate(sorted(todo, key=delivery_bytes)[:args.smallest]):
            run = {"landing": str(landing), "warehouse": str(Path(tmp) / f"task{i}.duckdb"), "as_of": AS_OF.isoformat()}
            cold_s, out = timed([sys.executable, "-c", TASK, json.dumps(run), json.dumps(delivery_to_dict(d))])
            got = json.loads(out.strip().splitlines()[-1])
            task_s = got["parse"] + got["stage"]
            worst = max(worst, task_s / share)
            print(f"{d.source + ' ' + d.delivery_date.isoformat():<34}{got['rows']:>7}{got['parse']:>7.2f}s"
                  f"{got['stage']:>7.2f}s{task_s:>7.2f}s{task_s / share:>11.2f}×{cold_s:>7.2f}s")
    print(f"\n  {'met' if worst <= 2 else 'NOT MET'}  an Airflow staging task ≤ 2 × its share of a run: "
          f"{worst:.2f} × at worst")


if __name__ == "__main__":
    main()
