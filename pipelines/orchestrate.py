"""One logical date end to end, without Airflow: the same step functions the DAG tasks call.

    discover → (no registry delivery: fail at once) → stage each delivery (read, normalise,
    validate; Parquet, no database) → under the warehouse lease: begin a night (a private work
    copy of the catalog) → load → link → rules → outputs gate → publish (one rename: the night
    appears whole, or not at all)

A step that fails leaves the published night as it was; the next run starts from it again.
Each step opens the night's work copy through one engine (pipelines.engine); the transformations
are the declared models of sql/models/, run by pipelines.models.runner.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from pipelines.contracts import Contract, load_contracts, registry_sources
from pipelines.faults import checkpoint
from pipelines.fileperms import temp_path
from pipelines.engine.duckdb_engine import DuckDBEngine
from pipelines.ingest.discovery import Delivery, Discovery, discover
from pipelines.linking.run import LinkSummary, link_counts
from pipelines.models.inputs import prepare
from pipelines.models.project import load_project
from pipelines.models.runner import run_step
from pipelines.publish import PublishSummary
from pipelines.publish.files import write_all
from pipelines.rules.runs import RulesSummary, rule_runs_frame, summarise
from pipelines.staging import StageResult, stage_delivery
from pipelines.store import bookkeeping, night
from pipelines.store.layout import Layout, layout
from pipelines.store.lease import Lease
from pipelines.timing import Clock
from pipelines.validation.quality import QualitySummary, check_outputs, delivery_results

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (label, done, total)
Previous = tuple[Delivery, "int | None"]  # an earlier delivery of a source and its rows read, if known
PREVIOUS_CANDIDATES = 3  # earlier deliveries tried, newest first, for a row-count baseline


class NothingTrustworthy(RuntimeError):
    """The night cannot be published (no usable registry): exit status 1, said in one line."""


@dataclass
class RunSummary:
    as_of: date
    landing: Path
    warehouse: Path
    discovery: Discovery
    run_id: str = ""
    staged: dict[str, StageResult] = field(default_factory=dict)
    earlier: list[StageResult] = field(default_factory=list)   # earlier deliveries of every-delivery sources
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
        return registry_problem(self.as_of, self.discovery, self.staged)

    def totals(self) -> dict[str, int]:
        rs = self.staged.values()
        return {
            "rows_read": sum(r.rows_read for r in rs),
            "rows_loaded": sum(r.rows_loaded for r in rs),
            "rows_rejected": sum(r.rows_rejected for r in rs),
        }


def registry_problem(as_of: date, discovery: Discovery, staged: dict[str, StageResult] | None = None) -> str | None:
    """Why the night has no trustworthy result (a registry source missing or quarantined), else None."""
    for source in registry_sources():
        if source not in discovery.chosen:
            return f"{source}: no complete delivery on or before {as_of}"
        res = (staged or {}).get(source)
        if res is not None and res.status == "quarantined":
            return f"{source} quarantined: {res.message}"
    return None


def new_run_id(hint: str | None = None) -> str:
    """A file-name-safe id of one run (an Airflow run id, or the time and pid of a CLI run)."""
    if hint:
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", hint)[:120]
    return f"cli-{datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}"


@dataclass
class Night:
    """One run's night on one warehouse: where it lives and who it is."""

    lay: Layout
    as_of: date
    run_id: str

    def engine(self) -> DuckDBEngine:
        return night.open_engine(self.lay)

    def write(self, retention: dict[str, str]):
        """The runner's writer of night models (pipelines.store.night.write_night)."""
        return lambda eng, table: night.write_night(eng, self.lay, table, self.as_of, self.run_id,
                                                    retention.get(table, "detail"))


def _retention() -> dict[str, str]:
    return {m.name: m.retention for m in load_project().models.values() if m.materialized == "night"}


# --------------------------------------------------------------------------- before the night
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


# --------------------------------------------------------------------------- the night's steps
def load_step(nt: Night, discovery: Discovery, results: dict[str, StageResult],
              earlier: list[StageResult] | None = None) -> None:
    """Record the staged deliveries and what the night uses in the work catalog; keep the
    deliveries' gate results for the outputs gate (scratch). `earlier`: the earlier deliveries of
    every-delivery sources (recorded too: the night reads them all)."""
    contracts = load_contracts()
    with nt.engine() as eng:
        for res in [*results.values(), *(earlier or [])]:
            bookkeeping.record_delivery(eng, nt.lay, res)
        bookkeeping.record_run_sources(eng, discovery, results, list(contracts))
        eng.put_frame("delivery_validation", delivery_results(results), persist=True)


def link_step(nt: Night) -> LinkSummary:
    """Tie the night's department records to registry persons (models of step `link`)."""
    summary = LinkSummary(nt.as_of)
    with nt.engine() as eng:
        ctx = prepare(eng, nt.lay, nt.as_of)
        if not set(registry_sources()) <= set(ctx.usable):
            raise NothingTrustworthy(f"no usable registry for {nt.as_of}: nothing can be linked")
        report = run_step(eng, "link", ctx, nt.write(_retention()))
        summary.seconds = report.seconds
        summary.by_source = link_counts(eng)
        rows = eng.rows("SELECT model FROM fuzzy_model") if "fuzzy_model" in report.ran else []
        if rows:
            import json

            summary.model = json.loads(rows[0][0])
    return summary


def rules_step(nt: Night) -> RulesSummary:
    """Signals, every rule whose sources are usable, the night's warnings (step `rules`)."""
    project = load_project()
    with nt.engine() as eng:
        ctx = prepare(eng, nt.lay, nt.as_of)
        report = run_step(eng, "rules", ctx, nt.write(_retention()))
        summary = summarise(eng, project, report, nt.as_of)
        eng.put_frame("rule_runs", rule_runs_frame(summary))
        night.write_night(eng, nt.lay, "rule_runs", nt.as_of, nt.run_id, "keep")
    for code, reason in sorted(summary.skipped.items()):
        log.warning("rule %s skipped for %s: %s", code, nt.as_of, reason)
    return summary


def validate_outputs_step(nt: Night) -> QualitySummary:
    """The outputs gate (expectations/outputs.json) on the night's warnings, its Data Docs and
    quality report. Raises OutputsRejected, so nothing is published, on a critical failure."""
    with nt.engine() as eng:
        night.tonight_views(eng, nt.lay, nt.as_of)
        deliveries = eng.frame("SELECT * FROM delivery_validation")
        summary, rows = check_outputs(eng, nt.as_of, nt.lay.out, nt.lay.staging, deliveries)
        eng.put_frame("validation_results", rows)
        night.write_night(eng, nt.lay, "validation_results", nt.as_of, nt.run_id, "detail")
    return summary


def publish_step(nt: Night) -> PublishSummary:
    """The night across nights (warning_status), the files for people into the run's pending
    folder, then the catalog swapped in, then the files: the night appears whole."""
    summary = PublishSummary(nt.as_of, nt.lay.out)
    pending = night.pending_files_dir(nt.lay, nt.run_id)
    with nt.engine() as eng:
        ctx = prepare(eng, nt.lay, nt.as_of)
        run_step(eng, "publish", ctx, nt.write(_retention()))
        write_all(eng, pending, nt.as_of, summary)
        summary.skipped = dict(eng.rows("SELECT rule_code, reason FROM rule_runs WHERE status = 'skipped'"))
        night.record_catalogue(eng)
        dirs = sorted(p.relative_to(pending).as_posix() for p in pending.glob("*/*")) if pending.exists() else []
        checkpoint("publish.files_written")
        night.publish(eng, nt.lay, nt.as_of, nt.run_id, dirs,
                      [s for s, c in load_contracts().items() if c.every_delivery])
    checkpoint("publish.before_swap")
    night.swap(nt.lay)
    checkpoint("publish.after_swap")
    night.swap_in_files(nt.lay, nt.run_id)
    checkpoint("publish.files_swapped")
    summary.push_dir = nt.lay.out / "push" / nt.as_of.isoformat()
    summary.files = sorted(summary.files)
    night.abort(nt.lay)   # the work folder (scratch, lease) is done with
    return summary


# --------------------------------------------------------------------------- one date
def run_for_date(landing: Path, warehouse: Path, as_of: date, progress: Progress | None = None,
                 reuse: bool = True, wait_seconds: float = 0.0) -> RunSummary:
    """The whole night for one date (what `lowincome run` does). Raises NothingTrustworthy when
    the registry is missing (before anything is read) or quarantined; WarehouseBusy when another
    run owns the warehouse."""
    contracts = load_contracts()
    lay = layout(warehouse)
    summary = RunSummary(as_of, Path(landing), lay.published, discovery=Discovery(as_of), run_id=new_run_id())
    clock = Clock(summary.timings)

    def tell(text: str, done: int = 0, total: int = 1) -> None:
        if progress:
            progress(text, done, total)

    with clock("discover"):
        summary.discovery = discover_step(landing, as_of, contracts)
        problem = registry_problem(as_of, summary.discovery)
        if problem:
            raise NothingTrustworthy(problem)
        summary.previous = previous_deliveries(warehouse, summary.discovery)
    with clock("stage"):
        todo = staging_order(night_deliveries(summary.discovery, contracts))
        results = []
        for i, delivery in enumerate(todo):
            tell(f"staging {delivery.source}", i, len(todo))
            results.append(stage_step(delivery, warehouse, reuse=reuse, previous=summary.previous.get(delivery.source)))
            newest, _ = split_results(summary.discovery, results)
            problem = registry_problem(as_of, summary.discovery, newest)
            if problem:
                summary.staged = newest
                raise NothingTrustworthy(problem)
        newest, earlier = split_results(summary.discovery, results)
        summary.staged = {d: newest[d] for d in summary.discovery.chosen}
        summary.earlier = earlier
        tell("staged", len(todo), len(todo))
    nt = Night(lay, as_of, summary.run_id)
    cfg = night.warehouse_config()
    with Lease(lay, nt.run_id, as_of.isoformat(), wait_seconds=wait_seconds,
               timeout_hours=float(cfg["lease_timeout_hours"])) as lease:
        if lease.took_over:
            log.warning("took over the warehouse from %s, which is gone; its unfinished night is dropped",
                        lease.took_over.describe())
        try:
            with clock("load"):
                night.begin(lay, nt.run_id)
                checkpoint("load.begun")
                load_step(nt, summary.discovery, summary.staged, summary.earlier)
            checkpoint("load.done")
            with clock("link"):
                tell("linking")
                summary.linking = link_step(nt)
            checkpoint("link.done")
            with clock("rules"):
                tell("rules")
                summary.rules = rules_step(nt)
            checkpoint("rules.done")
            with clock("validate_outputs"):
                tell("validating outputs")
                summary.quality = validate_outputs_step(nt)
            checkpoint("gate.done")
            with clock("publish"):
                tell("publishing")
                summary.published = publish_step(nt)
        except BaseException:
            night.abort(lay, nt.run_id)
            raise
    return summary

