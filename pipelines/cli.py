"""The `lowincome` command: run the pipeline for one date, inspect sources.

Demo data is made outside the package: `python -m synthetic demo` (development only).
"""

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


def _parse_date(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


def _setup_logging(verbose: bool) -> None:
    from pipelines.fileperms import secure_umask
    from pipelines.masking import install_log_masking

    secure_umask()          # every file this run creates: owner-only (or LOWINCOME_FILE_GROUP)
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_masking()   # no identity number in any log line or traceback


@app.command()
def run(
    landing: Path = typer.Option(..., "--landing", help="Landing zone: <landing>/<source>/<YYYY-MM-DD>/files"),
    warehouse: Path = typer.Option(..., "--warehouse", help="DuckDB warehouse file (created when missing)"),
    as_of: str = typer.Option(..., "--as-of", help="Logical date YYYY-MM-DD"),
    reload: bool = typer.Option(False, "--reload", help="Re-read deliveries even if already staged"),
    wait: float = typer.Option(0.0, "--wait", metavar="SECONDS",
                               help="When another run is writing the warehouse, wait up to this long for it "
                                    "(default: exit at once, naming it)"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress messages"),
) -> None:
    """Run the nightly pipeline for one logical date on an embedded DuckDB file.

    Exit status: 0 the night was published (quarantined or missing sources are reported);
    1 nothing trustworthy could be published (said in one line); 2 the command was used wrongly."""
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
            summary = run_for_date(landing, warehouse, day, progress=progress, reuse=not reload, wait_seconds=wait)
    except Exception as e:  # a night that cannot be trusted: nothing published, one line, exit 1
        from rich.markup import escape

        from pipelines.masking import safe_message

        logging.getLogger("pipelines.cli").debug("run for %s failed", day, exc_info=True)
        err.print(f"[red]run for {day} failed:[/red] {escape(safe_message(str(e)))}")
        raise typer.Exit(1) from None
    print_run_summary(console, summary, time.perf_counter() - started)


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
