"""Plausibility bounds of the contracts (`min` / `max`, see pipelines/contracts.py), applied to
typed values: a value that parses but cannot be true (year 9999, a date after the delivery was
extracted, Excel's day 0 shown as 1899-12-31, a negative or absurd amount) is loaded as NULL
and reported with its reason, never kept silently.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.contracts import DELIVERY_DATE, Column


def _limit(bound: object, delivery_date: date) -> object:
    return delivery_date if bound == DELIVERY_DATE else bound


def _number(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,}"


def bound_problem(typed: pl.Expr, c: Column, delivery_date: date) -> pl.Expr | None:
    """An expression giving, per value, why it is implausible (NULL when it is fine or NULL);
    None when the column has no bounds."""
    lo, hi = _limit(c.min_value, delivery_date), _limit(c.max_value, delivery_date)
    if lo is None and hi is None:
        return None
    problem = None

    def add(cond: pl.Expr, text: str):
        nonlocal problem
        problem = (pl.when(cond) if problem is None else problem.when(cond)).then(pl.lit(text))

    if c.type in ("date", "year_month"):
        what = "date" if c.type == "date" else "month"
        if lo is not None:
            start = lo.replace(day=1) if c.type == "year_month" else lo
            add(typed < pl.lit(start), f"{what} before {lo.isoformat()}")
        if hi is not None:
            end = hi.replace(day=1) if c.type == "year_month" else hi
            text = f"{what} after the delivery date" if c.max_value == DELIVERY_DATE else f"{what} after {hi.isoformat()}"
            add(typed > pl.lit(end), text)
    else:
        v = typed.cast(pl.Float64)
        noun = "amount" if c.type == "money" else "number"
        if lo is not None:
            add(v < lo, f"negative {noun}" if lo == 0 else f"{noun} below {_number(lo)}")
        if hi is not None:
            add(v > hi, f"{noun} above {_number(hi)}")
    return problem.otherwise(pl.lit(None, pl.String))
