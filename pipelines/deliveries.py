"""Before a night takes the warehouse: which deliveries it uses, their row-count baselines, and
staging one delivery (read, normalise, validate into Parquet; no database).

Kept apart from the night's steps so that an Airflow stage task (one process per delivery)
imports only what staging needs.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from pipelines.contracts import Contract, load_contracts, registry_sources
from pipelines.fileperms import temp_path
from pipelines.ingest.discovery import Delivery, Discovery, discover
from pipelines.staging import StageResult, stage_delivery
from pipelines.store.layout import layout

Previous = tuple[Delivery, "int | None"]  # an earlier delivery of a source and its rows read, if known
PREVIOUS_CANDIDATES = 3  # earlier deliveries tried, newest first, for a row-count baseline


def registry_problem(as_of: date, discovery: Discovery, staged: dict[str, StageResult] | None = None) -> str | None:
    """Why the night has no trustworthy result (a registry source missing or quarantined), else None."""
    for source in registry_sources():
        if source not in discovery.chosen:
            return f"{source}: no complete delivery on or before {as_of}"
        res = (staged or {}).get(source)
        if res is not None and res.status == "quarantined":
            return f"{source} quarantined: {res.message}"
    return None


def discover_step(landing: Path, as_of: date, contracts: dict[str, Contract] | None = None) -> Discovery:
    return discover(Path(landing), as_of, contracts or load_contracts())


def previous_deliveries(warehouse: Path, discovery: Discovery) -> dict[str, list[Previous]]:
    """The row-count baselines of the data-quality gate: for each chosen delivery, the source's
    earlier complete deliveries on the landing zone (newest first, at most PREVIOUS_CANDIDATES),
    each with its rows read when the published catalog's `delivery_log` knows them (read-only:
    never in a writer's way).

    Which delivery is "previous" comes from the landing zone, not from what the warehouse happens
    to have loaded, so a date's gate does not depend on the order dates were run in."""
    earlier: dict[str, list[Delivery]] = {}
    for d in discovery.superseded:
        chosen = discovery.chosen.get(d.source)
        if chosen is not None and d.delivery_date < chosen.delivery_date:
            earlier.setdefault(d.source, []).append(d)
    if not earlier:
        return {}
    known: dict[tuple[str, date], int] = {}
    published = layout(warehouse).published
    if published.exists():
        from pipelines.engine.duckdb_engine import DuckDBEngine

        with DuckDBEngine(published, read_only=True) as eng:
            if eng.exists("delivery_log"):
                for source, day, rows in eng.rows("SELECT source, delivery_date, rows_read FROM delivery_log "
                                                  "WHERE rows_read > 0"):
                    known[(source, day)] = int(rows)
    out = {}
    for source, ds in earlier.items():
        ds = sorted(ds, key=lambda d: d.delivery_date, reverse=True)[:PREVIOUS_CANDIDATES]
        out[source] = [(d, known.get((source, d.delivery_date))) for d in ds]
    return out


def _rows_read(delivery: Delivery, staging_root: Path) -> int:
    """Rows of a delivery as staging counts them (`StageResult.rows_read`); 0 when unreadable.
    Remembered beside its staging folder, so a delivery no run uses is read once."""
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
    tmp = temp_path(memo)
    tmp.write_text(json.dumps({"fingerprint": key, "rows": rows}), encoding="utf-8")
    os.replace(tmp, memo)
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
    staging_root = layout(warehouse).staging
    prev_date, prev_rows = baseline(previous, staging_root) or (None, None)
    return stage_delivery(delivery, contract, staging_root, reuse=reuse,
                          previous_rows=prev_rows, previous_delivery=prev_date)


def delivery_bytes(delivery: Delivery) -> int:
    """The delivery's size on disk (0 for a file gone since discovery: staging quarantines it)."""
    total = 0
    for p in delivery.files:
        try:
            total += p.stat().st_size
        except OSError:
            pass
    return total


def night_deliveries(discovery: Discovery, contracts: dict[str, Contract] | None = None) -> list[Delivery]:
    """What a night stages: each source's newest delivery on or before the night, and every earlier
    one of a source whose every delivery counts (feedback: replies accumulate)."""
    contracts = contracts or load_contracts()
    extra = [d for d in discovery.superseded if contracts[d.source].every_delivery]
    return list(discovery.chosen.values()) + sorted(extra, key=lambda d: (d.source, d.delivery_date))


def split_results(discovery: Discovery, results: list[StageResult]) -> tuple[dict[str, StageResult], list[StageResult]]:
    """(the newest delivery's result per source, the earlier deliveries' of every-delivery sources)."""
    newest, earlier = {}, []
    for r in results:
        chosen = discovery.chosen.get(r.source)
        if chosen is not None and chosen.delivery_date == r.delivery_date:
            newest[r.source] = r
        else:
            earlier.append(r)
    return newest, earlier


def staging_order(chosen: list[Delivery]) -> list[Delivery]:
    """The registry first (a quarantined registry stops the night before anything else is read),
    then largest first."""
    registry = set(registry_sources())
    return sorted(chosen, key=lambda d: (d.source not in registry, -delivery_bytes(d)))
