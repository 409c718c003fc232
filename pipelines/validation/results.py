"""A suite's result as the warehouse and the quality report see it, read from GX's result JSON.

Both evaluators (`evaluate.py` for the delivery gates, great_expectations itself in `gx.py` for
the outputs gate) produce an `ExpectationSuiteValidationResult` in GX's JSON form; this module
flattens it into one `Outcome` per expectation (the rows of `validation_results`) the same way
whichever produced it. Imports neither great_expectations nor pandas.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

# Identity numbers never leave the warehouse in full (a sample of unexpected values may hold a
# key that is one): 230102********123X, as pipelines.normalise.idnumbers.mask_id.
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_ids(text: str) -> str:
    return _ID_LIKE.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)


def masked_json(result: dict) -> dict:
    """The result as plain JSON with every identity-number-like value masked: in strings, and an
    integer of 18 digits (a number column's sample) becomes its masked text. Values are masked one
    by one, never the JSON text, whose numbers a mask would break."""
    def walk(v):
        if isinstance(v, str):
            return mask_ids(v)
        if isinstance(v, bool):
            return v
        if isinstance(v, int) and mask_ids(str(v)) != str(v):
            return mask_ids(str(v))
        if isinstance(v, dict):
            return {walk(k): walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return walk(json.loads(json.dumps(result, default=str, ensure_ascii=False)))


def _plain(v) -> str:
    """A sample value as text: numpy scalars unwrapped, tuples/dicts shown plainly."""
    if isinstance(v, (tuple, list)):
        return "(" + ", ".join(_plain(x) for x in v) + ")"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_plain(x)}" for k, x in v.items()) + "}"
    v = v.item() if hasattr(v, "item") else v
    return mask_ids(str(v))


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
    result: dict               # the GX result as JSON, identity numbers masked (for Data Docs)

    @property
    def critical_failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "critical"]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity != "critical"]


def outcome(suite: str, r: dict, parameters: dict) -> Outcome:
    """One `ExpectationValidationResult` (JSON) as an Outcome."""
    cfg = r["expectation_config"]
    kw = dict(cfg.get("kwargs") or {})
    kw.pop("batch_id", None)
    res = r.get("result") or {}
    meta = cfg.get("meta") or {}
    severity = str(cfg.get("severity") or meta.get("severity") or "critical").lower()
    column = kw.get("column") or (",".join(kw["column_list"]) if kw.get("column_list") else None) \
        or (f"{kw['column_A']}={kw['column_B']}" if kw.get("column_A") else None)
    error = _raised(r.get("exception_info") or {})
    observed = _num(res.get("observed_value"))
    if observed is None and res.get("element_count") is not None:
        pct = _num(res.get("unexpected_percent"))
        observed = None if pct is None else round(1 - pct / 100, 6)
    details = {k: v for k, v in kw.items() if k not in ("column",)}
    if cfg["type"] == "expect_table_row_count_to_be_between":
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
    return Outcome(suite, str(meta.get("key") or cfg["type"]), cfg["type"], column, severity, bool(r["success"]),
                   observed, None if unexpected is None else int(unexpected),
                   None if element is None else int(element), details)


def suite_run(suite: dict, result: dict, parameters: dict | None = None) -> SuiteRun:
    """A suite's result JSON (masked here) as a SuiteRun, outcomes in the suite's order."""
    result = masked_json(result)
    outcomes = [outcome(suite["name"], r, dict(parameters or {})) for r in result["results"]]
    order = {e["meta"]["key"]: i for i, e in enumerate(suite["expectations"])}
    outcomes.sort(key=lambda o: order.get(o.expectation, len(order)))
    return SuiteRun(suite["name"], outcomes, result)
