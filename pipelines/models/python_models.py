"""The models computed in Python (declared in sql/models/ with `-- @python: true`).

Each takes the step's engine and the night's context and returns SQL (materialised by the
runner like any model) or a polars frame. Their inputs are declared here, beside the function,
because no SELECT states them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import polars as pl

from pipelines.engine.base import Engine


@dataclass(frozen=True)
class PythonModel:
    inputs: Callable[[], set[str]]
    run: Callable[[Engine, object], "str | pl.DataFrame | None"]   # None: it made the relation itself


def _no_inputs() -> set[str]:
    """link_records reads whichever department sources are usable: no one of them is required."""
    return set()


def _link_records(engine: Engine, ctx) -> str:
    from pipelines.contracts import load_contracts
    from pipelines.linking.records import link_records_sql

    contracts = load_contracts()
    usable = [contracts[s] for s in sorted(ctx.usable) if not contracts[s].is_registry and contracts[s].subject]
    return link_records_sql(usable)


def _linking_config(ctx) -> dict:
    from pipelines.linking.run import linking_config

    return linking_config()


def _fuzzy_model(engine: Engine, ctx) -> pl.DataFrame:
    from pipelines.linking.fuzzy import fit_model, model_frame

    return model_frame(fit_model(engine, _linking_config(ctx)))


def _fuzzy_scores(engine: Engine, ctx) -> None:
    """Scored per group of records (a record's candidates never split): on Spark on the executors,
    the same polars code (Engine.map_groups). Makes the relation itself."""
    from pipelines.linking.fuzzy import KEY, SCORED, model_from_frame, registry_numbers

    shared = {"model": model_from_frame(engine.frame("SELECT model FROM fuzzy_model")),
              "numbers": registry_numbers(engine), "cfg": _linking_config(ctx)}
    engine.map_groups("fuzzy_scores", "SELECT * FROM fuzzy_pairs", KEY, _score_group, SCORED, shared=shared)


def _score_group(pairs: pl.DataFrame, shared: dict) -> pl.DataFrame:
    from pipelines.linking.fuzzy import count_in_intervals, score_candidates

    f_number = count_in_intervals(shared["numbers"], pairs["r_id_lo"], pairs["r_id_hi"]) if pairs.height else None
    return score_candidates(pairs, shared["model"], f_number, shared["cfg"])


def _divisions(engine: Engine, ctx) -> pl.DataFrame:
    from pipelines.publish.divisions import model

    return model(engine, ctx)


PYTHON_MODELS: dict[str, PythonModel] = {
    "link_records": PythonModel(_no_inputs, _link_records),
    "fuzzy_model": PythonModel(lambda: {"exact_pairs", "random_records", "random_people", "registry_number_quality",
                                        "source_shares"}, _fuzzy_model),
    "fuzzy_scores": PythonModel(lambda: {"fuzzy_pairs", "fuzzy_model", "registry_people"}, _fuzzy_scores),
    "divisions": PythonModel(lambda: {"cur_registry_households"}, _divisions),
}


def python_model_inputs(name: str) -> set[str]:
    if name not in PYTHON_MODELS:
        raise KeyError(f"no Python function for model {name} (pipelines/models/python_models.py)")
    return PYTHON_MODELS[name].inputs()


def run_python_model(name: str, engine: Engine, ctx) -> "str | pl.DataFrame":
    return PYTHON_MODELS[name].run(engine, ctx)
