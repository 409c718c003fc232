"""great-expectations, imported lazily and quietly; run a stored suite on a pandas frame.

Used where GX itself must run: the outputs gate (whose process builds the Data Docs with GX
anyway), a delivery suite holding an expectation type `evaluate.py` does not know, and the
conformance test that holds `evaluate.py` to GX's results. The delivery gates of staging do
not come here (see `evaluate.py`): a staging task never imports great_expectations.

Importing great_expectations costs 5-15 s, so nothing imports it until a suite is run, and a
process keeps one ephemeral context. GX's per-batch data fingerprint (an md5 over every cell,
metadata only) is switched off: on millions of rows it costs more than the validation itself.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from typing import Any

from pipelines.validation.results import SuiteRun, suite_run

log = logging.getLogger(__name__)

_STATE: dict[str, Any] = {}
RESULT_FORMAT = "SUMMARY"  # counts plus up to 20 unexpected values


def _quiet() -> None:
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.WARNING)


_LOCK = threading.RLock()


@contextlib.contextmanager
def _without_pyspark():
    """Hide an installed pyspark while great_expectations imports, unless this process uses Spark.

    GX imports pyspark whenever it is installed (for Spark datasources; ours are pandas frames),
    which made every DuckDB night's outputs gate 5-10 s slower and printed pandas-version warnings.
    `sys.modules[name] = None` makes `import name` fail; the entry is removed afterwards, so the
    Spark engine can still import pyspark later in the same process."""
    if "pyspark" in sys.modules:
        yield
        return
    sys.modules["pyspark"] = None
    try:
        yield
    finally:
        if "pyspark" in sys.modules and sys.modules["pyspark"] is None:
            del sys.modules["pyspark"]


def gx():
    """The great_expectations module, imported once with its loggers at WARNING."""
    with _LOCK:
        if "gx" not in _STATE:
            os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
            logging.getLogger("great_expectations").setLevel(logging.WARNING)
            with _without_pyspark():
                import great_expectations
                import great_expectations.execution_engine.pandas_execution_engine as pee

            pee.HASH_THRESHOLD = 0  # no md5 fingerprint of the whole frame per batch
            _quiet()
            _STATE["gx"] = great_expectations
        return _STATE["gx"]


def context():
    """One ephemeral context per process, without progress bars."""
    with _LOCK:
        if "context" not in _STATE:
            g = gx()
            ctx = g.get_context(mode="ephemeral")
            ctx.variables.progress_bars = g.data_context.types.base.ProgressBarsConfig(globally=False)
            _STATE["context"] = ctx
            _STATE["datasource"] = ctx.data_sources.add_pandas(name="lowincome")
            _STATE["batches"] = {}
            _quiet()  # some modules pin INFO on their own logger when a context is made
        return _STATE["context"]


def _batch_definition(asset: str):
    context()
    batches = _STATE["batches"]
    if asset not in batches:
        batches[asset] = _STATE["datasource"].add_dataframe_asset(name=asset).add_batch_definition_whole_dataframe("whole")
    return batches[asset]


def run_suite(suite: dict, frame, asset: str, parameters: dict | None = None) -> SuiteRun:
    """Validate a pandas frame against a suite dict; all expectations in one call."""
    g = gx()
    parameters = dict(parameters or {})
    gx_params = {e["kwargs"][k]["$PARAMETER"]: None for e in suite["expectations"] for k in e["kwargs"]
                 if isinstance(e["kwargs"][k], dict) and "$PARAMETER" in e["kwargs"][k]}  # unset → no bound
    gx_params.update({k: v for k, v in parameters.items() if k in gx_params})
    s = g.ExpectationSuite(**{k: v for k, v in suite.items() if k != "id"})
    batch = _batch_definition(asset).get_batch(batch_parameters={"dataframe": frame})
    res = batch.validate(s, result_format=RESULT_FORMAT, expectation_parameters=gx_params)
    return suite_run(suite, res.to_json_dict(), parameters)
