"""What `lowincome run` says: progress while it runs, a summary after, a JSON summary for schedulers.

Two readers, told apart by whether the output is a terminal:

  a person at a terminal   a progress bar (rich, gone when done), then the summary tables
  a log (cron, Airflow,    no bar and no colour: a time-stamped line per step and per delivery,
  `> run.log`)             with its counts and time, as they happen; then the same tables, at a
                           width that never wraps or cuts a name (LOG_WIDTH)

Every message is said once. A quarantine's message is in its delivery's line (log) or in the
summary (terminal), never both; rules skipped because of it name the source and its state,
not the message again; and the pipeline's own log records of the same events carry
`said_by_summary`, which `quiet_duplicates` drops from the command's log (Airflow, which has no
summary, keeps them). `-v` adds detail: per-model and per-rule timings, staging parts, every
ignored file, and the models' skip reasons (their INFO log).

The JSON summary (`--json`) is one object on stdout (see `run_json`); the exit status stays that
of outputs.md: 0 published, 1 nothing trustworthy could be published, 2 usage.
"""

from __future__ import annotations

import logging
import re
import time
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.masking import safe_message

LOG_WIDTH = 10_000          # a log is read in an editor: no line is wrapped, no table cell cut
METHODS = ["exact_id", "id15_converted", "repaired_id", "disability_card", "fuzzy_name"]
STATUS_COLUMNS = (("new", "new"), ("open", "still open"), ("resolved", "resolved"))
IGNORED_SHOWN = 10          # without -v, the first this many ignored paths are listed
SLOWEST_SHOWN = 12          # with -v, the slowest models / rules listed
SAID_BY_SUMMARY = "said_by_summary"   # a log record's attribute: the run summary says this already


def console_for(stderr: bool = False) -> Console:
    """stdout's (or stderr's) console; when it is not a terminal, one that never wraps or cuts."""
    con = Console(stderr=stderr)
    if con.is_terminal:
        return con
    return Console(stderr=stderr, width=LOG_WIDTH, soft_wrap=True, highlight=False)


class _SaidBySummary(logging.Filter):
    """Drops what the run's output says; a model's skip reason (-v) keeps the source and its state
    but not the quarantine message again (its delivery's line said it)."""

    SKIPPED = re.compile(r"^model (\S+) skipped: (.*)$", re.S)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, SAID_BY_SUMMARY, False):
            return False
        if record.name == "pipelines.models.runner":
            m = self.SKIPPED.match(record.getMessage())
            if m:
                record.msg, record.args = f"model {m.group(1)} skipped: {_short_reason(m.group(2))}", None
        return True


def quiet_duplicates() -> None:
    """Drop the log records the run's own output says (a quarantine, a skipped rule) from every
    handler of the root logger: each message once."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _SaidBySummary) for f in handler.filters):
            handler.addFilter(_SaidBySummary())


def _short_reason(reason: str | None) -> str:
    """A skip reason without the quarantine message it quotes: 'vehicles quarantined'."""
    from pipelines.report_html.wording import skip_causes

    causes = skip_causes(reason)
    return "; ".join(f"{s} {st}" for s, st in causes) if causes else safe_message(reason)


def _n(v) -> str:
    return f"{int(v or 0):,}"


class RunConsole:
    """The run's voice: `progress` for run_for_date (pipelines.orchestrate.Progress), `summary`
    after it, `failed` when it could not publish."""

    def __init__(self, console: Console, verbose: bool = False, plain: bool | None = None):
        self.console = console
        self.verbose = verbose
        self.plain = (not console.is_terminal) if plain is None else plain
        self.said: set[str] = set()           # quarantines already told (source:date)
        self._bar = None
        self._task = None

    # ------------------------------------------------------------------ while it runs
    @contextmanager
    def progress(self) -> Iterator["RunConsole"]:
        """The progress display for run_for_date: a bar on a terminal, lines in a log."""
        if self.plain:
            yield self
            return
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeElapsedColumn(), console=self.console, transient=True) as bar:
            self._bar, self._task = bar, bar.add_task("starting", total=1)
            try:
                yield self
            finally:
                self._bar = self._task = None

    def __call__(self, label: str, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=label, completed=done, total=max(total, 1))

    def _line(self, step: str, text: str, seconds: float | None) -> None:
        took = f" ({seconds:.1f} s)" if seconds is not None else ""
        self.console.print(f"{datetime.now():%Y-%m-%d %H:%M:%S} {step:<16} {text}{took}", markup=False,
                           highlight=False, soft_wrap=True)

    def finished(self, step: str, seconds: float, result: object = None) -> None:
        """A step or a delivery is done: one line in a log (nothing on a terminal: the bar moves)."""
        if not self.plain:
            return
        if step.startswith("stage:"):
            self._line("stage", self._delivery_line(result), seconds)
            if self.verbose and result.timings:
                parts = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
                self._line("", f"  {result.source}: {parts}", None)
            return
        text = {
            "discover": self._discover_line, "stage": self._stage_line, "load": lambda r: "deliveries recorded",
            "link": self._link_line, "rules": self._rules_line, "validate_outputs": self._gate_line,
            "publish": self._publish_line,
        }.get(step, lambda r: "")(result)
        self._line(step, text, seconds)
        if self.verbose and step in ("link", "rules") and result is not None and result.seconds:
            slow = sorted(result.seconds.items(), key=lambda kv: -kv[1])[:SLOWEST_SHOWN]
            self._line("", "  slowest: " + ", ".join(f"{k} {v:.2f} s" for k, v in slow), None)

    def _delivery_line(self, r) -> str:
        where = f"{r.source} {r.delivery_date.isoformat()}"
        if r.status != "staged":
            self.said.add(f"{r.source}:{r.delivery_date}")
            return f"{where}: QUARANTINED: {safe_message(r.message)}"
        return (f"{where}: {_n(r.rows_read)} read, {_n(r.rows_loaded)} loaded, {_n(r.rows_rejected)} rejected, "
                f"{_n(r.value_issues)} value issues")

    @staticmethod
    def _discover_line(d) -> str:
        return (f"{d.as_of.isoformat()}: {len(d.chosen)} sources with a delivery, {len(d.missing)} missing"
                + (f" ({', '.join(sorted(d.missing))})" if d.missing else "")
                + f", {len(d.ignored)} ignored on the landing zone")

    @staticmethod
    def _stage_line(results) -> str:
        bad = sum(1 for r in results if r.status != "staged")
        return (f"{len(results)} deliveries, {_n(sum(r.rows_read for r in results))} rows read, "
                f"{_n(sum(r.rows_loaded for r in results))} loaded, {bad} quarantined")

    @staticmethod
    def _link_line(ls) -> str:
        if ls.skipped:
            return f"skipped: {safe_message(ls.skipped)}"
        links = sum(ls.total(m) for m in {m for c in ls.by_source.values() for m in c} - {"records", "review"})
        return f"{_n(ls.total('records'))} department records, {_n(links)} linked, {_n(ls.total('review'))} to review"

    @staticmethod
    def _rules_line(rs) -> str:
        return (f"{len(rs.found)} evaluated, {len(rs.skipped)} skipped, {_n(sum(rs.found.values()))} warnings found, "
                f"{_n(rs.signals)} signals")

    @staticmethod
    def _gate_line(q) -> str:
        failed = len(q.outputs_failed) if q is not None else 0
        warned = len(q.warnings) if q is not None else 0
        return f"outputs checked: {failed} critical failures, {warned} warnings"

    @staticmethod
    def _publish_line(ps) -> str:
        by_status = {s: sum(c.get(s, 0) for c in (ps.counts.get("by_category") or {}).values()) for s, _ in STATUS_COLUMNS}
        report = f"; report {ps.report} in {ps.seconds.get('report', 0):.1f} s" if ps.report else ""
        return (f"published: {_n(by_status['new'])} new, {_n(by_status['open'])} still open, "
                f"{_n(by_status['resolved'])} resolved; {len(ps.files)} push lists{report}")

    # ------------------------------------------------------------------ after it ran
    def failed(self, day: date, message: str, err: Console) -> None:
        """The one line of a night that could not be published (masked, escaped)."""
        err.print(f"[red]run for {day} failed:[/red] {escape(safe_message(message))}", soft_wrap=True)

    def summary(self, s, seconds: float) -> None:
        """The tables and lines after a published night (each message once)."""
        con = self.console
        con.print(self._deliveries_table(s))
        t = s.totals()
        con.print(f"rows read {t['rows_read']:,}, loaded {t['rows_loaded']:,}, rejected {t['rows_rejected']:,}")
        for r in s.quarantined:
            if f"{r.source}:{r.delivery_date}" not in self.said:
                con.print(f"[red]quarantined[/red] {r.source} {r.delivery_date}: {escape(safe_message(r.message))}",
                          soft_wrap=True)
        self._ignored(s)
        if s.linking is not None:
            self._links(s.linking)
        if s.rules is not None:
            self._rules(s.rules)
        if s.published is not None:
            self._warnings(s.published)
        timing = ", ".join(f"{k} {v:.1f}s" for k, v in s.timings.items())
        con.print(f"stages: {timing}; total {seconds:.1f} s", soft_wrap=True)
        con.print(f"warehouse: [bold]{escape(str(s.warehouse))}[/bold]  (read it with: lowincome sql --warehouse "
                  f"{escape(str(s.warehouse))})", soft_wrap=True)

    def _deliveries_table(self, s) -> Table:
        table = Table(title=f"Run for {s.as_of} — deliveries", show_lines=False)
        numeric = {"read", "loaded", "rejected", "value issues", "s"}
        for col in ("source", "delivery", "status", "encoding", "read", "loaded", "rejected", "value issues", "s"):
            table.add_column(col, justify="right" if col in numeric else "left", overflow="fold")
        for source in sorted(set(s.staged) | set(s.discovery.missing)):
            r = s.staged.get(source)
            if r is None:
                table.add_row(source, "-", "[yellow]missing[/yellow]", "", "", "", "", "", "")
                continue
            status = "loaded" if r.status == "staged" else "[red]quarantined[/red]"
            table.add_row(source, r.delivery_date.isoformat(), status, ",".join(sorted(set(r.encodings))),
                          _n(r.rows_read), _n(r.rows_loaded), _n(r.rows_rejected), _n(r.value_issues), f"{r.seconds:.1f}")
        return table

    def _ignored(self, s) -> None:
        ignored = s.discovery.ignored
        if not ignored:
            return
        shown = ignored if self.verbose else ignored[:IGNORED_SHOWN]
        self.console.print(f"ignored on the landing zone ({len(ignored)}):")
        for ig in shown:
            where = ig.path.relative_to(s.landing) if ig.path.is_relative_to(s.landing) else ig.path
            self.console.print(f"  {escape(safe_message(str(where)))}: {escape(safe_message(ig.reason))}", soft_wrap=True)
        if len(shown) < len(ignored):
            self.console.print(f"  … and {len(ignored) - len(shown)} more (-v lists them; table run_ignored)")

    def _links(self, ls) -> None:
        if ls.skipped:
            self.console.print(f"[yellow]linking skipped:[/yellow] {escape(safe_message(ls.skipped))}")
            return
        methods = METHODS + sorted({m for c in ls.by_source.values() for m in c} - set(METHODS) - {"records", "review"})
        table = Table(title="Links by method", show_lines=False)
        for col in ("source", "records", *methods, "review", "unlinked"):
            table.add_column(col, justify="left" if col == "source" else "right", overflow="fold")
        for source in sorted(ls.by_source):
            c = ls.by_source[source]
            linked = sum(c.get(m, 0) for m in methods)
            unlinked = c.get("records", 0) - linked - c.get("review", 0)
            table.add_row(source, _n(c.get("records")), *[_n(c.get(m)) for m in methods], _n(c.get("review")),
                          _n(unlinked))
        self.console.print(table)

    def _rules(self, rs) -> None:
        """Which rules ran; the skipped ones grouped by cause (a source missing or quarantined)."""
        self.console.print(f"rules: {len(rs.found)} evaluated, {len(rs.skipped)} skipped, "
                           f"{sum(rs.found.values()):,} warnings found")
        by_cause: dict[str, list[str]] = {}
        for rule, reason in sorted(rs.skipped.items()):
            by_cause.setdefault(_short_reason(reason), []).append(rule)
        for cause, rules in by_cause.items():
            self.console.print(f"  [yellow]skipped[/yellow] ({escape(cause)}): {', '.join(rules)}", soft_wrap=True)

    def _warnings(self, ps) -> None:
        """Warnings per category and per department: new tonight, still open, resolved tonight
        (counts only: identity numbers never reach the console), then where the files are."""
        from pipelines.rules.catalogue import load_catalogue

        names = load_catalogue().categories
        for key, title in (("by_category", "Warnings by category"), ("by_department", "Warnings by department")):
            counts = ps.counts.get(key) or {}
            if not counts:
                continue
            table = Table(title=f"{title} ({ps.as_of})", show_lines=False)
            table.add_column("category" if key == "by_category" else "department", overflow="fold")
            for _, label in STATUS_COLUMNS:
                table.add_column(label, justify="right")
            totals = dict.fromkeys((s for s, _ in STATUS_COLUMNS), 0)
            for k, c in counts.items():
                label = f"{k} {names.get(k, '')}" if key == "by_category" else str(k)
                table.add_row(label, *[_n(c.get(s, 0)) for s, _ in STATUS_COLUMNS])
                for s, _ in STATUS_COLUMNS:
                    totals[s] += c.get(s, 0)
            table.add_row("[bold]total[/bold]", *[f"[bold]{totals[s]:,}[/bold]" for s, _ in STATUS_COLUMNS])
            self.console.print(table)
        out = ps.out_dir
        if ps.push_dir is not None:
            self.console.print(f"push lists: [bold]{escape(str(ps.push_dir))}[/bold] ({len(ps.files)} workbooks)",
                               soft_wrap=True)
        if ps.report and out is not None:
            self.console.print(f"report: [bold]{escape(str(Path(out) / ps.report))}[/bold] "
                               f"(built in {ps.seconds.get('report', 0):.1f} s)", soft_wrap=True)
        if self.verbose and ps.seconds:
            self.console.print("files: " + ", ".join(f"{k} {v:.1f} s" for k, v in ps.seconds.items()))


def print_run_summary(console: Console, s, seconds: float) -> None:
    """The summary alone (nothing said before it): what a caller without progress prints."""
    RunConsole(console, plain=False).summary(s, seconds)


# --------------------------------------------------------------------------- for schedulers
def _delivery_json(r) -> dict:
    return {"delivery": r.delivery_date.isoformat(), "state": "loaded" if r.status == "staged" else "quarantined",
            "rows_read": r.rows_read, "rows_loaded": r.rows_loaded, "rows_rejected": r.rows_rejected,
            "value_issues": r.value_issues, "seconds": r.seconds,
            "message": safe_message(r.message) if r.message else None}


def run_json(as_of: date, s=None, seconds: float = 0.0, error: BaseException | None = None,
             exit_status: int = 0, usage: str | None = None) -> dict:
    """The machine-readable summary of one `lowincome run` (stable keys; counts, never persons).

    status: published (exit 0) | failed (exit 1: nothing published; `error_kind` names why, e.g.
    NothingTrustworthy, WarehouseBusy, OutputsRejected) | usage_error (exit 2)."""
    out: dict = {"as_of": as_of.isoformat() if as_of else None, "exit_status": exit_status,
                 "status": "usage_error" if usage else ("failed" if error is not None else "published"),
                 "seconds": round(seconds, 3), "error": None, "error_kind": None}
    if usage:
        out["error"] = safe_message(usage)
        return out
    if error is not None:
        out["error"] = safe_message(str(error))
        out["error_kind"] = type(error).__name__
    if s is None:
        return out
    out.update({"run_id": s.run_id, "warehouse": str(s.warehouse), "landing": str(s.landing),
                "timings": dict(s.timings), "rows": s.totals()})
    sources = {src: _delivery_json(r) for src, r in sorted(s.staged.items())}
    sources.update({src: {"delivery": None, "state": "missing"} for src in sorted(s.discovery.missing)})
    out["sources"] = dict(sorted(sources.items()))
    out["ignored"] = [{"path": safe_message(str(ig.path)), "reason": safe_message(ig.reason)} for ig in s.discovery.ignored]
    if s.linking is not None:
        out["linking"] = {"skipped": s.linking.skipped or None, "by_source": s.linking.by_source,
                          "review": s.linking.total("review")}
    if s.rules is not None:
        out["rules"] = {"evaluated": len(s.rules.found), "warnings_found": sum(s.rules.found.values()),
                        "skipped": {k: _short_reason(v) for k, v in sorted(s.rules.skipped.items())}}
    if s.quality is not None:
        out["quality"] = {"outputs_failed": len(s.quality.outputs_failed), "warnings": len(s.quality.warnings),
                          "report": s.quality.report or None, "data_docs": s.quality.data_docs or None}
    ps = s.published
    if ps is not None:
        out["warnings"] = {k: {str(key): v for key, v in (ps.counts.get(k) or {}).items()}
                           for k in ("by_category", "by_department")}
        out["files"] = {"out": str(ps.out_dir) if ps.out_dir else None,
                        "push": str(ps.push_dir) if ps.push_dir else None, "push_lists": len(ps.files),
                        "report": str(Path(ps.out_dir) / ps.report) if ps.report and ps.out_dir else None}
        out["file_seconds"] = dict(ps.seconds)
    return out


def elapsed(started: float) -> float:
    return time.perf_counter() - started
