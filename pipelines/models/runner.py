"""Run the declared models of one step of a night, in dependency order, on one engine.

For every model of the step, in `Project.order()`:
  skipped  when a landing source it needs is missing or quarantined for the night, or an input
           model was skipped (the reason names the source and its state); a collect model
           unions whichever members ran (none: empty, in its declared shape)
  python   its function (pipelines.models.python_models) returns SQL or a polars frame
  collect  the UNION ALL of its members that ran, projected onto their common columns
  temp / table / night   CREATE the relation (table: kept in scratch for later steps); a night
           model is also written as the night's Parquet file of its table (pipelines.store)

Before the first model the step's connection gets its inputs: `cur_<source>` (the run's
deliveries), the seeds (`param_<name>`, `rule_catalogue`, `categories`), `history_<table>`
(published nights) and the night files earlier steps wrote. Whether a model is skipped depends
only on the night's usable sources, so every step (another process under Airflow) agrees.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import polars as pl

from pipelines.engine.base import Engine, EngineError, ident
from pipelines.models.project import SOURCE_PREFIX, Model, Project, load_project

log = logging.getLogger(__name__)


@dataclass
class NightContext:
    """What a night's models may depend on: the date, the parameters, the sources."""

    as_of: date
    params: dict[str, object]
    usable: dict[str, date]                     # source → the delivery the night uses
    unusable: dict[str, str] = field(default_factory=dict)   # source → 'missing' / 'quarantined: …'

    def bound(self) -> dict[str, object]:
        return {"as_of": self.as_of, **{k: v for k, v in self.params.items() if not isinstance(v, dict)}}


@dataclass
class StepReport:
    step: str
    ran: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)     # model → why
    seconds: dict[str, float] = field(default_factory=dict)
    nights: dict[str, int] = field(default_factory=dict)      # night model → rows written


Writer = Callable[[Engine, str], int]   # (engine, night table) → rows written


def skip_reasons(project: Project, ctx: NightContext) -> dict[str, str]:
    """model → why it cannot run tonight, for every model of every step (deterministic)."""
    out: dict[str, str] = {}
    for m in project.order():
        if m.collect:
            continue
        missing = sorted(s for s in project.sources_of(m.name) if s not in ctx.usable)
        if missing:
            out[m.name] = "; ".join(f"{s} {ctx.unusable.get(s, 'missing')}" for s in missing)
            continue
        bad = sorted(i for i in m.inputs if i in out)
        if bad:
            out[m.name] = f"input {bad[0]} skipped: {out[bad[0]]}"
    return out


def _collect_sql(engine: Engine, project: Project, model: Model, ran: set[str]) -> str:
    """The members that ran, each projected onto the model's declared columns."""
    members = [m for m in project.members(model) if m.name in ran]
    if not members:
        raise _Empty()
    declared = dict(model.columns)
    parts = []
    for m in members:
        have = dict(engine.columns(m.name))
        extra = sorted(set(have) - set(declared))
        if extra:
            raise EngineError(f"{m.name} gives column(s) {extra} that {model.name} does not declare (@columns)")
        select = [f"'{m.code}' AS {ident(model.tag)}"] if model.tag else []
        select += [f"CAST({ident(c) if c in have else 'NULL'} AS {t}) AS {ident(c)}" for c, t in declared.items()]
        parts.append(f"SELECT {', '.join(select)} FROM {ident(m.name)}")
    return "\nUNION ALL\n".join(parts)


class _Empty(Exception):
    """A collect model none of whose members ran."""



def run_step(engine: Engine, step: str, ctx: NightContext, write_night: Writer | None = None,
             project: Project | None = None) -> StepReport:
    """Run the models of `step`; the caller has set up the connection's inputs (see the module doc)."""
    from pipelines.models.python_models import run_python_model

    project = project or load_project()
    report = StepReport(step)
    reasons = skip_reasons(project, ctx)
    ran = {m.name for m in project.order() if m.step != step and m.name not in reasons}
    params = ctx.bound()
    for m in project.order():
        if m.step != step:
            continue
        late = next((i for i in sorted(project.inputs(m)) if i in report.skipped), None)
        if m.name in reasons or (late and not m.collect):
            report.skipped[m.name] = reasons.get(m.name) or f"input {late} skipped: {report.skipped[late]}"
            log.info("model %s skipped: %s", m.name, report.skipped[m.name])
            continue
        started = time.perf_counter()
        persist = m.materialized == "table"   # a night model's later readers read its file
        try:
            if m.python:
                out = run_python_model(m.name, engine, ctx)
                if out is None:
                    pass   # the function made the relation itself (Engine.map_groups)
                elif isinstance(out, pl.DataFrame):
                    engine.put_frame(m.name, out, persist=persist)
                else:
                    engine.materialize(m.name, out, params, persist=persist)
            elif m.collect:
                try:
                    sql = _collect_sql(engine, project, m, ran)
                except _Empty:   # none of its members ran: empty, in its declared shape
                    cols = [f"CAST(NULL AS {t}) AS {ident(c)}" for c, t in m.columns]
                    sql = f"SELECT {', '.join(([f'CAST(NULL AS VARCHAR) AS {ident(m.tag)}'] if m.tag else []) + cols)} WHERE false"
                engine.materialize(m.name, sql, params, persist=persist)
            elif m.materialized == "view":
                continue   # catalog views are made when the night is published
            elif m.materialized == "ephemeral":
                engine.view(m.name, m.sql)   # inlined into its readers (no parameters in a view)
            else:
                engine.materialize(m.name, m.sql, params, persist=persist)
            if m.materialized == "night" and write_night is not None:
                report.nights[m.name] = write_night(engine, m.name)
        except EngineError as e:
            raise EngineError(f"model {m.folder}/{m.name} ({m.path.name}): {e}") from e
        ran.add(m.name)
        report.ran.append(m.name)
        report.seconds[m.name] = round(time.perf_counter() - started, 3)
    return report


def source_views(engine: Engine, ctx: NightContext, staged_files: dict[str, str], contracts,
                 every: dict[str, list[tuple[date, str]]] | None = None) -> None:
    """cur_<source>: the night's delivery of each usable source (a view over its staged Parquet);
    all_<source>: every loaded delivery on or before the night of an every-delivery source (empty,
    in its staged shape, before the first)."""
    from pipelines.engine.base import path_literal
    from pipelines.models.project import ALL_PREFIX
    from pipelines.normalise.frame import empty_staged

    for source, contract in contracts.items():
        name = ident(SOURCE_PREFIX + source)
        if source in ctx.usable and source in staged_files:
            day = ctx.usable[source].isoformat()
            engine.view(name, f"SELECT DATE '{day}' AS delivery_date, * "
                              f"FROM read_parquet({path_literal(staged_files[source])})")
        if contract.every_delivery:
            files = (every or {}).get(source) or []
            if files:
                engine.view(ident(ALL_PREFIX + source), "\nUNION ALL BY NAME\n".join(
                    f"SELECT DATE '{d.isoformat()}' AS delivery_date, * FROM read_parquet({path_literal(p)})"
                    for d, p in files))
            else:
                engine.put_frame(ident(ALL_PREFIX + source),
                                 empty_staged(contract).with_columns(pl.lit(None, pl.Date).alias("delivery_date")))


def seed_tables(engine: Engine, ctx: NightContext) -> None:
    """param_<name> for every mapping threshold, rule_catalogue and categories from the catalogue."""
    from pipelines.rules.catalogue import load_catalogue

    for name, value in ctx.params.items():
        if isinstance(value, dict):
            engine.put_frame(f"param_{ident(name)}", pl.DataFrame(
                {"key": [str(k) for k in value], "value": [float(v) for v in value.values()]}))
    cat = load_catalogue()
    engine.put_frame("rule_catalogue", pl.DataFrame(
        [{"rule_code": r.code, "title": r.title, "category_rule": r.category, "department": r.department,
          "subject": r.subject, "id_prefix": r.prefix, "check_points": r.check, "restricted_to": r.restricted_to}
         for r in cat.rules],
        schema={"rule_code": pl.String, "title": pl.String, "category_rule": pl.String, "department": pl.String,
                "subject": pl.String, "id_prefix": pl.String, "check_points": pl.String,
                "restricted_to": pl.String}))
    engine.put_frame("categories", pl.DataFrame(
        {"category": list(cat.categories), "category_code": list(cat.categories.values()),
         "category_name": [cat.category_names[k] for k in cat.categories]},
        schema={"category": pl.Int32, "category_code": pl.String, "category_name": pl.String}))
