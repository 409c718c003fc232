"""One logical date end to end, without Airflow: the same step functions the DAG tasks call.

    discover (+ each source's previous delivery, the bound of its row count) → stage each
    source (read, normalise, validate; no database) → load (one writer) → link → rules
    → validate outputs → publish

Each step is keyed on the logical date and can be re-run: a re-run replaces that date's rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from pipelines.contracts import Contract, load_contracts, registry_sources
from pipelines.ingest.discovery import Delivery, Discovery, discover
from pipelines.linking import LinkSummary, link_run
from pipelines.publish import PublishSummary, publish
from pipelines.rules import RulesSummary, apply_rules
from pipelines.staging import StageResult, stage_delivery
from pipelines.timing import Clock
from pipelines.validation.quality import QualitySummary, check_outputs, record_delivery_results
from pipelines.warehouse import Warehouse, outputs_root_for, staging_root_for

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (label, done, total)
Previous = tuple[Delivery, "int | None"]  # an earlier delivery of a source and its rows read, if known
PREVIOUS_CANDIDATES = 3  # earlier deliveries tried, newest first, for a row-count baseline


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
    quality: QualitySummary | None = None
    published: PublishSummary | None = None
    previous: dict[str, list[Previous]] = field(default_factory=dict)  # source → row-count baselines

    @property
    def quarantined(self) -> list[StageResult]:
        return [r for r in self.staged.values() if r.status == "quarantined"]

    def untrustworthy(self) -> str | None:
        """Why the date has no trustworthy result (the registry is missing or quarantined), else None."""
        for source in registry_sources():
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


def previous_deliveries(warehouse: Path, discovery: Discovery) -> dict[str, list[Previous]]:
    """The row-count baselines of the data-quality gate: for each chosen delivery, the source's
    earlier complete deliveries on the landing zone (newest first, at most PREVIOUS_CANDIDATES),
    each with its rows read when the warehouse's `delivery_log` already knows them (read-only).

    Which delivery is "previous" comes from the landing zone, not from what the warehouse happens
    to have loaded, so a date's gate does not depend on the order dates were run in (a backfill
    beside the nightly run, or dates run out of order, give every date the same bound).
    `stage_step` counts the rows of a baseline that delivery_log does not know."""
    earlier: dict[str, list[Delivery]] = {}
    for d in discovery.superseded:
        chosen = discovery.chosen.get(d.source)
        if chosen is not None and d.delivery_date < chosen.delivery_date:
            earlier.setdefault(d.source, []).append(d)
    if not earlier:
        return {}
    known: dict[tuple[str, date], int] = {}
    warehouse = Path(warehouse)
    if warehouse.exists():
        with Warehouse(warehouse, read_only=True) as wh:
            if wh.table_exists("delivery_log"):
                for source, day, rows in wh.execute(
                        "SELECT source, delivery_date, rows_read FROM delivery_log WHERE rows_read > 0").fetchall():
                    known[(source, day)] = int(rows)
    out = {}
    for source, ds in earlier.items():
        ds = sorted(ds, key=lambda d: d.delivery_date, reverse=True)[:PREVIOUS_CANDIDATES]
        out[source] = [(d, known.get((source, d.delivery_date))) for d in ds]
    return out


def _rows_read(delivery: Delivery, staging_root: Path) -> int:
    """Rows of a delivery as staging counts them (`StageResult.rows_read`); 0 when unreadable.
    Remembered beside its staging folder, so a delivery no run uses is read once."""
    import json

    from pipelines.ingest.errors import DeliveryError
    from pipelines.ingest.readers import read_file

    memo = Path(staging_root) / delivery.source / f"{delivery.delivery_date.isoformat()}.rows.json"
    key = delivery.fingerprint()
    if memo.exists():
        cached = json.loads(memo.read_text(encoding="utf-8"))
        if cached.get("fingerprint") == key:
            return int(cached["rows"])
    contract = load_contracts()[delivery.source]
    try:
        rows = sum(read_file(p, contract).rows for p in delivery.files)
    except DeliveryError:
        rows = 0
    memo.parent.mkdir(parents=True, exist_ok=True)
    memo.write_text(json.dumps({"fingerprint": key, "rows": rows}), encoding="utf-8")
    return rows


def baseline(previous: list[Previous] | None, staging_root: Path) -> tuple[date, int] | None:
    """The first earlier delivery with rows (counted when delivery_log did not know them)."""
    for d, rows in previous or []:
        rows = rows if rows else _rows_read(d, staging_root)
        if rows > 0:
            return d.delivery_date, rows
    return None


def stage_step(delivery: Delivery, warehouse: Path, reuse: bool = True,
               previous: list[Previous] | None = None) -> StageResult:
    contract = load_contracts()[delivery.source]
    staging_root = staging_root_for(Path(warehouse))
    prev_date, prev_rows = baseline(previous, staging_root) or (None, None)
    return stage_delivery(delivery, contract, staging_root, reuse=reuse,
                          previous_rows=prev_rows, previous_delivery=prev_date)


def load_step(warehouse: Path, discovery: Discovery, results: dict[str, StageResult]) -> None:
    """The single writer: staged Parquet into DuckDB, then what this run uses."""
    contracts = load_contracts()
    with Warehouse(warehouse) as wh:
        for res in results.values():
            wh.load_staged(res)
        wh.refresh_moved_views([s for s in contracts if s not in results])
        wh.record_run_sources(discovery, results, contracts)
        record_delivery_results(wh, discovery.as_of, results)


def link_step(warehouse: Path, as_of: date) -> LinkSummary:
    """Tie the date's department records to registry persons (single writer)."""
    with Warehouse(warehouse) as wh:
        return link_run(wh, as_of)


def rules_step(warehouse: Path, as_of: date) -> RulesSummary:
    """Apply the warning rules to the date's linked data (single writer)."""
    with Warehouse(warehouse) as wh:
        return apply_rules(wh, as_of)


def validate_outputs_step(warehouse: Path, as_of: date) -> QualitySummary:
    """The outputs gate (expectations/outputs.json) on the date's warnings, the date's Data Docs
    and quality report (single writer). Raises OutputsRejected, so nothing is published, when a
    critical expectation fails."""
    with Warehouse(warehouse) as wh:
        return check_outputs(wh, as_of, outputs_root_for(Path(warehouse)), staging_root_for(Path(warehouse)))


def publish_step(warehouse: Path, as_of: date) -> PublishSummary:
    """Publish the date atomically: warnings and their history, push lists, report."""
    with Warehouse(warehouse) as wh:
        return publish(wh, as_of, outputs_root_for(warehouse))


def delivery_bytes(delivery: Delivery) -> int:
    return sum(p.stat().st_size for p in delivery.files)


def run_for_date(landing: Path, warehouse: Path, as_of: date, progress: Progress | None = None,
                 reuse: bool = True) -> RunSummary:
    contracts = load_contracts()
    summary = RunSummary(as_of, Path(landing), Path(warehouse), discovery=Discovery(as_of))
    clock = Clock(summary.timings)

    def tell(text: str, done: int = 0, total: int = 1) -> None:
        if progress:
            progress(text, done, total)

    with clock("discover"):
        summary.discovery = discover_step(landing, as_of, contracts)
        summary.previous = previous_deliveries(warehouse, summary.discovery)
    with clock("stage"):
        chosen = list(summary.discovery.chosen.values())
        staged = {}
        # Largest first: great_expectations imports in a thread (~10 s) while the first, longest read
        # runs, instead of the first small delivery's validation waiting for it.
        for i, delivery in enumerate(sorted(chosen, key=delivery_bytes, reverse=True)):
            tell(f"staging {delivery.source}", i, len(chosen))
            staged[delivery.source] = stage_step(delivery, warehouse, reuse=reuse,
                                                 previous=summary.previous.get(delivery.source))
        summary.staged = {d.source: staged[d.source] for d in chosen}
        tell("staged", len(chosen), len(chosen))
    with clock("load"):
        load_step(warehouse, summary.discovery, summary.staged)
    with clock("link"):
        tell("linking")
        summary.linking = link_step(warehouse, as_of)
    with clock("rules"):
        tell("rules")
        summary.rules = rules_step(warehouse, as_of)
    with clock("validate_outputs"):
        tell("validating outputs")
        summary.quality = validate_outputs_step(warehouse, as_of)
    with clock("publish"):
        tell("publishing")
        summary.published = publish_step(warehouse, as_of)
    return summary
