"""The frames the suites validate: only the columns a suite reads, built with polars, handed
to great-expectations as pandas (categorical where values repeat, so GX stays cheap on
millions of rows).

A delivery's frame has one row per row read (empty rows included: the row count is compared
with `delivery_log.rows_read` of the previous delivery). Identity numbers and names never enter
a checked column, so no sample of unexpected values can carry personal data.
"""

from __future__ import annotations

import polars as pl

from pipelines.contracts import Contract
from pipelines.normalise.numbers import parse_record_no_expr


def _blank_to_null(col: str) -> pl.Expr:
    s = pl.col(col).str.strip_chars()
    return pl.when(s != "").then(s)


def delivery_frame(contract: Contract, raw: pl.DataFrame, data: pl.DataFrame, columns: list[str]):
    """Build the validation frame of one delivery.

    raw   the readers' frame: every row read, text as delivered, canonical names, `_file`/`_row`
    data  the normalised rows that would be loaded (with `_file`/`_row`)
    columns  the columns the suite reads (`suites.suite_columns`)
    """
    wanted = set(columns)
    by_name = {c.name: c for c in contract.columns}
    exprs: list[pl.Expr] = []
    joined: list[pl.Expr] = []   # taken from `data` by (_file, _row)
    for col in columns:
        c = by_name.get(col)
        if col.endswith("_status") and col[: -len("_status")] in by_name:
            joined.append(pl.col(col).cast(pl.Categorical))
        elif c is None:
            continue  # a column the contract does not know: left out, its expectation fails visibly
        elif col not in raw.columns:
            continue  # not delivered: `expect_column_to_exist` fails, the rest of the suite still runs
        elif c.type == "record_no":
            exprs.append(parse_record_no_expr(pl.col(col)).alias(col))
        elif c.type == "code":
            # canonical value when known, else the spelling as delivered (so GX can show it)
            exprs.append(pl.col(col).alias(f"__raw_{col}"))
            joined.append(pl.col(col).alias(f"__canon_{col}"))
        elif c.type in ("id_number", "name", "disability_card"):
            # only checked for presence: keep the column, never its values
            exprs.append(pl.lit(None, pl.Categorical).alias(col))
        else:
            exprs.append(_blank_to_null(col).alias(col))
    frame = raw.select("_file", "_row", *exprs)
    if joined:
        side = data.select("_file", "_row", *joined)
        frame = frame.join(side, on=["_file", "_row"], how="left", maintain_order="left")
    for col in columns:
        c = by_name.get(col)
        if c is not None and c.type == "code" and f"__raw_{col}" in frame.columns:
            frame = frame.with_columns(
                pl.coalesce(pl.col(f"__canon_{col}"), _blank_to_null(f"__raw_{col}")).cast(pl.Categorical).alias(col)
            ).drop(f"__raw_{col}", f"__canon_{col}")
    keep = [c for c in columns if c in frame.columns]
    missing_status = [c for c in columns if c.endswith("_status") and c not in frame.columns and c in wanted]
    if missing_status:  # no rows could be normalised: statuses are all unknown
        frame = frame.with_columns([pl.lit(None, pl.Categorical).alias(c) for c in missing_status])
        keep = [c for c in columns if c in frame.columns]
    return frame.select(keep).to_pandas()
