"""The `lowincome` command: run the pipeline for one date, make demo data, inspect sources."""

from __future__ import annotations

import logging
import sys
import time
from datetime import date, datetime
from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="lowincome-monitor: find low-income people the safety net is missing, failing or no longer fits.")
console = Console(stderr=False)
err = Console(stderr=True)

DEFAULT_DEMO_DIR = Path("demo")
DEFAULT_AS_OF = "2026-11-28"


def _parse_date(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@app.command()
def run(
    landing: Path = typer.Option(..., "--landing", help="Landing zone: <landing>/<source>/<YYYY-MM-DD>/files"),
    warehouse: Path = typer.Option(..., "--warehouse", help="DuckDB warehouse file (created when missing)"),
    as_of: str = typer.Option(..., "--as-of", help="Logical date YYYY-MM-DD"),
    reload: bool = typer.Option(False, "--reload", help="Re-read deliveries even if already staged"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress messages"),
) -> None:
    """Run the nightly pipeline for one logical date on an embedded DuckDB file."""
    from pipelines.orchestrate import run_for_date
    from pipelines.report import print_run_summary, progress_display

    _setup_logging(verbose)
    day = _parse_date(as_of)
    if not landing.is_dir():
        err.print(f"[red]error:[/red] landing zone {landing} does not exist or is not a folder")
        raise typer.Exit(2)
    started = time.perf_counter()
    try:
        with progress_display(console) as progress:
            summary = run_for_date(landing, warehouse, day, progress=progress, reuse=not reload)
    except Exception as e:  # a run that cannot be trusted exits non-zero with the file and the problem
        err.print(f"[red]run for {day} failed:[/red] {e}")
        raise typer.Exit(1) from None
    print_run_summary(console, summary, time.perf_counter() - started)
    problem = summary.untrustworthy()
    if problem:
        err.print(f"[red]no trustworthy result for {day}:[/red] {problem}")
        raise typer.Exit(1)


@app.command()
def demo(
    out: Path = typer.Option(DEFAULT_DEMO_DIR, "--out", help="Folder for landing/, truth/ and the warehouse"),
    households: int = typer.Option(4000, "--households", help="Registry households to generate"),
    dept_scale: float = typer.Option(1.0, "--dept-scale", help="Multiplier on department record counts"),
    seed: int = typer.Option(20261128, "--seed"),
    as_of: str = typer.Option(DEFAULT_AS_OF, "--as-of", help="Logical date the demo deliveries lead up to"),
    then_run: bool = typer.Option(False, "--run", help="Then run the pipeline on it"),
    plant: bool = typer.Option(True, "--plant/--no-plant",
                               help="Plant every warning rule's cases and near misses (truth/planted_warnings.parquet) "
                                    "on a background kept quiet for the rules"),
) -> None:
    """Write a synthetic landing zone (all 16 sources, with ground truth) and optionally run on it."""
    from pipelines.demo import DemoConfig, generate

    day = _parse_date(as_of)
    started = time.perf_counter()
    summary = generate(out, DemoConfig(seed=seed, as_of=day, households=households, dept_scale=dept_scale,
                                       plant_cases=plant))
    console.print(f"demo data written to [bold]{out / 'landing'}[/bold] "
                  f"(ground truth in {out / 'truth'}) in {time.perf_counter() - started:.1f} s")
    if then_run:
        run(landing=out / "landing", warehouse=out / "warehouse.duckdb", as_of=as_of, reload=False, verbose=False)


@app.command()
def sources() -> None:
    """List the source contracts in schemas/."""
    from rich.table import Table

    from pipelines.contracts import load_contracts

    table = Table("source", "department", "format", "encodings", "columns")
    for c in load_contracts().values():
        table.add_row(c.source, c.department, c.format, " ".join(c.encodings), str(len(c.columns)))
    console.print(table)


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())


if __name__ == "__main__":  # python -m pipelines.cli
    main()
