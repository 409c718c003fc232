"""What a run prints: a per-source table, what was ignored or quarantined, where results are."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.masking import safe_message
from pipelines.orchestrate import Progress as ProgressFn
from pipelines.orchestrate import RunSummary


@contextmanager
def progress_display(console: Console) -> Iterator[ProgressFn | None]:
    """A progress bar on a terminal; nothing when output goes to a file or a pipe."""
    if not console.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("starting", total=1)

        def update(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=max(total, 1))

        yield update


def print_run_summary(console: Console, s: RunSummary, seconds: float) -> None:
    table = Table(title=f"Run for {s.as_of} — deliveries", show_lines=False)
    for col in ("source", "delivery", "status", "encoding", "read", "loaded", "rejected", "value issues", "s"):
        table.add_column(col, justify="right" if col in {"read", "loaded", "rejected", "value issues", "s"} else "left")
    for source in sorted(set(s.staged) | set(s.discovery.missing)):
        r = s.staged.get(source)
        if r is None:
            table.add_row(source, "-", "[yellow]missing[/yellow]", "", "", "", "", "", "")
            continue
        status = "loaded" if r.status == "staged" else "[red]quarantined[/red]"
        table.add_row(source, r.delivery_date.isoformat(), status, ",".join(sorted(set(r.encodings))),
                      f"{r.rows_read:,}", f"{r.rows_loaded:,}", f"{r.rows_rejected:,}", f"{r.value_issues:,}",
                      f"{r.seconds:.1f}")
    console.print(table)
    t = s.totals()
    console.print(f"rows read {t['rows_read']:,}, loaded {t['rows_loaded']:,}, rejected {t['rows_rejected']:,}")
    for r in s.quarantined:
        console.print(f"[red]quarantined[/red] {r.source} {r.delivery_date}: {escape(r.message)}")
    if s.discovery.ignored:
        console.print(f"ignored on the landing zone ({len(s.discovery.ignored)}):")
        for ig in s.discovery.ignored:
            where = ig.path.relative_to(s.landing) if ig.path.is_relative_to(s.landing) else ig.path
            console.print(f"  {escape(safe_message(str(where)))}: {escape(ig.reason)}")  # names from outside
    if s.linking is not None:
        print_link_summary(console, s.linking)
    if s.rules is not None:
        print_rules_summary(console, s.rules)
    if s.published is not None:
        print_warnings_summary(console, s.published)
    timing = ", ".join(f"{k} {v:.1f}s" for k, v in s.timings.items())
    console.print(f"stages: {timing}; total {seconds:.1f} s")
    console.print(f"warehouse: [bold]{s.warehouse}[/bold]  (open with: duckdb {s.warehouse})")


METHODS = ["exact_id", "id15_converted", "repaired_id", "disability_card", "fuzzy_name"]


def print_link_summary(console: Console, ls) -> None:
    if ls.skipped:
        console.print(f"[yellow]linking skipped:[/yellow] {ls.skipped}")
        return
    table = Table(title="Links by method", show_lines=False)
    for col in ("source", "records", *METHODS, "review", "unlinked"):
        table.add_column(col, justify="left" if col == "source" else "right")
    for source in sorted(ls.by_source):
        c = ls.by_source[source]
        linked = sum(c.get(m, 0) for m in METHODS)
        unlinked = c.get("records", 0) - linked - c.get("review", 0)
        table.add_row(source, f"{c.get('records', 0):,}", *[f"{c.get(m, 0):,}" for m in METHODS],
                      f"{c.get('review', 0):,}", f"{unlinked:,}")
    console.print(table)


STATUS_COLUMNS = (("new", "new"), ("open", "still open"), ("resolved", "resolved"))


def print_rules_summary(console: Console, rs) -> None:
    """Which rules ran and which were skipped, and why (a missing or quarantined source)."""
    ran = sum(1 for r in rs.found if r not in rs.skipped)
    console.print(f"rules: {ran} evaluated, {len(rs.skipped)} skipped, {sum(rs.found.values()):,} warnings found")
    for rule, reason in sorted(rs.skipped.items()):
        console.print(f"  [yellow]skipped[/yellow] {rule}: {reason}")


def print_warnings_summary(console: Console, ps) -> None:
    """Warnings per category and per department: new tonight, still open, resolved tonight.
    Counts only: identity numbers never reach the terminal."""
    from pipelines.rules.catalogue import load_catalogue

    names = load_catalogue().categories
    for key, title in (("by_category", "Warnings by category"), ("by_department", "Warnings by department")):
        counts = ps.counts.get(key) or {}
        if not counts:
            continue
        table = Table(title=f"{title} ({ps.as_of})", show_lines=False)
        table.add_column("category" if key == "by_category" else "department")
        for _, label in STATUS_COLUMNS:
            table.add_column(label, justify="right")
        totals = dict.fromkeys((s for s, _ in STATUS_COLUMNS), 0)
        for k, c in counts.items():
            label = f"{k} {names.get(k, '')}" if key == "by_category" else str(k)
            table.add_row(label, *[f"{c.get(s, 0):,}" for s, _ in STATUS_COLUMNS])
            for s, _ in STATUS_COLUMNS:
                totals[s] += c.get(s, 0)
        table.add_row("[bold]total[/bold]", *[f"[bold]{totals[s]:,}[/bold]" for s, _ in STATUS_COLUMNS])
        console.print(table)
    if ps.push_dir is not None:
        console.print(f"push lists: [bold]{ps.push_dir}[/bold] ({len(ps.files)} workbooks)")
    else:
        console.print("[yellow]no push lists: no rule could be evaluated for this date[/yellow]")
