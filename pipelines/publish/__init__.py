"""Publish a date's results atomically: warnings and their history, rule runs, signals (the
assistance chain), per-department push lists. Entry point: `publish`.

All table writes of the date happen in ONE transaction; the push-list workbooks are written
inside it into a temporary folder and renamed into `<out_dir>/push/<as_of>/` only after the
commit. A failure anywhere leaves the previously published tables and files as they were.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.publish.files import staged_folder, swap_in
from pipelines.publish.pushlists import safe_file_name, write_department, write_summary
from pipelines.rules.catalogue import Catalogue, load_catalogue
from pipelines.rules.context import sql_text
from pipelines.warehouse import Warehouse

log = logging.getLogger(__name__)
STATUSES = ("new", "open", "resolved")
SUMMARY_FILE = "汇总.xlsx"


@dataclass
class PublishSummary:
    as_of: date
    out_dir: Path | None = None
    counts: dict = field(default_factory=dict)   # by_category / by_department → key → status → n
    push_dir: Path | None = None
    files: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)   # rule → why (as recorded in rule_runs)


def _catalogue_table(wh: Warehouse, catalogue: Catalogue) -> None:
    wh.execute("DELETE FROM rule_catalogue")
    wh.con.executemany("INSERT INTO rule_catalogue VALUES (?, ?, ?, ?, ?, ?)",
                       [[r.code, r.title, r.category, r.department, r.subject, list(catalogue.needs(r))]
                        for r in catalogue.rules])


def _counts(rows: pl.DataFrame, key: str, keys: list) -> dict:
    out = {k: dict.fromkeys(STATUSES, 0) for k in keys}
    for k, status, n in rows.group_by(key, "status").len().iter_rows():
        out.setdefault(k, dict.fromkeys(STATUSES, 0))[status] = n
    return out


def publish(wh: Warehouse, as_of: date, out_dir: Path, catalogue: Catalogue | None = None) -> PublishSummary:
    catalogue = catalogue or load_catalogue()
    con = wh.con
    con.execute(sql_text("rules/_pending.sql"))
    con.execute(sql_text("publish/tables.sql"))
    runs = wh.scalar("SELECT count(*) FROM pending_rule_runs WHERE as_of = ?", [as_of])
    if not runs:
        raise RuntimeError(f"nothing to publish for {as_of}: the rules step has not run for this date")
    evaluated = wh.scalar("SELECT count(*) FROM pending_rule_runs WHERE as_of = ? AND status = 'evaluated'", [as_of])
    con.execute("SET VARIABLE as_of = ?::DATE", [as_of])
    summary = PublishSummary(as_of, Path(out_dir))
    final = Path(out_dir) / "push" / as_of.isoformat()
    with staged_folder(final) as tmp:
        with wh.transaction():
            _catalogue_table(wh, catalogue)
            con.execute(sql_text("publish/history.sql"))
            rows = con.sql(sql_text("publish/push_rows.sql")).pl()
            if evaluated:
                _write_files(tmp, rows, catalogue, as_of, summary)
            skipped = con.execute("SELECT rule_code, reason FROM rule_runs WHERE as_of = ? AND status = 'skipped'",
                                  [as_of]).fetchall()
        if evaluated:
            swap_in(tmp, final)
            summary.push_dir = final
        else:  # no rule could run (no registry): departments get no lists, not empty ones
            shutil.rmtree(final, ignore_errors=True)
            log.warning("no push lists for %s: no rule could be evaluated", as_of)
    summary.skipped = dict(skipped)
    summary.counts = {
        "by_category": _counts(rows, "category", sorted(catalogue.categories)),
        "by_department": _counts(rows, "department", catalogue.departments),
    }
    return summary


def _write_files(folder: Path, rows: pl.DataFrame, catalogue: Catalogue, as_of: date, summary: PublishSummary) -> None:
    """Every department's workbook (even without warnings: "nothing new" is news) and the summary."""
    for department in catalogue.departments:
        name = safe_file_name(department) + ".xlsx"
        write_department(folder / name, rows.filter(pl.col("department") == department), catalogue.category_names)
        summary.files.append(name)
    counts = (rows.group_by("department", "category")
              .agg([(pl.col("status") == s).sum().alias(s) for s in STATUSES])
              .sort("department", "category"))
    write_summary(folder / SUMMARY_FILE, rows, counts, catalogue.category_names, as_of)
    summary.files.append(SUMMARY_FILE)
