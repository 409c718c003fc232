"""The `lowincome` command: run the pipeline for one date (`run`), list the sources (`sources`),
make a published night's report again (`report`), and, for analysts, a read-only SQL session
(`sql`) and exports of any table or query (`export`).

Demo data is made outside the package: `python -m synthetic demo` (development only).
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import date, datetime
from pathlib import Path

import typer
from rich.markup import escape

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="lowincome-monitor: find low-income people the safety net is missing, failing or no longer fits.")


def _parse_date(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


def _setup_logging(verbose: bool) -> None:
    from pipelines.fileperms import secure_umask
    from pipelines.masking import install_log_masking
    from pipelines.report import quiet_duplicates

    secure_umask()          # every file this run creates: owner-only (or LOWINCOME_FILE_GROUP)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if verbose:             # the pipeline's detail (models skipped and why ...), not every library's
        logging.getLogger("pipelines").setLevel(logging.INFO)
    install_log_masking()   # no identity number in any log line or traceback
    quiet_duplicates()      # what the run's own output says is not logged a second time


def _print_json(doc: dict) -> None:
    import json

    sys.stdout.write(json.dumps(doc, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


@app.command()
def run(
    landing: Path = typer.Option(..., "--landing", help="Landing zone: <landing>/<source>/<YYYY-MM-DD>/files"),
    warehouse: Path = typer.Option(..., "--warehouse", help="DuckDB warehouse file (created when missing); with "
                                                        "--engine spark a folder of Parquet datasets"),
    as_of: str = typer.Option(..., "--as-of", help="Logical date YYYY-MM-DD"),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (embedded, one machine) or spark"),
    spark_master: str = typer.Option(None, "--spark-master", metavar="URL",
                                     help="With --engine spark: local[*], spark://host:7077 or a Spark Connect "
                                          "sc://host:15002 (default: env LOWINCOME_SPARK_MASTER, else local[*])"),
    reload: bool = typer.Option(False, "--reload", help="Re-read deliveries even if already staged"),
    wait: float = typer.Option(0.0, "--wait", metavar="SECONDS",
                               help="When another run is writing the warehouse, wait up to this long for it "
                                    "(default: exit at once, naming it)"),
    verbose: bool = typer.Option(False, "--verbose", "-v",
                                 help="More detail: per-model and per-rule timings, staging parts, every ignored "
                                      "file, why each model was skipped"),
    json_out: bool = typer.Option(False, "--json",
                                  help="Print one JSON summary on stdout for schedulers (progress and messages "
                                       "go to stderr)"),
) -> None:
    """Run the nightly pipeline for one logical date on an embedded DuckDB file (or on Spark).

    In a log (output not a terminal): a time-stamped line per step and delivery.

    Exit status: 0 published; 1 nothing trustworthy could be published; 2 usage."""
    from pipelines.report import RunConsole, console_for, elapsed, run_json

    started = time.perf_counter()
    errors = console_for(stderr=True)

    def usage(message: str, day: date | None = None) -> None:
        if json_out:
            _print_json(run_json(day, usage=message, exit_status=2, seconds=elapsed(started)))
        errors.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
        raise typer.Exit(2)

    try:
        day = _parse_date(as_of)
    except typer.BadParameter as e:
        if not json_out:
            raise
        usage(f"--as-of: {e}")
    if not landing.is_dir():
        usage(f"landing zone {landing} does not exist or is not a folder", day)
    if engine not in ("duckdb", "spark"):
        usage(f"--engine must be duckdb or spark, not {engine!r}", day)
    if spark_master and engine != "spark":
        usage("--spark-master needs --engine spark", day)
    _setup_logging(verbose)
    from pipelines.orchestrate import run_for_date

    voice = RunConsole(console_for(stderr=json_out), verbose=verbose)
    try:
        with voice.progress() as progress:
            summary = run_for_date(landing, warehouse, day, progress=progress, reuse=not reload, wait_seconds=wait,
                                   engine=engine, spark_master=spark_master)
    except Exception as e:  # a night that cannot be trusted: nothing published, one line, exit 1
        logging.getLogger("pipelines.cli").debug("run for %s failed", day, exc_info=True)
        if json_out:
            _print_json(run_json(day, error=e, exit_status=1, seconds=elapsed(started)))
        voice.failed(day, str(e), errors)
        raise typer.Exit(1) from None
    if json_out:
        _print_json(run_json(day, summary, seconds=elapsed(started)))
    else:
        voice.summary(summary, elapsed(started))


@app.command()
def sources() -> None:
    """List the source contracts in schemas/."""
    from rich.table import Table

    from pipelines.contracts import load_contracts

    from pipelines.report import console_for

    table = Table("source", "department", "format", "encodings", "columns")
    for c in load_contracts().values():
        table.add_row(c.source, c.department, c.format, " ".join(c.encodings), str(len(c.columns)))
    console_for().print(table)


@app.command()
def report(
    warehouse: Path = typer.Option(..., "--warehouse", help="The published warehouse (opened read-only)"),
    as_of: str = typer.Option(..., "--as-of", help="A published night, YYYY-MM-DD"),
    out: Path = typer.Option(..., "--out", help="The HTML file to write"),
) -> None:
    """Make a published night's report again (report/<date>.html), from the warehouse, read-only."""
    from pipelines.masking import safe_message
    from pipelines.report import console_for
    from pipelines.report_html.replay import NotPublished, replay

    day = _parse_date(as_of)
    try:
        html = replay(warehouse, day)
    except (NotPublished, FileNotFoundError) as e:
        console_for(stderr=True).print(f"[red]error:[/red] {escape(safe_message(str(e)))}", soft_wrap=True)
        raise typer.Exit(1) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    console_for().print(f"report of {day} → {escape(str(out))} ({len(html.encode()) / 1e6:.2f} MB)")


UNMASKED_HELP = ("Full identity numbers (default: masked 230102********123X). Only for staff who act on the "
                 "people themselves (the department's own cases, a court or audit request); needs --reason and is "
                 "recorded in <warehouse>.out/audit/unmasked_exports.jsonl")


@app.command()
def export(
    warehouse: Path = typer.Option(..., "--warehouse", help="The published warehouse (opened read-only)"),
    out: Path = typer.Option(..., "--out", help="File to write (.xlsx, .csv or .parquet)"),
    table: str = typer.Option(None, "--table", help="A table or view (docs/data-dictionary.md)"),
    query: str = typer.Option(None, "--query", help="A SELECT of your own instead of --table"),
    as_of: str = typer.Option(None, "--as-of", help="With --table: one night, YYYY-MM-DD or latest"),
    fmt: str = typer.Option(None, "--format", help="xlsx, csv (UTF-8 with BOM, opens in Chinese Excel) or "
                                                   "parquet; default: the suffix of --out"),
    unmasked: bool = typer.Option(False, "--unmasked", help=UNMASKED_HELP),
    reason: str = typer.Option(None, "--reason", help="Why the numbers must be in full (with --unmasked)"),
) -> None:
    """Export a table, view or query of the published warehouse (read-only: never blocks a run)."""
    from pipelines.export import ExportError, ExportUsage
    from pipelines.export import export as do_export
    from pipelines.masking import safe_message
    from pipelines.report import console_for

    try:
        done = do_export(warehouse, out, fmt, table, query, as_of, unmasked, reason)
    except ExportError as e:
        console_for(stderr=True).print(f"[red]error:[/red] {escape(safe_message(str(e)))}", soft_wrap=True)
        raise typer.Exit(2 if isinstance(e, ExportUsage) else 1) from None
    note = "identity numbers masked" if done.masked else "[bold red]identity numbers in full (recorded)[/bold red]"
    console_for().print(f"{done.rows:,} rows × {done.columns} columns → {escape(str(done.path))} ({note})", soft_wrap=True)


@app.command()
def sql(
    warehouse: Path = typer.Option(..., "--warehouse", help="The published warehouse (opened read-only)"),
    command: str = typer.Option(None, "--command", "-c", help="Run these statements and exit (else read from stdin)"),
    max_rows: int = typer.Option(50, "--max-rows", help="Rows shown per result"),
    unmasked: bool = typer.Option(False, "--unmasked", help=UNMASKED_HELP),
    reason: str = typer.Option(None, "--reason", help="Why the numbers must be shown in full (with --unmasked)"),
) -> None:
    """A read-only SQL session on the warehouse (DuckDB, the pipeline's own version).

    Statements end with ;  .tables lists tables and views, .schema NAME their columns, .quit leaves.
    Exit status 1 when a statement failed."""
    from pipelines.export import ExportError, ExportUsage
    from pipelines.masking import safe_message
    from pipelines.report import console_for
    from pipelines.sqlshell import run as run_sql

    try:
        failed = run_sql(warehouse, command, console_for(), max_rows, unmasked, reason)
    except ExportError as e:
        console_for(stderr=True).print(f"[red]error:[/red] {escape(safe_message(str(e)))}", soft_wrap=True)
        raise typer.Exit(2 if isinstance(e, ExportUsage) else 1) from None
    if failed:
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())


if __name__ == "__main__":  # python -m pipelines.cli
    main()
