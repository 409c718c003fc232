"""Dates as departments write them: 2024-03-01, 2024/3/1, 20240301, 2024年3月1日, Excel cells.

Excel date cells arrive as `2024-03-01 00:00:00` (fastexcel) or as a serial day number when the
cell is a number formatted as a date. Anything that is not a real calendar date becomes NULL;
`frame.py` reports those values.
"""

from __future__ import annotations

import polars as pl

# [0-9] for digits: polars' own digit class matches every script's digits (digits.py folds those first)
_YMD = r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$"
_COMPACT = r"^([0-9]{4})([0-9]{2})([0-9]{2})$"
_SERIAL = r"^([0-9]{5})(?:\.0+)?$"
EXCEL_EPOCH = pl.date(1899, 12, 30)


def _compose(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    text = y + pl.lit("-") + m.str.zfill(2) + pl.lit("-") + d.str.zfill(2)
    return text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def parse_date_expr(raw: pl.Expr) -> pl.Expr:
    s = raw.str.normalize("NFKC").str.strip_chars()
    ymd = _compose(s.str.extract(_YMD, 1), s.str.extract(_YMD, 2), s.str.extract(_YMD, 3))
    compact = _compose(s.str.extract(_COMPACT, 1), s.str.extract(_COMPACT, 2), s.str.extract(_COMPACT, 3))
    serial_days = s.str.extract(_SERIAL, 1).cast(pl.Int64, strict=False)
    serial = pl.when(serial_days.is_between(10_000, 80_000)).then(
        EXCEL_EPOCH + pl.duration(days=serial_days)
    ).cast(pl.Date)
    return pl.coalesce(ymd, compact, serial)


_YM = r"^([0-9]{4})\s*[-/.年]?\s*([0-9]{1,2})\s*月?(?:[-/.][0-9]{1,2}(?:[ T].*)?)?$"


def parse_year_month_expr(raw: pl.Expr) -> pl.Expr:
    """缴费年月: 202605, 2026-05, 2026年5月, or an Excel date cell → the first day of that month."""
    s = raw.str.normalize("NFKC").str.strip_chars().str.replace(r"\.0+$", "")
    return _compose(s.str.extract(_YM, 1), s.str.extract(_YM, 2), pl.lit("1"))
