"""The files for people of a night, written into the run's pending folder by the writers of
pipelines.publish.files (push lists, county workbooks, the charity list); the publish step swaps
them in right after the catalog (pipelines.store.night).

`write_push_lists(rows, folder, as_of, summary)` writes every department's push list and the
province summary from prepared rows (pipelines.publish.rows.prepare) and fills the summary's counts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.fileperms import secure_dir
from pipelines.publish.encrypt import Protection
from pipelines.publish.pushlists import push_file_name, summary_file_name, write_department, write_summary
from pipelines.publish.rows import visible_to
from pipelines.publish.settings import files_config
from pipelines.publish.workers import each
from pipelines.rules.catalogue import load_catalogue

log = logging.getLogger(__name__)
STATUSES = ("new", "open", "resolved")


@dataclass
class PublishSummary:
    as_of: date
    out_dir: Path | None = None
    counts: dict = field(default_factory=dict)   # by_category / by_department → key → status → n
    push_dir: Path | None = None
    files: list[str] = field(default_factory=list)          # push/<date>/ file names
    county_files: list[str] = field(default_factory=list)   # county/<date>/ file names
    charity_file: str | None = None
    encrypted: bool = False
    skipped: dict[str, str] = field(default_factory=dict)   # rule → why (as recorded in rule_runs)
    run_id: str = ""
    run_timings: dict[str, float] = field(default_factory=dict)  # the run's steps before publishing (the report shows them)
    seconds: dict[str, float] = field(default_factory=dict)      # writer → its own wall seconds
    report: str | None = None                                    # report/<date>.html, under the files folder


def _counts(rows: pl.DataFrame, key: str, keys: list) -> dict:
    out = {k: dict.fromkeys(STATUSES, 0) for k in keys}
    for k, status, n in rows.group_by(key, "status").len().iter_rows():
        out.setdefault(k, dict.fromkeys(STATUSES, 0))[status] = n
    return out


def _write_one(fn, args: tuple):
    """A push-list workbook: `fn(*args)` (write_department or write_summary; a worker's job)."""
    return fn(*args)


def write_push_lists(rows: pl.DataFrame, folder: Path, as_of: date, summary: PublishSummary,
                     protection: Protection | None = None) -> None:
    """Every department's workbook (even without warnings: "nothing new" is news) and the summary."""
    catalogue = load_catalogue()
    cfg = files_config()
    secure_dir(folder)
    departments = list(dict.fromkeys([*catalogue.departments, *sorted(set(rows["department"].drop_nulls()))]))
    calls = [(folder / push_file_name(d, as_of), d, visible_to(rows, d), as_of, d in cfg.masked_push_lists,
              protection, cfg) for d in departments]
    summary_call = (folder / summary_file_name(as_of), rows, as_of, cfg, departments)
    # side by side (pipelines/publish/workers.py): the summary as one more workbook among them
    each(_write_one, [(write_department, c) for c in calls] + [(write_summary, summary_call)],
         [c[2].height for c in calls] + [rows.height])
    summary.files += [push_file_name(d, as_of) for d in departments] + [summary_file_name(as_of)]
    summary.encrypted = bool(protection and protection.on)
    summary.counts = {
        "by_category": _counts(rows, "category", sorted(catalogue.categories)),
        "by_department": _counts(rows, "department", departments),
    }
