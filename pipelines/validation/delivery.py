"""The delivery gate: a source's suite run on one delivery inside staging (no database).

`stage_delivery` calls `validate_delivery` after reading and normalising, before writing
Parquet. A failed critical expectation quarantines the delivery; a failed warning one is
recorded and the delivery is loaded.

The suite is evaluated over the delivery's polars frame by `evaluate.py` (GX's meaning and
result JSON, without importing great_expectations or pandas: an Airflow staging task would pay
5-15 s for them); a suite holding an expectation that module does not evaluate goes to GX itself.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date
from functools import cache
from pathlib import Path

from pipelines.contracts import Contract
from pipelines.validation.suites import (checked_columns, load_suite, row_count_parameters, suite_columns,
                                         suite_fingerprint)

log = logging.getLogger(__name__)


@cache
def _code_fingerprint() -> str:
    h = hashlib.sha256()
    for name in ("delivery.py", "evaluate.py", "frames.py", "gx.py", "results.py", "suites.py"):
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()[:16]


def gate_fingerprint(source: str, previous_rows: int | None) -> str:
    """What, besides the files and the staging code, decides a delivery's gate: its suite, its
    row-count bound and the validation code."""
    return f"{suite_fingerprint(source)}:{previous_rows if previous_rows else '-'}:{_code_fingerprint()}"


def validate_delivery(contract: Contract, raw, data, previous_rows: int | None = None,
                      previous_delivery: date | None = None):
    """Run the source's suite on a delivery; None when the source has no suite."""
    from pipelines.validation.evaluate import validate
    from pipelines.validation.frames import delivery_frame

    suite = load_suite(contract.source)
    if suite is None:
        log.warning("no expectation suite for %s: the delivery is not validated", contract.source)
        return None
    frame = delivery_frame(contract, raw, data, suite_columns(suite), checked_columns(suite))
    params = row_count_parameters(suite, previous_rows)
    params["previous_rows"] = previous_rows or None
    params["previous_delivery"] = previous_delivery.isoformat() if previous_delivery else None
    run = validate(suite, frame, contract.source, params)
    _small_samples(run, suite, frame.height, previous_rows)
    return run


def _small_samples(run, suite: dict, rows: int, previous_rows: int | None) -> None:
    """Below `min_rows_for_shares` rows a share or ratio decides nothing: a failed critical one
    is reported as a warning (the suite's `meta.min_rows_for_shares`, from thresholds.yaml)."""
    floor = int(suite.get("meta", {}).get("min_rows_for_shares") or 0)
    gates = {e["meta"]["key"]: e["meta"].get("gate") for e in suite["expectations"]}
    for o in run.outcomes:
        if o.success or o.severity != "critical":
            continue
        gate = gates.get(o.expectation)
        n = rows if gate == "share" else min(rows, previous_rows or 0) if gate == "row_count" else None
        if n is not None and n < floor:
            o.severity = "warning"
            o.details["not_decisive"] = f"{n} rows < min_rows_for_shares {floor}: reported, not quarantined"


def _describe(o) -> str:
    d = o.details
    if o.expectation_type == "expect_column_to_exist":
        return f"{o.expectation}: column missing"
    if o.expectation_type == "expect_table_row_count_to_be_between":
        return (f"{o.expectation}: {int(o.observed_value or 0):,} rows, expected {d.get('min_value')}–"
                f"{d.get('max_value')} ({d.get('previous_rows'):,} rows in the delivery of "
                f"{d.get('previous_delivery')})")
    if d.get("error"):
        return f"{o.expectation}: could not be evaluated ({d['error']})"
    share = "" if o.observed_value is None else f"{o.observed_value:.1%}"
    need = f", needs ≥ {d['mostly']:.0%}" if d.get("mostly") is not None else ""
    bad = f" ({o.unexpected_count:,} rows" + (f", e.g. {', '.join(d['sample_unexpected'][:3])}" if d.get("sample_unexpected") else "") + ")" \
        if o.unexpected_count else ""
    return f"{o.expectation}: {share}{need}{bad}".replace(": ,", ":")


def quarantine_message(run) -> str:
    fails = run.critical_failures
    return f"failed {len(fails)} critical expectation(s) of expectations/{run.suite}.json: " + \
        "; ".join(_describe(o) for o in fails)
