"""The files for people of a night (push lists), written into the run's pending folder; the
publish step swaps them in right after the catalog (pipelines.store.night).

Entry point: `write_files(rows, folder, as_of)` → PublishSummary.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.publish.pushlists import safe_file_name, write_department, write_summary
from pipelines.rules.catalogue import load_catalogue

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


def _counts(rows: pl.DataFrame, key: str, keys: list) -> dict:
    out = {k: dict.fromkeys(STATUSES, 0) for k in keys}
    for k, status, n in rows.group_by(key, "status").len().iter_rows():
        out.setdefault(k, dict.fromkeys(STATUSES, 0))[status] = n
    return out


def write_push_lists(rows: pl.DataFrame, folder: Path, as_of: date, summary: PublishSummary) -> None:
    """Every department's workbook (even without warnings: "nothing new" is news) and the summary."""
    catalogue = load_catalogue()
    folder.mkdir(parents=True, exist_ok=True)
    for department in catalogue.departments:
        name = safe_file_name(department) + ".xlsx"
        write_department(folder / name, rows.filter(pl.col("department") == department), catalogue.category_names)
        summary.files.append(name)
    counts = (rows.group_by("department", "category")
              .agg([(pl.col("status") == s).sum().alias(s) for s in STATUSES])
              .sort("department", "category"))
    write_summary(folder / SUMMARY_FILE, rows, counts, catalogue.category_names, as_of)
    summary.files.append(SUMMARY_FILE)
    summary.counts = {
        "by_category": _counts(rows, "category", sorted(catalogue.categories)),
        "by_department": _counts(rows, "department", catalogue.departments),
    }
