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

import contextlib
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from pipelines.contracts import load_contracts, registry_sources
from pipelines.deliveries import (  # noqa: F401  (the steps before the night, re-exported for callers)
    Previous, baseline, delivery_bytes, discover_step, night_deliveries, previous_deliveries, registry_problem,
    split_results, stage_all, stage_step, staging_order,
)
from pipelines.faults import checkpoint
from pipelines.engine.duckdb_engine import DuckDBEngine
from pipelines.ingest.discovery import Discovery
from pipelines.linking.run import LinkSummary, link_counts
from pipelines.models.inputs import prepare
from pipelines.models.project import load_project
from pipelines.models.runner import run_step
from pipelines.publish import PublishSummary
from pipelines.publish.files import write_all
from pipelines.rules.runs import RulesSummary, rule_runs_frame, summarise
from pipelines.staging import StageResult
from pipelines.store import bookkeeping, night
from pipelines.store.layout import Layout, layout
from pipelines.store.lease import Lease
from pipelines.timing import Clock
from pipelines.validation.quality import QualitySummary, check_outputs, delivery_results

log = logging.getLogger(__name__)

class Progress(Protocol):
    """What run_for_date tells its caller as it goes (pipelines.report shows it)."""

    def __call__(self, label: str, done: int, total: int) -> None:
        """About to do `label` (`done` of `total` parts of the step done)."""

    def finished(self, step: str, seconds: float, result: object = None) -> None:
        """A step is done (discover, stage, load, link, rules, validate_outputs, publish) with its
        result, or one delivery is staged (`stage:<source>`, its StageResult). Optional: a plain
        function (label, done, total) is told the labels only."""


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
    docs: list = field(default_factory=list)   # Data Docs being built meanwhile (validate_outputs_step)

    def docs_built(self) -> None:
        """Wait for the Data Docs being built (raises what their build raised)."""
        while self.docs:
            self.docs.pop(0).wait()

    def engine(self) -> DuckDBEngine:
        return night.open_engine(self.lay)

    def write(self, retention: dict[str, str]):
        """The runner's writer of night models (pipelines.store.night.write_night)."""
        return lambda eng, table: night.write_night(eng, self.lay, table, self.as_of, self.run_id,
                                                    retention.get(table, "detail"))


def _retention() -> dict[str, str]:
    return {m.name: m.retention for m in load_project().models.values() if m.materialized == "night"}


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
        log.warning("rule %s skipped for %s: %s", code, nt.as_of, reason,
                    extra={"said_by_summary": True})   # `lowincome run` says it in its own output
    return summary


def validate_outputs_step(nt: Night, docs_meanwhile: bool = False) -> QualitySummary:
    """The outputs gate (expectations/outputs.json) on the night's warnings, its Data Docs and
    quality report. Raises OutputsRejected, so nothing is published, on a critical failure.
    `docs_meanwhile`: the Data Docs are built in a worker process while the night goes on
    (`nt.docs`; publish_step waits for them before publishing), not before this returns."""
    with nt.engine() as eng:
        night.tonight_views(eng, nt.lay, nt.as_of)
        deliveries = eng.frame("SELECT * FROM delivery_validation")
        summary, rows = check_outputs(eng, nt.as_of, nt.lay.out, nt.lay.staging, deliveries,
                                      nt.docs if docs_meanwhile else None)
        eng.put_frame("validation_results", rows)
        night.write_night(eng, nt.lay, "validation_results", nt.as_of, nt.run_id, "detail")
    return summary


def publish_step(nt: Night, timings: dict[str, float] | None = None) -> PublishSummary:
    """The night across nights (warning_status), the files for people into the run's pending
    folder, then the catalog swapped in, then the files: the night appears whole. `timings`: the
    run's steps so far, for the night's report."""
    summary = PublishSummary(nt.as_of, nt.lay.out, run_id=nt.run_id, run_timings=dict(timings or {}))
    pending = night.pending_files_dir(nt.lay, nt.run_id)
    with nt.engine() as eng:
        ctx = prepare(eng, nt.lay, nt.as_of)
        run_step(eng, "publish", ctx, nt.write(_retention()))
        write_all(eng, pending, nt.as_of, summary)
        summary.skipped = dict(eng.rows("SELECT rule_code, reason FROM rule_runs WHERE status = 'skipped'"))
        night.record_catalogue(eng)
        dirs = sorted(p.relative_to(pending).as_posix() for p in pending.glob("*/*")) if pending.exists() else []
        nt.docs_built()   # the night's Data Docs, built meanwhile, are there before it is published
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
ENGINES = ("duckdb", "spark")


def engine_layout(warehouse: Path, engine: str = "duckdb", spark_master: str | None = None):
    """The warehouse's layout for an engine (Spark: the process's session made on `spark_master`)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (one of {', '.join(ENGINES)})")
    lay = layout(warehouse, engine)
    if engine == "spark":
        from pipelines.engine.spark_engine import configure

        configure(spark_master)
        if lay.published.is_file():
            raise ValueError(f"{lay.published} is a DuckDB warehouse file: run it with --engine duckdb")
    elif lay.published.is_dir():
        raise ValueError(f"{lay.published} is a Spark warehouse (a folder): run it with --engine spark")
    return lay


def stager(engine: str):
    """How a night's deliveries are staged: local processes, or tasks on the Spark executors."""
    if engine == "spark":
        from pipelines.engine.spark_staging import stage_all as on_spark

        return on_spark
    return stage_all


def run_for_date(landing: Path, warehouse: Path, as_of: date, progress: Progress | None = None,
                 reuse: bool = True, wait_seconds: float = 0.0, engine: str = "duckdb",
                 spark_master: str | None = None) -> RunSummary:
    """The whole night for one date (what `lowincome run` does). Raises NothingTrustworthy when
    the registry is missing (before anything is read) or quarantined; WarehouseBusy when another
    run owns the warehouse. engine "spark": the same steps on Spark (`spark_master`), the
    warehouse a folder of Parquet datasets (pipelines/store/spark_store.py)."""
    contracts = load_contracts()
    lay = engine_layout(warehouse, engine, spark_master)
    summary = RunSummary(as_of, Path(landing), lay.published, discovery=Discovery(as_of), run_id=new_run_id())
    clock = Clock(summary.timings)

    def tell(text: str, done: int = 0, total: int = 1) -> None:
        if progress:
            progress(text, done, total)

    def told(step: str, result: object = None, seconds: float | None = None) -> None:
        finished = getattr(progress, "finished", None)
        if finished is not None:
            finished(step, summary.timings.get(step, 0.0) if seconds is None else seconds, result)

    with clock("discover"):
        summary.discovery = discover_step(landing, as_of, contracts)
        problem = registry_problem(as_of, summary.discovery)
        if problem:
            raise NothingTrustworthy(problem)
        summary.previous = previous_deliveries(warehouse, summary.discovery)
    told("discover", summary.discovery)
    with clock("stage"):
        todo = night_deliveries(summary.discovery, contracts)
        seen: list[StageResult] = []

        def staged(result: StageResult, done: int, total: int) -> None:
            tell(f"staged {result.source}", done, total)
            told(f"stage:{result.source}", result, result.seconds)
            seen.append(result)
            newest = split_results(summary.discovery, seen)[0]
            problem = registry_problem(as_of, summary.discovery, newest)
            if problem:
                summary.staged = newest
                raise NothingTrustworthy(problem)

        results = stager(engine)(todo, warehouse, reuse, summary.previous, on_done=staged)
        newest, earlier = split_results(summary.discovery, results)
        summary.staged = {d: newest[d] for d in summary.discovery.chosen}
        summary.earlier = earlier
        tell("staged", len(todo), len(todo))
    told("stage", results)
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
            told("load")
            checkpoint("load.done")
            with clock("link"):
                tell("linking")
                summary.linking = link_step(nt)
            told("link", summary.linking)
            checkpoint("link.done")
            with clock("rules"):
                tell("rules")
                summary.rules = rules_step(nt)
            told("rules", summary.rules)
            checkpoint("rules.done")
            with clock("validate_outputs"):
                tell("validating outputs")
                summary.quality = validate_outputs_step(nt, docs_meanwhile=True)
            told("validate_outputs", summary.quality)
            checkpoint("gate.done")
            with clock("publish"):
                tell("publishing")
                summary.published = publish_step(nt, summary.timings)
            told("publish", summary.published)
        except BaseException:
            with contextlib.suppress(Exception):
                nt.docs_built()   # no worker left writing when the run ends
            night.abort(lay, nt.run_id)
            raise
    return summary

