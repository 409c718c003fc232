"""A delivery's suite evaluated over its polars (Arrow) frame, with great-expectations' meaning and
in its result JSON, without importing great_expectations.

Why: staging runs one delivery per process under Airflow, and importing great_expectations (and
pandas under it) costs 5-15 s there, for a few thousand rows that take milliseconds to check; at
province scale handing the columns to pandas and GX's metric graph cost more than the checks.
The suites stay GX's (`expectations/<source>.json`: expectation type, kwargs, severity, meta)
and the result is an `ExpectationSuiteValidationResult` in GX 1.24's JSON form, so the rows of
`validation_results` and the Data Docs GX renders later (docs.py) are what GX itself gives.
`tests/test_validation_conformance.py` runs this module and GX on the same frames for every
expectation type below, failing cases included, and requires the same results.

What each type means here is GX 1.24.1's pandas execution (expectations/expectation.py
`_format_map_output`, `_mostly_success`, the column map metrics):
    expect_column_to_exist                 the frame has the column
    expect_column_values_to_not_be_null    unexpected = NULL rows, share of all rows ≥ mostly
    expect_column_values_to_be_in_set      NULLs ignored; unexpected = non-NULL values not in
                                           value_set, share of non-NULL rows ≥ mostly
    expect_column_values_to_be_unique      NULLs ignored; unexpected = every row whose value
                                           occurs more than once
    expect_compound_columns_to_be_unique   rows ignored per ignore_row_if; unexpected = every
                                           row whose tuple occurs more than once
    expect_column_pair_values_to_be_equal  with ignore_row_if either_value_is_missing only (the
                                           outputs gate's): rows where A or B is NULL ignored;
                                           unexpected = A ≠ B; samples [A, B]
    expect_table_row_count_to_be_between   min ≤ rows ≤ max, an unset bound does not bound
A suite with any other type (or kwargs this module does not read) is not `supported`: the caller
hands it to GX itself.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

import polars as pl

from pipelines.validation.suites import GX_VERSION

PARTIAL = 20  # GX's SUMMARY result format: partial_unexpected_count

# type → kwargs it may carry (besides batch_id); any other kwarg makes the suite unsupported
KWARGS = {
    "expect_column_to_exist": {"column"},
    "expect_column_values_to_not_be_null": {"column", "mostly"},
    "expect_column_values_to_be_in_set": {"column", "value_set", "mostly"},
    "expect_column_values_to_be_unique": {"column", "mostly"},
    "expect_compound_columns_to_be_unique": {"column_list", "mostly", "ignore_row_if"},
    "expect_table_row_count_to_be_between": {"min_value", "max_value"},
    "expect_column_pair_values_to_be_equal": {"column_A", "column_B", "ignore_row_if", "mostly"},
}
MAP_TYPES = {"expect_column_values_to_not_be_null", "expect_column_values_to_be_in_set",
             "expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique",
             "expect_column_pair_values_to_be_equal"}
PAIR_IGNORE = "either_value_is_missing"   # the one ignore_row_if of a column pair evaluated here
_NO_EXCEPTION = {"raised_exception": False, "exception_traceback": None, "exception_message": None}


def _comparable(dtype, values: list) -> bool:
    """Whether a value set holds values of the column's kind (pandas' `isin` across kinds, e.g.
    True against 1, is left to GX itself)."""
    if dtype == pl.Null:
        return True
    kinds = {type(v) for v in values}
    if dtype in (pl.String, pl.Categorical, pl.Enum):
        return kinds <= {str}
    if dtype == pl.Boolean:
        return kinds <= {bool}
    return dtype.is_integer() and kinds <= {int}


def supported(suite: dict, frame: pl.DataFrame | None = None) -> bool:
    """Whether every expectation of the suite is one this module evaluates as GX does (on this
    frame: value sets of the columns' kind)."""
    for e in suite["expectations"]:
        kw = e.get("kwargs") or {}
        if e["type"] not in KWARGS or not set(kw) <= KWARGS[e["type"]]:
            return False
        if e["type"] == "expect_column_values_to_be_in_set" and frame is not None and kw["column"] in frame.columns \
                and not _comparable(frame.schema[kw["column"]], list(kw["value_set"])):
            return False
        if e["type"] == "expect_column_pair_values_to_be_equal" and (
                kw.get("ignore_row_if") != PAIR_IGNORE or (frame is not None and not _same_kind_pair(frame, kw))):
            return False   # GX's other pair modes, a missing column, values of two kinds: GX itself
    return True


def _same_kind_pair(frame: pl.DataFrame, kw: dict) -> bool:
    a, b = kw["column_A"], kw["column_B"]
    return a in frame.columns and b in frame.columns and frame.schema[a] == frame.schema[b] \
        and frame.schema[a] not in (pl.Null, pl.Object)


def suite_parameter_names(suite: dict) -> list[str]:
    return [v["$PARAMETER"] for e in suite["expectations"] for v in (e.get("kwargs") or {}).values()
            if isinstance(v, dict) and "$PARAMETER" in v]


def _resolved(kwargs: dict, params: dict) -> dict:
    """Suite parameters substituted; a kwarg left None is dropped (as GX's configuration does)."""
    out = {}
    for k, v in kwargs.items():
        if isinstance(v, dict) and "$PARAMETER" in v:
            v = params.get(v["$PARAMETER"])
        if v is not None:
            out[k] = v
    return out


@dataclass(frozen=True)
class _Check:
    """One row-wise check over the frame; expectations that differ only in `mostly` or severity
    (a share's critical and warning pair) share it and it is computed once."""
    considered: pl.Expr | None   # the rows GX counts (None: every row)
    unexpected: pl.Expr          # an unexpected row (a subset of the considered ones)
    columns: tuple[str, ...]     # shown in the sample of unexpected values
    unique_of: pl.Expr | None = None  # for uniqueness: the considered rows' values, hashed
    as_pairs: bool = False       # samples as [A, B] lists (a column pair), not {column: value}


class _Frame:
    """The frame and its checks: every count in one parallel polars pass, samples on demand."""

    def __init__(self, frame: pl.DataFrame):
        self.df = frame
        self.rows = frame.height
        self.checks: dict[tuple, _Check] = {}
        self._counts: dict[tuple, tuple[int, int]] = {}
        self._samples: dict[tuple, tuple[list, list[int]]] = {}

    def has(self, col: str) -> bool:
        return col in self.df.columns

    def add(self, key: tuple, check: _Check) -> tuple:
        self.checks.setdefault(key, check)
        return key

    def count_all(self) -> None:
        """Considered and unexpected rows of every check, in one select. Uniqueness is first
        proved cheaply: as many distinct hashes as values means no duplicate (a hash collision
        can only send a check to the exact count, never hide a duplicate)."""
        todo = [k for k in self.checks if k not in self._counts]
        if not todo:
            return
        exprs = []
        for i, k in enumerate(todo):
            c = self.checks[k]
            exprs.append((pl.len() if c.considered is None else c.considered.sum()).alias(f"n{i}"))
            exprs.append((c.unexpected.sum() if c.unique_of is None else c.unique_of.n_unique()).alias(f"u{i}"))
        row = self.df.select(exprs).row(0, named=True)
        exact = []
        for i, k in enumerate(todo):
            n, u = int(row[f"n{i}"] or 0), int(row[f"u{i}"] or 0)
            if self.checks[k].unique_of is not None:
                if u == n:
                    u = 0
                else:
                    exact.append(k)
            self._counts[k] = (n, u)
        if exact:
            got = self.df.select(self.checks[k].unexpected.sum().alias(str(i)) for i, k in enumerate(exact)).row(0)
            for k, u in zip(exact, got):
                self._counts[k] = (self._counts[k][0], int(u or 0))

    def counts(self, key: tuple) -> tuple[int, int]:
        self.count_all()
        return self._counts[key]

    def first_unexpected(self, key: tuple) -> tuple[list, list[int]]:
        """The first PARTIAL unexpected rows in frame order: their values and row numbers."""
        if key not in self._samples:
            c = self.checks[key]
            cols = list(c.columns)
            hits = self.df.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("__i"), *cols) \
                .filter(c.unexpected).head(PARTIAL)
            values = hits[cols[0]].to_list() if len(cols) == 1 else \
                [list(r) if c.as_pairs else dict(zip(cols, r)) for r in hits.select(cols).iter_rows()]
            self._samples[key] = (values, hits["__i"].to_list())
        return self._samples[key]


def _map_result(element: int, nonnull: int | None, unexpected: int, values: list, index: list[int]) -> dict:
    """GX's `_format_map_output` for the SUMMARY format."""
    missing = None if nonnull is None else element - nonnull
    pct_total = pct_nonmissing = missing_pct = None
    if element > 0:
        pct_total = unexpected / element * 100
        if missing is not None:
            missing_pct = missing / element * 100
            pct_nonmissing = unexpected / nonnull * 100 if nonnull else None
        else:
            pct_nonmissing = pct_total
    out = {"element_count": element, "unexpected_count": unexpected, "unexpected_percent": pct_nonmissing,
           "partial_unexpected_list": values[:PARTIAL]}
    if missing is not None:
        out.update(missing_count=missing, missing_percent=missing_pct, unexpected_percent_total=pct_total,
                   unexpected_percent_nonmissing=pct_nonmissing)
    pairs = bool(values) and isinstance(values[0], list)
    hashable = [tuple(v.values()) if isinstance(v, dict) else tuple(v) if isinstance(v, list) else v for v in values]
    try:
        counted = sorted(Counter(hashable).most_common(PARTIAL), key=lambda x: (-x[1], x[0]))
        out["partial_unexpected_counts"] = [{"value": list(v) if pairs else v, "count": c} for v, c in counted]
    except TypeError:  # values that do not sort together (e.g. NULL beside text): GX leaves the counts out
        pass
    out["partial_unexpected_index_list"] = index[:PARTIAL]
    return out


def _mostly(considered: int, unexpected: int, mostly: float) -> bool:
    """GX's `_mostly_success`; nothing considered is vacuously true."""
    if considered == 0:
        return True
    return (float(considered) - float(unexpected)) / float(considered) >= mostly


def _check(f: _Frame, type_: str, kw: dict) -> tuple | None:
    """The check an expectation of a column map type needs (None: a column is missing)."""
    if type_ == "expect_compound_columns_to_be_unique":
        cols = tuple(kw["column_list"])
        if not all(f.has(c) for c in cols):
            return None
        ignore = kw.get("ignore_row_if", "all_values_are_missing")
        considered = {"all_values_are_missing": pl.any_horizontal(pl.col(c).is_not_null() for c in cols),
                      "any_value_is_missing": pl.all_horizontal(pl.col(c).is_not_null() for c in cols),
                      "never": None}[ignore]
        if considered is None:
            bad, hashed = pl.struct(cols).is_duplicated(), pl.struct(cols).hash()
        else:  # duplicates among the considered rows only: a row left out is its own group
            bad = considered & pl.when(considered).then(pl.struct(cols)).is_duplicated()
            hashed = pl.struct(cols).filter(considered).hash()
        return f.add(("compound", cols, ignore), _Check(considered, bad, cols, hashed))
    if type_ == "expect_column_pair_values_to_be_equal":   # supported(): both columns, one kind
        a, b = kw["column_A"], kw["column_B"]
        both = pl.col(a).is_not_null() & pl.col(b).is_not_null()
        return f.add(("pair_equal", a, b), _Check(both, both & (pl.col(a) != pl.col(b)), (a, b), as_pairs=True))
    col = kw["column"]
    if not f.has(col):
        return None
    present = pl.col(col).is_not_null()
    if type_ == "expect_column_values_to_not_be_null":
        return f.add(("null", col), _Check(None, pl.col(col).is_null(), (col,)))
    if type_ == "expect_column_values_to_be_in_set":
        values = list(kw["value_set"])
        known = pl.col(col).is_in(values) if values and f.df.schema[col] != pl.Null else pl.lit(False)
        return f.add(("in_set", col, tuple(values)), _Check(present, present & ~known, (col,)))
    # expect_column_values_to_be_unique
    bad = present & pl.col(col).is_duplicated()
    return f.add(("unique", col), _Check(present, bad, (col,), pl.col(col).drop_nulls().hash()))


def _map_expectation(f: _Frame, type_: str, kw: dict, key: tuple | None) -> tuple[bool, dict, dict]:
    if key is None:
        col = next(c for c in ([kw["column"]] if "column" in kw else kw["column_list"]) if not f.has(c))
        message = f'Error: The column "{col}" in BatchData does not exist.'  # GX's words
        # Data Docs render the traceback as text: GX's is a Python traceback, ours the message
        return False, {}, {"raised_exception": True, "exception_traceback": message, "exception_message": message}
    considered, unexpected = f.counts(key)
    if type_ == "expect_column_values_to_not_be_null":  # its own rule in GX: a share of all rows
        success = True if f.rows == 0 else (f.rows - unexpected) / f.rows >= kw.get("mostly", 1)
        nonnull = None
    else:
        success, nonnull = _mostly(considered, unexpected, kw.get("mostly", 1)), considered
    values, index = f.first_unexpected(key) if unexpected else ([], [])
    return bool(success), _map_result(f.rows, nonnull, unexpected, values, index), dict(_NO_EXCEPTION)


def _expectation(f: _Frame, e: dict, kw: dict, key: tuple | None, asset: str) -> dict:
    t = e["type"]
    if t == "expect_column_to_exist":
        success, result, exc = f.has(kw["column"]), {}, dict(_NO_EXCEPTION)
    elif t == "expect_table_row_count_to_be_between":
        lo, hi = kw.get("min_value"), kw.get("max_value")
        success = (lo is None or f.rows >= lo) and (hi is None or f.rows <= hi)
        result, exc = {"observed_value": f.rows}, dict(_NO_EXCEPTION)
    else:
        success, result, exc = _map_expectation(f, t, kw, key)
    config = {"type": t, "kwargs": {"batch_id": f"lowincome-{asset}", **kw}, "meta": dict(e.get("meta") or {})}
    if e.get("severity"):
        config["severity"] = e["severity"]
    return {"success": bool(success), "expectation_config": config, "result": result, "meta": {},
            "exception_info": exc}


def evaluate_suite(suite: dict, frame: pl.DataFrame, asset: str, parameters: dict | None = None) -> dict:
    """The suite's `ExpectationSuiteValidationResult` as GX's JSON; parameters fill `$PARAMETER`s
    (an unset one is no bound). Raises ValueError for a suite that is not `supported`."""
    if not supported(suite, frame):
        raise ValueError(f"suite {suite['name']} holds an expectation (type, kwarg or value set) evaluate.py "
                         "does not evaluate as GX does")
    params = {name: None for name in suite_parameter_names(suite)}
    params.update({k: v for k, v in (parameters or {}).items() if k in params})
    f = _Frame(frame)
    planned = []
    for e in suite["expectations"]:
        kw = _resolved(e.get("kwargs") or {}, params)
        key = _check(f, e["type"], kw) if e["type"] in MAP_TYPES else None
        planned.append((e, kw, key))
    results = [_expectation(f, e, kw, key, asset) for e, kw, key in planned]
    ok = sum(r["success"] for r in results)
    now = datetime.now(timezone.utc)
    return {
        "success": ok == len(results),
        "results": results,
        "suite_name": suite["name"],
        "suite_parameters": {},
        "statistics": {"evaluated_expectations": len(results), "successful_expectations": ok,
                       "unsuccessful_expectations": len(results) - ok,
                       "success_percent": ok / len(results) * 100 if results else None},
        "meta": {
            "great_expectations_version": GX_VERSION,
            "batch_spec": {"batch_data": "polars.DataFrame", "evaluated_by": "pipelines.validation.evaluate"},
            "batch_markers": {"ge_load_time": now.strftime("%Y%m%dT%H%M%S.%fZ")},
            "active_batch_definition": {"datasource_name": "lowincome", "data_connector_name": "fluent",
                                        "data_asset_name": asset, "batch_identifiers": {"dataframe": "<DATAFRAME>"}},
        },
        "id": None,
    }


def validate(suite: dict, frame: pl.DataFrame, asset: str, parameters: dict | None = None, to_pandas=None):
    """The suite's SuiteRun over `frame`: evaluated here when `supported`, else by great_expectations
    itself on `to_pandas(frame)` (the one place that choice is made: delivery gates, outputs gate)."""
    import logging

    from pipelines.validation.results import suite_run

    params = dict(parameters or {})
    if supported(suite, frame):
        return suite_run(suite, evaluate_suite(suite, frame, asset=asset, parameters=params), params)
    from pipelines.validation.gx import run_suite

    logging.getLogger(__name__).info("expectations/%s.json holds an expectation evaluate.py does not know: "
                                     "validated by great_expectations", suite["name"])
    if to_pandas is None:
        from pipelines.validation.frames import to_pandas
    return run_suite(suite, to_pandas(frame), asset=asset, parameters=params)
