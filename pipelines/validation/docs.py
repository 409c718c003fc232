"""Data Docs: the GX HTML pages of a run date, beside the warehouse.

    <warehouse stem>.out/data_docs/index.html            one link per run date
    <warehouse stem>.out/data_docs/<as_of>/index.html    GX site: every suite the date ran
                                                         (the deliveries it used, the outputs)

A date's site is rebuilt from scratch from the stored GX results (one JSON per delivery in its
staging folder, the outputs' JSON beside the site), so re-running a date replaces its pages
and no two processes ever write the same site. The pages load their styling from CDNs; offline
they are unstyled but complete.
"""

from __future__ import annotations

import html
import json
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SITE = "lowincome_quality"  # not `local_site`: taken in ephemeral mode


@dataclass
class DocEntry:
    suite: dict            # the suite as loaded from expectations/
    result: dict           # the GX result JSON
    run_name: str          # e.g. the delivery date or the run date
    batch: str             # e.g. vehicles-2026-12-02
    run_time: datetime


def docs_root(out_root: Path) -> Path:
    return Path(out_root) / "data_docs"


def build_site(site_dir: Path, entries: list[DocEntry]) -> Path:
    """Write a fresh GX Data Docs site with these results; returns its index.html."""
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    from pipelines.validation.gx import _quiet, gx

    g = gx()
    site_dir = Path(site_dir).resolve()
    shutil.rmtree(site_dir, ignore_errors=True)
    site_dir.mkdir(parents=True)
    ctx = g.get_context(mode="ephemeral")  # a fresh one: its result store holds only this site's results
    _quiet()
    ctx.add_data_docs_site(SITE, {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
    })
    schema = ExpectationSuiteValidationResultSchema()
    added: set[str] = set()
    for e in entries:
        if e.suite["name"] not in added:
            ctx.suites.add(g.ExpectationSuite(**{k: v for k, v in e.suite.items() if k != "id"}))
            added.add(e.suite["name"])
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=e.suite["name"]),
            run_id=RunIdentifier(run_name=e.run_name, run_time=e.run_time),
            batch_identifier=e.batch,
        )
        ctx.validation_results_store.set(key, schema.load(e.result))
    ctx.build_data_docs(site_names=[SITE])
    return site_dir / "index.html"


def write_root_index(root: Path) -> Path:
    """data_docs/index.html: one link per run date that has a site."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    dates = sorted((p.name for p in root.iterdir() if p.is_dir() and (p / "index.html").exists()), reverse=True)
    items = "\n".join(f'<li><a href="{html.escape(d)}/index.html">{html.escape(d)}</a></li>' for d in dates)
    page = ("<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>Data Docs · lowincome-monitor"
            "</title></head><body><h1>Data-quality results by run date</h1>\n"
            f"<ul>\n{items}\n</ul></body></html>\n")
    out = root / "index.html"
    out.write_text(page, encoding="utf-8")
    return out


def utc_midnight(day) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def read_result(path: Path) -> dict | None:
    p = Path(path)
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None
