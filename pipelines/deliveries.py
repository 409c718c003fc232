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
    if published.is_dir():   # a Spark warehouse: its delivery_log is a Parquet dataset
        from pipelines.store.spark_store import delivery_rows_read

        known = delivery_rows_read(published)
    elif published.exists():
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


# --------------------------------------------------------------------------- staging a night
STAGING_WORKERS = int(os.environ.get("LOWINCOME_STAGING_WORKERS", "0")) or min(2, os.cpu_count() or 1)
# Peak memory of staging one delivery, per byte of its files (measured at province scale, the
# worker's whole RSS: 8.5× for the 308 MB registry_persons CSV, 9.8× for a 200 MB medins_burden);
# deliveries run side by side only while their estimates fit the budget (4.5 GB: the night's
# 6 GB less the parent's and linking's headroom; a delivery above it runs alone).
MEMORY_PER_BYTE = 10
STAGING_MEMORY = int(float(os.environ.get("LOWINCOME_STAGING_MEMORY_GB", "4.5")) * 1e9)


def stage_all(deliveries: list[Delivery], warehouse: Path, reuse: bool, previous: dict[str, list[Previous]],
              on_done=None, workers: int | None = None) -> list[StageResult]:
    """Stage the night's deliveries, several at once in separate processes when the machine has
    cores and memory to spare (each estimate ≤ the budget left), the registry's first: a quarantined
    registry stops the night (the caller checks after each result and raises): no further delivery
    is started, those already started finish (on one worker: nothing else is read).
    Results come back in `deliveries`' order; `on_done(result, done, total)` after each.
    `workers`: at most that many processes (default STAGING_WORKERS, read at call time; 1: all
    in this process)."""
    workers = STAGING_WORKERS if workers is None else workers
    todo = staging_order(deliveries)
    results: dict[int, StageResult] = {}
    done = 0

    def finished(d: Delivery, r: StageResult) -> None:
        nonlocal done
        results[id(d)] = r
        done += 1
        if on_done:
            on_done(r, done, len(todo))

    if workers <= 1 or len(todo) <= 1:
        for d in todo:
            finished(d, stage_step(d, warehouse, reuse=reuse, previous=previous.get(d.source)))
    else:   # the registry's deliveries start first, side by side; an error in on_done starts nothing more
        _stage_in_pool(todo, warehouse, reuse, previous, workers, finished)
    return [results[id(d)] for d in deliveries]


def _stage_in_pool(todo: list[Delivery], warehouse: Path, reuse: bool, previous: dict[str, list[Previous]],
                   workers: int, finished) -> None:
    """Stage `todo` on `workers` worker processes (pipelines.stage_worker, one delivery at a time
    each), starting a delivery only while the memory estimates of those running fit the budget."""
    import threading

    from pipelines.stage_worker import WorkerProcess

    estimate = {id(d): max(delivery_bytes(d) * MEMORY_PER_BYTE, 1) for d in todo}
    waiting = list(todo)   # largest first (staging_order)
    running: list[Delivery] = []
    lock = threading.Condition()
    errors: list[BaseException] = []

    def next_delivery() -> Delivery | None:
        with lock:
            while waiting and not errors:
                in_use = sum(estimate[id(d)] for d in running)
                pick = next((d for d in waiting if not running or in_use + estimate[id(d)] <= STAGING_MEMORY), None)
                if pick is not None:
                    waiting.remove(pick)
                    running.append(pick)
                    return pick
                lock.wait()
            return None

    def work() -> None:
        with WorkerProcess() as worker:
            while (d := next_delivery()) is not None:
                try:
                    result = worker.stage(d, warehouse, reuse, previous.get(d.source))
                    with lock:
                        finished(d, result)
                except BaseException as e:   # noqa: BLE001 - handed to the caller below
                    with lock:
                        errors.append(e)
                finally:
                    with lock:
                        running.remove(d)
                        lock.notify_all()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(min(workers, len(todo)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
