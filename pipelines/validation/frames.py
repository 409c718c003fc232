"""The frames the suites validate: only the columns a suite reads, built with polars.

`evaluate.py` checks a delivery's frame as it is (Arrow memory, no copy); `to_pandas` hands it
to great-expectations itself when a suite needs GX. A column the suite only expects to exist is
kept without its values (a column of NULLs): building the text of a money or date column that
nothing reads cost more than checking the rest.

A delivery's frame has one row per row read (empty rows included: the row count is compared
with `delivery_log.rows_read` of the previous delivery). Identity numbers and names never enter
a checked column, so no sample of unexpected values can carry personal data.
"""

from __future__ import annotations

import polars as pl

from pipelines.contracts import Contract

ROWS_ONLY = "__rows"  # the one column of a frame none of whose columns the suite reads


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


def _coded(raw: pl.Series, canon: pl.Series) -> pl.Series:
    """Canonical value when known, else the spelling as delivered (so a sample can show it), NULL
    when blank. Only the rows without a canonical value (blank or unknown: few) are stripped."""
    missing = canon.is_null().arg_true()
    if missing.is_empty():
        return canon
    spelled = raw.gather(missing).str.strip_chars()
    spelled = pl.select(pl.when(spelled != "").then(spelled)).to_series()
    return canon.scatter(missing, spelled)


def delivery_frame(contract: Contract, raw: pl.DataFrame, data: pl.DataFrame, columns: list[str],
                   checked: list[str] | None = None) -> pl.DataFrame:
    """Build the validation frame of one delivery.

    raw      the readers' frame: every row read, text as delivered, canonical names, `_file`/`_row`
    data     the normalised rows that would be loaded (with `_file`/`_row`), in raw's order
    columns  the columns the suite reads (`suites.suite_columns`)
    checked  those whose values an expectation reads (`suites.checked_columns`; default all): the
             others are only checked for presence and are kept as a column of NULLs
    """
    by_name = {c.name: c for c in contract.columns}
    checked_set = set(columns if checked is None else checked)
    blank = pl.repeat(None, raw.height, dtype=pl.Null, eager=True)
    wanted = {}  # frame column → its column in `data`
    for col in columns:
        c = by_name.get(col)
        if col.endswith("_status") and col[: -len("_status")] in by_name:
            wanted[col] = col
        elif c is not None and col in raw.columns and col in checked_set and c.type in ("record_no", "code"):
            wanted[col] = col
    aligned = _aligned(raw, data.select("_file", "_row", *wanted.values()), list(wanted.values())) if wanted else None
    out: list[pl.Series] = []
    for col in columns:
        c = by_name.get(col)
        if col.endswith("_status") and col[: -len("_status")] in by_name:
            out.append(aligned[col])
        elif c is None:
            continue  # a column the contract does not know: left out, its expectation fails visibly
        elif col not in raw.columns:
            continue  # not delivered: `expect_column_to_exist` fails, the rest of the suite still runs
        elif col not in checked_set or c.type in ("id_number", "name", "disability_card"):
            # only checked for presence (identity numbers and names always): the column, no values
            out.append(blank.alias(col))
        elif c.type == "record_no":
            # parsed by normalise (NULL when blank or not a number: those rows are rejected);
            # as an integer, cheap to check for uniqueness
            out.append(aligned[col].cast(pl.Int64, strict=False))
        elif c.type == "code":
            out.append(_coded(raw[col], aligned[col]).alias(col))
        else:
            out.append(raw.select(_blank_to_null(col).alias(col)).to_series())
    if not out:  # a frame without columns still has the delivery's rows
        return pl.DataFrame({ROWS_ONLY: blank})
    return pl.DataFrame(out)


def to_pandas(frame: pl.DataFrame):
    """The frame as great-expectations' pandas batch. Whole numbers stay whole numbers with NULLs
    as pandas' NA (plain `to_pandas` makes an integer column with NULLs float: 序号 12 would
    show as 12.0 and GX would count each NULL apart)."""
    if frame.columns == [ROWS_ONLY]:
        return frame.to_pandas()[[]]
    out = frame.to_pandas()
    for col, dtype in frame.schema.items():
        if dtype.is_integer() and frame[col].null_count():
            out[col] = frame[col].to_pandas(use_pyarrow_extension_array=True).astype("Int64")
    return out
