"""What a step's connection needs before its models run: the night's context and inputs.

    night_context   the date, the parameters (config/rules.yaml, config/linking.yaml) and which
                    sources the night uses (run_sources of the work catalog)
    prepare         cur_<source> views over the staged deliveries, the seeds, tonight's files of
                    earlier steps and history_<table> (pipelines.store.night)
"""

from __future__ import annotations

from datetime import date

from pipelines.contracts import load_contracts
from pipelines.engine.base import Engine
from pipelines.models.runner import NightContext, seed_tables, source_views
from pipelines.store import night
from pipelines.store.layout import Layout


def night_params() -> dict[str, object]:
    """Every threshold the models may read as $name: rules (config/rules.yaml) and linking
    (config/linking.yaml). Mappings become param_<name> tables instead."""
    from pipelines.linking.run import linking_config
    from pipelines.rules.catalogue import load_params

    params = dict(load_params())
    for k, v in linking_config().items():
        if k in params:
            raise ValueError(f"parameter {k} is set in both config/rules.yaml and config/linking.yaml")
        params[k] = v
    return params


def night_context(engine: Engine, as_of: date) -> NightContext:
    usable, unusable = {}, {}
    for source, status, day, message in engine.rows(
            "SELECT source, status, delivery_date, message FROM run_sources WHERE as_of = $d ORDER BY source",
            {"d": as_of}):
        if status == "loaded":
            usable[source] = day
        else:
            unusable[source] = status + (f": {message}" if message else "")
    return NightContext(as_of, night_params(), usable, unusable)


def staged_files(engine: Engine, lay: Layout, as_of: date) -> dict[str, str]:
    """source → the staged Parquet file of the delivery the night uses."""
    rows = engine.rows("SELECT l.source, l.data_path FROM delivery_log l JOIN run_sources r USING (source, delivery_date) "
                       "WHERE r.as_of = $d AND r.status = 'loaded' AND l.data_path IS NOT NULL", {"d": as_of})
    return {s: str(lay.staging / p) for s, p in rows}


def every_delivery_files(engine: Engine, lay: Layout, as_of: date) -> dict[str, list[tuple[date, str]]]:
    """source → (delivery date, staged file) of every loaded delivery on or before the night, for
    the sources whose every delivery counts."""
    sources = [s for s, c in load_contracts().items() if c.every_delivery]
    out: dict[str, list[tuple[date, str]]] = {s: [] for s in sources}
    if not sources:
        return out
    for source, day, path in engine.rows(
            "SELECT source, delivery_date, data_path FROM delivery_log WHERE status = 'loaded' "
            "AND data_path IS NOT NULL AND delivery_date <= $d AND list_contains($s, source) "
            "ORDER BY source, delivery_date", {"d": as_of, "s": sources}):
        out[source].append((day, str(lay.staging / path)))
    return out


def prepare(engine: Engine, lay: Layout, as_of: date) -> NightContext:
    ctx = night_context(engine, as_of)
    source_views(engine, ctx, staged_files(engine, lay, as_of), load_contracts(),
                 every_delivery_files(engine, lay, as_of))
    seed_tables(engine, ctx)
    night.tonight_views(engine, lay, as_of)
    return ctx
