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


def _blank_to_null(col: str) -> pl.Expr:
    s = pl.col(col).str.strip_chars()
    return pl.when(s != "").then(s)


def _aligned(raw: pl.DataFrame, data: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """`data`'s columns row for row with `raw` (NULL for rows not loaded). normalise_frame keeps the
    raw order and only drops rejected rows, so without rejects the frames align as they are."""
    if data.height == raw.height:
        return data.select(columns)
    return raw.select("_file", "_row").join(data.select("_file", "_row", *columns), on=["_file", "_row"],
                                            how="left", maintain_order="left").select(columns)


def delivery_frame(contract: Contract, raw: pl.DataFrame, data: pl.DataFrame, columns: list[str]):
    """Build the validation frame of one delivery.

    raw   the readers' frame: every row read, text as delivered, canonical names, `_file`/`_row`
    data  the normalised rows that would be loaded (with `_file`/`_row`), in raw's order
    columns  the columns the suite reads (`suites.suite_columns`)
    """
    by_name = {c.name: c for c in contract.columns}
    from_raw: list[pl.Expr] = []
    from_data: dict[str, pl.Expr] = {}   # output column → expression over `data`
    coded: list[str] = []
    for col in columns:
        c = by_name.get(col)
        if col.endswith("_status") and col[: -len("_status")] in by_name:
            from_data[col] = pl.col(col).cast(pl.Categorical)
        elif c is None:
            continue  # a column the contract does not know: left out, its expectation fails visibly
        elif col not in raw.columns:
            continue  # not delivered: `expect_column_to_exist` fails, the rest of the suite still runs
        elif c.type == "record_no":
            # parsed by normalise (NULL when blank or not a number: those rows are rejected);
            # as an integer, which is cheap to hand to pandas and to check for uniqueness
            from_data[col] = pl.col(col).cast(pl.Int64, strict=False)
        elif c.type == "code":
            # canonical value when known, else the spelling as delivered (so GX can show it)
            from_raw.append(_blank_to_null(col).alias(f"__raw_{col}"))
            from_data[f"__canon_{col}"] = pl.col(col)
            coded.append(col)
        elif c.type in ("id_number", "name", "disability_card"):
            # only checked for presence: keep the column, never its values
            from_raw.append(pl.lit(None, pl.Categorical).alias(col))
        else:
            from_raw.append(_blank_to_null(col).alias(col))
    parts = [raw.select(from_raw)] if from_raw else []
    if from_data:
        parts.append(_aligned(raw, data.select("_file", "_row", **from_data), list(from_data)))
    if not parts:
        return pl.DataFrame({"__rows": [None] * raw.height}).to_pandas()[[]]
    frame = pl.concat(parts, how="horizontal")
    if coded:
        frame = frame.with_columns(
            pl.coalesce(pl.col(f"__canon_{col}"), pl.col(f"__raw_{col}")).cast(pl.Categorical).alias(col)
            for col in coded
        ).drop([f"__raw_{c}" for c in coded] + [f"__canon_{c}" for c in coded])
    return frame.select([c for c in columns if c in frame.columns]).to_pandas()
