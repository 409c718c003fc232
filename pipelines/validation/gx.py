"""great-expectations, imported lazily and quietly; run a stored suite on a pandas frame.

Importing great_expectations costs 5-10 s, so nothing imports it until a suite is run, and a
process keeps one ephemeral context. GX's per-batch data fingerprint (an md5 over every cell,
metadata only) is switched off: on millions of rows it costs more than the validation itself.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

_STATE: dict[str, Any] = {}
RESULT_FORMAT = "SUMMARY"  # counts plus up to 20 unexpected values
# Identity numbers never leave the warehouse in full (an outputs sample may hold a subject key
# that is one): 230102********123X, as pipelines.normalise.idnumbers.mask_id.
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_ids(text: str) -> str:
    return _ID_LIKE.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)


def _plain(v) -> str:
    """A sample value as text: numpy scalars unwrapped, tuples/dicts shown plainly."""
    if isinstance(v, (tuple, list)):
        return "(" + ", ".join(_plain(x) for x in v) + ")"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_plain(x)}" for k, x in v.items()) + "}"
    v = v.item() if hasattr(v, "item") else v
    return mask_ids(str(v))


def _quiet() -> None:
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.WARNING)


_LOCK = threading.RLock()


def gx():
    """The great_expectations module, imported once with its loggers at WARNING."""
    with _LOCK:
        if "gx" not in _STATE:
            os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
            logging.getLogger("great_expectations").setLevel(logging.WARNING)
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


def prewarm() -> None:
    """Start importing great_expectations (5-10 s of mostly Python) in a background thread.

    Called when a process starts staging: the import then overlaps reading and normalising the
    first delivery (polars releases the GIL), and the first suite finds it done."""
    if "gx" not in _STATE and "prewarm" not in _STATE:
        _STATE["prewarm"] = threading.Thread(target=context, name="gx-prewarm", daemon=True)
        _STATE["prewarm"].start()


def _batch_definition(asset: str):
    context()
    batches = _STATE["batches"]
    if asset not in batches:
        batches[asset] = _STATE["datasource"].add_dataframe_asset(name=asset).add_batch_definition_whole_dataframe("whole")
    return batches[asset]


def _raised(info: dict) -> str | None:
    if not info:
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "error")
    for v in info.values():
        if isinstance(v, dict) and v.get("raised_exception"):
            return str(v.get("exception_message") or "error")
    return None


def _num(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


@dataclass
class Outcome:
    """One expectation's result, flattened for the warehouse (`validation_results`)."""
    suite: str
    expectation: str           # meta.key: stable name, e.g. id_valid.id_number.critical
    expectation_type: str
    column: str | None
    severity: str              # critical | warning
    success: bool
    observed_value: float | None  # row count, or the share of values that met the expectation
    unexpected_count: int | None
    element_count: int | None
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class SuiteRun:
    suite: str
    outcomes: list[Outcome]
    result: dict               # the GX result as JSON (for Data Docs)

    @property
    def critical_failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "critical"]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity != "critical"]


def _outcome(suite: str, r, parameters: dict) -> Outcome:
    cfg = r.expectation_config
    kw = dict(cfg.kwargs)
    kw.pop("batch_id", None)
    res = r.result or {}
    meta = cfg.meta or {}
    severity = str(getattr(cfg.severity, "value", cfg.severity) or meta.get("severity") or "critical").lower()
    column = kw.get("column") or (",".join(kw["column_list"]) if kw.get("column_list") else None) \
        or (f"{kw['column_A']}={kw['column_B']}" if kw.get("column_A") else None)
    error = _raised(r.exception_info or {})
    observed = _num(res.get("observed_value"))
    if observed is None and res.get("element_count") is not None:
        pct = _num(res.get("unexpected_percent"))
        observed = None if pct is None else round(1 - pct / 100, 6)
    details = {k: v for k, v in kw.items() if k not in ("column",)}
    if cfg.type == "expect_table_row_count_to_be_between":
        details["min_value"], details["max_value"] = kw.get("min_value"), kw.get("max_value")
        details["previous_rows"] = parameters.get("previous_rows")
        details["previous_delivery"] = parameters.get("previous_delivery")
    if res.get("partial_unexpected_list"):
        details["sample_unexpected"] = [_plain(v) for v in res["partial_unexpected_list"][:10]]
    if res.get("missing_count"):
        details["blank"] = int(res["missing_count"])
    if error:
        details["error"] = error.splitlines()[0][:300]
    unexpected = res.get("unexpected_count")
    element = res.get("element_count")
    return Outcome(suite, str(meta.get("key") or cfg.type), cfg.type, column, severity, bool(r.success),
                   observed, None if unexpected is None else int(unexpected),
                   None if element is None else int(element), details)


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
    outcomes = [_outcome(suite["name"], r, parameters) for r in res.results]
    order = {e["meta"]["key"]: i for i, e in enumerate(suite["expectations"])}
    outcomes.sort(key=lambda o: order.get(o.expectation, len(order)))
    result = json.loads(mask_ids(json.dumps(res.to_json_dict(), default=str, ensure_ascii=False)))
    return SuiteRun(suite["name"], outcomes, result)
