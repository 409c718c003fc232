"""Apply a source contract to a delivery's raw text columns: typed, normalised, accounted for.

Input: the reader's frame (canonical column names, all text, plus `_file` and `_row`).
Output: the typed frame, the rows rejected (with the reason), and the value problems found
(an unknown code, an impossible date, a value outside the contract's plausibility bounds) for
rows that are still loaded with that value NULL. One pass of polars expressions; no Python per
row. Values that end up in issues and rejects are masked (`pipelines.masking`: a shifted column
can put an identity number where a date belongs) and cut to ISSUE_VALUE_CHARS characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from pipelines.contracts import Column, Contract
from pipelines.masking import mask_expr
from pipelines.normalise.bounds import bound_problem
from pipelines.normalise.codes import parse_code_expr
from pipelines.normalise.dates import parse_date_expr, parse_year_month_expr
from pipelines.normalise.digits import fold_digits
from pipelines.normalise.idnumbers import clean_ids, id_columns
from pipelines.normalise.names import normalise_names, pinyin_of
from pipelines.normalise.numbers import (
    parse_division_expr,
    parse_int_expr,
    parse_money_expr,
    parse_record_no_expr,
)

ISSUE_SCHEMA = {"file": pl.String, "row": pl.Int64, "column": pl.String, "problem": pl.String, "value": pl.String}
REJECT_SCHEMA = {"file": pl.String, "row": pl.Int64, "record_no": pl.String, "reason": pl.String}
# Columns whose raw values are personal data: issues about them never carry the value.
_PRIVATE_TYPES = {"id_number", "name", "disability_card"}
# Columns that hold numbers, dates or codes: other scripts' digits are folded to ASCII first
# (pipelines/normalise/digits.py). id_number folds inside its own cleaning.
_DIGIT_TYPES = {"record_no", "disability_card", "date", "year_month", "money", "int", "code", "division"}
ISSUE_VALUE_CHARS = 200
_PROBLEM = "__problem"


# Above this share of distinct values a column is parsed row by row: deduplicating would cost more.
# Free text (only trimmed) is always handled in place: a trim is cheaper than any join.
REPEATED_ENOUGH = 0.5


@dataclass
class Normalised:
    data: pl.DataFrame
    rejects: pl.DataFrame
    issues: pl.DataFrame


def _blank(col: str) -> pl.Expr:
    """NULL, empty or only whitespace (full-width spaces included)."""
    return ~pl.col(col).str.contains(r"\S").fill_null(False)


def _blanks(raw: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Which cells are blank, per contract column: computed once, read by rejects and issues."""
    return raw.select([_blank(c.name).alias(c.name) for c in contract.columns])


def _typed_columns(c: Column) -> list[pl.Expr]:
    """Expressions typing one column of the simple types (numbers, names and 序号 have their own)."""
    raw = pl.col(c.name)
    if c.type == "date":
        return [parse_date_expr(raw).alias(c.name)]
    if c.type == "year_month":
        return [parse_year_month_expr(raw).alias(c.name)]
    if c.type == "money":
        return [parse_money_expr(raw).alias(c.name)]
    if c.type == "int":
        return [parse_int_expr(raw).alias(c.name)]
    if c.type == "code":
        return [parse_code_expr(raw, c).alias(c.name)]
    if c.type == "division":
        div = parse_division_expr(raw)
        return [div.alias(c.name), div.str.slice(0, 6).alias(f"{c.name}_county")]
    trimmed = raw.str.strip_chars()
    return [pl.when(trimmed != "").then(trimmed).alias(c.name)]


# Types whose parse can fail on a non-blank value, and how the failure is named.
_PARSE_PROBLEMS = {
    "date": "not a date",
    "year_month": "not a year and month",
    "money": "not an amount",
    "int": "not a whole number",
    "code": "unknown value",
    "division": "not a division code",
}


def shown_value(col: pl.Expr) -> pl.Expr:
    """A delivered value as issues and rejects show it: masked, control characters replaced,
    at most ISSUE_VALUE_CHARS characters."""
    v = mask_expr(col).str.replace_all(r"\p{Cc}", "\ufffd")
    n = v.str.len_chars()
    return pl.when(n > ISSUE_VALUE_CHARS).then(
        v.str.slice(0, ISSUE_VALUE_CHARS) + pl.lit("… (") + n.cast(pl.String) + pl.lit(" characters)")
    ).otherwise(v)


def _issues(raw: pl.DataFrame, typed: pl.DataFrame, contract: Contract, blank: pl.DataFrame,
            problems: dict[str, pl.Series]) -> pl.DataFrame:
    parts = []
    for c in contract.columns:
        problem = _PARSE_PROBLEMS.get(c.type)
        if problem:
            # only the columns an issue needs are filtered, not the whole delivery
            bad = ~blank[c.name] & typed[c.name].is_null()
            value = shown_value(pl.col(c.name)) if c.type not in _PRIVATE_TYPES else pl.lit(None, pl.String)
            text = pl.lit(problem)
            frame = raw.select("_file", "_row", c.name)
            if c.name in problems:  # out of bounds beats "cannot parse": the value parsed
                frame = frame.with_columns(problems[c.name].alias(_PROBLEM))
                text = pl.coalesce(pl.col(_PROBLEM), text)
            parts.append(frame.filter(bad).select(
                pl.col("_file").alias("file"), pl.col("_row").alias("row"), pl.lit(c.name).alias("column"),
                text.alias("problem"), value.alias("value"),
            ))
        if c.not_null:
            parts.append(raw.select("_file", "_row").filter(blank[c.name]).select(
                pl.col("_file").alias("file"), pl.col("_row").alias("row"), pl.lit(c.name).alias("column"),
                pl.lit("missing value").alias("problem"), pl.lit(None, pl.String).alias("value"),
            ))
    if not parts:
        return pl.DataFrame(schema=ISSUE_SCHEMA)
    return pl.concat([p.cast(ISSUE_SCHEMA) for p in parts])


def _reject_reason(contract: Contract, typed: pl.DataFrame, blank: pl.DataFrame) -> pl.Series:
    """Why a row cannot be loaded (NULL when it can): empty, or without the key that names it."""
    empty = pl.all_horizontal([pl.col(c.name) for c in contract.columns])
    reason = pl.when(empty).then(pl.lit("empty row"))
    for c in contract.columns:
        if c.type == "record_no":
            reason = reason.when(pl.col(c.name)).then(pl.lit("序号 is blank"))
            reason = reason.when(pl.lit(typed[c.name]).is_null()).then(pl.lit("序号 is not a whole number"))
        elif c.not_null:
            reason = reason.when(pl.col(c.name)).then(pl.lit(f"{c.name} is blank"))
    return blank.select(reason.otherwise(pl.lit(None, pl.String)).alias("reason")).to_series()


def _typed_values(values: pl.Series, c: Column, delivery_date: date) -> pl.DataFrame:
    """Typed columns for the given raw values of one column (row-aligned), plus `__raw`, and for a
    bounded column `__problem` (why a value that parsed was set to NULL)."""
    uniq = values.alias(c.name).to_frame()
    if c.type == "id_number":
        typed = id_columns(uniq.with_columns(pl.col(c.name).alias("__raw")), c.name, delivery_date)
    elif c.type == "disability_card":
        card = uniq.select(pl.col(c.name).alias("__raw")).with_columns(clean_ids(values).alias(c.name))
        ids = id_columns(card.select(pl.col(c.name).str.slice(0, 18).alias("__card")), "__card", delivery_date,
                         prefix=f"{c.name}_id")
        typed = card.with_columns(ids[f"{c.name}_id"], ids[f"{c.name}_id_status"])
    elif c.type == "name":
        simplified = normalise_names(uniq[c.name])
        typed = pl.DataFrame([uniq[c.name].alias("__raw"), simplified, uniq[c.name].alias(f"{c.name}_raw"),
                              pinyin_of(simplified)])
    else:
        typed = uniq.select(pl.col(c.name).alias("__raw"), *_typed_columns(c))
        problem = bound_problem(pl.col(c.name), c, delivery_date)
        if problem is not None:
            typed = typed.with_columns(problem.alias(_PROBLEM)).with_columns(
                pl.when(pl.col(_PROBLEM).is_null()).then(pl.col(c.name)).alias(c.name))
    return typed


def _typed_column(raw: pl.DataFrame, c: Column, delivery_date: date) -> pl.DataFrame:
    """The typed output columns of one contract column, row-aligned with `raw` (and `__problem`
    for a bounded column)."""
    if c.type == "record_no":  # unique per row: one cheap pass
        col = raw[c.name]
        if bool(col.str.contains(r"^[1-9][0-9]*$").fill_null(False).all()):
            return col.to_frame()  # plain numbers already: nothing to parse
        return fold_digits(col).to_frame().select(parse_record_no_expr(pl.col(c.name)).alias(c.name))
    values = raw[c.name]
    fold = fold_digits if c.type in _DIGIT_TYPES else (lambda v: v)
    if c.type == "text" or (values.len() and values.approx_n_unique() > REPEATED_ENOUGH * values.len()):
        return _typed_values(fold(values), c, delivery_date).drop("__raw")  # nearly all distinct: parse in place
    # Columns that repeat (dates, codes, amounts, the six monthly rows of one person) are parsed
    # once per distinct value and joined back: a few hash joins instead of regexes over every cell
    # (digits folded on the distinct values too, joined back on the values as delivered).
    uniq = values.unique()
    mapping = _typed_values(fold(uniq), c, delivery_date).with_columns(uniq.alias("__raw"))
    keyed = values.alias("__raw").to_frame()
    return keyed.join(mapping, on="__raw", how="left", nulls_equal=True, maintain_order="left").drop("__raw")


def normalise_frame(contract: Contract, raw: pl.DataFrame, delivery_date: date) -> Normalised:
    """Typed rows to load, rows rejected with their reason, and value problems reported."""
    missing = [c.name for c in contract.columns if c.name not in raw.columns]
    raw = raw.with_columns([pl.lit(None, pl.String).alias(n) for n in missing])  # optional, left out
    columns, problems = [], {}
    for c in contract.columns:
        part = _typed_column(raw, c, delivery_date)
        if _PROBLEM in part.columns:
            problems[c.name] = part[_PROBLEM]
            part = part.drop(_PROBLEM)
        columns.append(part)
    typed = pl.concat([raw.select("_file", "_row"), *columns], how="horizontal")
    blank = _blanks(raw, contract)
    reason = _reject_reason(contract, typed, blank)
    record_no = contract.columns_of_type("record_no")
    rec = typed[record_no[0].name] if record_no else pl.repeat(None, typed.height, dtype=pl.String, eager=True)
    rejects = pl.DataFrame({"file": typed["_file"], "row": typed["_row"], "record_no": rec, "reason": reason}).filter(
        pl.col("reason").is_not_null()
    ).with_columns(shown_value(pl.col("record_no")).alias("record_no"))
    keep = reason.is_null()
    issues = _issues(raw, typed, contract, blank, problems).join(rejects.select("file", "row"), on=["file", "row"],
                                                                   how="anti")
    return Normalised(typed.filter(keep), rejects.cast(REJECT_SCHEMA), issues)


def empty_staged(contract: Contract) -> pl.DataFrame:
    """A source's staged columns and types with no rows (what an every-delivery source reads as
    before its first delivery)."""
    raw = pl.DataFrame({c.name: [] for c in contract.columns}, schema={c.name: pl.String for c in contract.columns})
    raw = raw.with_columns(pl.lit(None, pl.String).alias("_file"), pl.lit(None, pl.Int64).alias("_row"))
    return normalise_frame(contract, raw, date(2000, 1, 1)).data
