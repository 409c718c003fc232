"""`python -m synthetic demo`: write the synthetic landing zone (and its truth), optionally run on it.

    python -m synthetic demo --out demo --run      # what `python3 dev.py demo` runs
    python -m synthetic demo --out /tmp/d --households 20000 --no-plant --report

Run from the project root (this package is not installed). `--run` runs the real pipeline,
`lowincome run`, in a separate process: the shipped command knows nothing of this generator.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import typer

from synthetic import DemoConfig, generate

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False)


@app.callback()
def main() -> None:
    """Synthetic demo data for lowincome-monitor (development only)."""


def _parse_date(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


def _sources(value: str | None) -> tuple[str, ...] | None:
    return None if not value else tuple(s for s in value.split(",") if s)


@app.command()
def demo(
    out: Path = typer.Option(Path("demo"), "--out", help="Folder for landing/, truth/ and the warehouse"),
    households: int = typer.Option(DemoConfig.households, "--households", help="Registry households to generate"),
    dept_scale: float = typer.Option(DemoConfig.dept_scale, "--dept-scale",
                                     help="Multiplier on department record counts"),
    seed: int = typer.Option(DemoConfig.seed, "--seed"),
    as_of: str = typer.Option(DemoConfig.as_of.isoformat(), "--as-of",
                              help="Logical date the demo deliveries lead up to"),
    then_run: bool = typer.Option(False, "--run", help="Then run the pipeline (`lowincome run`) on it"),
    plant: bool = typer.Option(True, "--plant/--no-plant",
                               help="Plant every warning rule's cases and near misses (truth/planted_warnings.parquet) "
                                    "on a background kept quiet for the rules"),
    sources: str = typer.Option(None, "--sources", help="Only these sources, comma-separated (default: all)"),
    excel_workers: int = typer.Option(DemoConfig.excel_workers, "--excel-workers",
                                      help="Processes writing Excel parts beside the main one (0 = inline)"),
    report: bool = typer.Option(False, "--report", help="Print rows and seconds per source, speed and peak memory"),
) -> None:
    """Write a synthetic landing zone (all 16 sources, with ground truth) and optionally run on it."""
    day = _parse_date(as_of)
    try:
        cfg = DemoConfig(seed=seed, as_of=day, households=households, dept_scale=dept_scale, plant_cases=plant,
                         sources=_sources(sources), excel_workers=excel_workers)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None
    started = time.perf_counter()
    summary = generate(out, cfg)
    print(f"demo data written to {out / 'landing'} (ground truth in {out / 'truth'}) "
          f"in {time.perf_counter() - started:.1f} s")
    if report:
        _print_report(summary)
    if then_run:
        code = subprocess.call([sys.executable, "-m", "pipelines.cli", "run", "--landing", str(out / "landing"),
                                "--warehouse", str(out / "warehouse.duckdb"), "--as-of", day.isoformat()])
        raise typer.Exit(code)


def _print_report(summary) -> None:
    print(summary.table())
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rate = summary.total_rows / summary.elapsed if summary.elapsed else 0.0
    print(f"\nregistry: {summary.households:,} households, {summary.registry_persons:,} persons; "
          f"people in all: {summary.people:,}")
    print(f"department records: {summary.department_rows:,}; all rows written: {summary.total_rows:,}")
    print(f"wall: {summary.elapsed:.1f} s, {rate:,.0f} rows/s; peak RSS: main {peak_self:,.0f} MB, "
          f"largest child {peak_children:,.0f} MB")


if __name__ == "__main__":
    app(prog_name="python -m synthetic")
