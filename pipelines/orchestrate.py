"""One logical date end to end, without Airflow: the same step functions the DAG tasks call.

    discover → stage each source (read, normalise, check; no database) → load (one writer)
    → link → rules → publish

Each step is keyed on the logical date and can be re-run: a re-run replaces that date's rows.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from pipelines.contracts import Contract, load_contracts
from pipelines.ingest.discovery import Delivery, Discovery, discover
from pipelines.linking import LinkSummary, link_run
from pipelines.publish import PublishSummary, publish
from pipelines.rules import RulesSummary, apply_rules
from pipelines.staging import StageResult, stage_delivery
from pipelines.warehouse import Warehouse, outputs_root_for, staging_root_for

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (label, done, total)
REGISTRY_SOURCES = ("registry_households", "registry_persons")  # without them nothing can be linked


@dataclass
class RunSummary:
    as_of: date
    landing: Path
    warehouse: Path
    discovery: Discovery
    staged: dict[str, StageResult] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    linking: LinkSummary | None = None
    rules: RulesSummary | None = None
    published: PublishSummary | None = None

    @property
    def quarantined(self) -> list[StageResult]:
        return [r for r in self.staged.values() if r.status == "quarantined"]

    def untrustworthy(self) -> str | None:
        """Why the date has no trustworthy result (the registry is missing or quarantined), else None."""
        for source in REGISTRY_SOURCES:
            res = self.staged.get(source)
            if res is None:
                return f"{source}: no complete delivery on or before {self.as_of}"
            if res.status == "quarantined":
                return f"{source} quarantined: {res.message}"
        return None

    def totals(self) -> dict[str, int]:
        rs = self.staged.values()
        return {
            "rows_read": sum(r.rows_read for r in rs),
            "rows_loaded": sum(r.rows_loaded for r in rs),
            "rows_rejected": sum(r.rows_rejected for r in rs),
        }


def discover_step(landing: Path, as_of: date, contracts: dict[str, Contract] | None = None) -> Discovery:
    return discover(Path(landing), as_of, contracts or load_contracts())


def stage_step(delivery: Delivery, warehouse: Path, reuse: bool = True) -> StageResult:
    contract = load_contracts()[delivery.source]
    return stage_delivery(delivery, contract, staging_root_for(Path(warehouse)), reuse=reuse)


def load_step(warehouse: Path, discovery: Discovery, results: dict[str, StageResult]) -> None:
    """The single writer: staged Parquet into DuckDB, then what this run uses."""
    contracts = load_contracts()
    with Warehouse(warehouse) as wh:
        for res in results.values():
            wh.load_staged(res)
        wh.record_run_sources(discovery, results, contracts)


def link_step(warehouse: Path, as_of: date) -> LinkSummary:
    """Tie the date's department records to registry persons (single writer)."""
    with Warehouse(warehouse) as wh:
        return link_run(wh, as_of)


def rules_step(warehouse: Path, as_of: date) -> RulesSummary:
    """Apply the warning rules to the date's linked data (single writer)."""
    with Warehouse(warehouse) as wh:
        return apply_rules(wh, as_of)


def publish_step(warehouse: Path, as_of: date) -> PublishSummary:
    """Publish the date atomically: warnings and their history, push lists, report."""
    with Warehouse(warehouse) as wh:
        return publish(wh, as_of, outputs_root_for(warehouse))


def run_for_date(landing: Path, warehouse: Path, as_of: date, progress: Progress | None = None,
                 reuse: bool = True) -> RunSummary:
    contracts = load_contracts()
    summary = RunSummary(as_of, Path(landing), Path(warehouse), discovery=Discovery(as_of))
    t0 = time.perf_counter()
    summary.discovery = discover_step(landing, as_of, contracts)
    summary.timings["discover"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    chosen = list(summary.discovery.chosen.values())
    for i, delivery in enumerate(chosen):
        if progress:
            progress(f"staging {delivery.source}", i, len(chosen))
        summary.staged[delivery.source] = stage_step(delivery, warehouse, reuse=reuse)
    if progress:
        progress("staged", len(chosen), len(chosen))
    summary.timings["stage"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    load_step(warehouse, summary.discovery, summary.staged)
    summary.timings["load"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if progress:
        progress("linking", 0, 1)
    summary.linking = link_step(warehouse, as_of)
    summary.timings["link"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if progress:
        progress("rules", 0, 1)
    summary.rules = rules_step(warehouse, as_of)
    summary.timings["rules"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if progress:
        progress("publishing", 0, 1)
    summary.published = publish_step(warehouse, as_of)
    summary.timings["publish"] = time.perf_counter() - t0
    return summary
