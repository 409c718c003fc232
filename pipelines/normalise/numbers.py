"""Money, counts, 序号 and division codes typed from text (thousand separators, 元, Excel floats).

Digits are matched as [0-9] (other scripts' digits are folded before, pipelines/normalise/digits.py)."""

from __future__ import annotations

import polars as pl

MONEY = pl.Decimal(18, 2)


def parse_money_expr(raw: pl.Expr) -> pl.Expr:
    s = raw.str.normalize("NFKC").str.replace_all(r"[\s,，元¥￥]", "").str.replace(r"^RMB", "")
    ok = s.str.contains(r"^-?[0-9]{1,15}(\.[0-9]+)?$")
    return pl.when(ok).then(s.cast(pl.Float64, strict=False).round(2).cast(MONEY, strict=False))


def parse_int_expr(raw: pl.Expr) -> pl.Expr:
    s = raw.str.normalize("NFKC").str.strip_chars().str.replace(r"\.0+$", "")
    return pl.when(s.str.contains(r"^-?[0-9]+$")).then(s.cast(pl.Int64, strict=False))


def parse_record_no_expr(raw: pl.Expr) -> pl.Expr:
    """序号 as canonical text (`12`, not `12.0` as Excel numbers arrive); NULL if not a whole number."""
    s = raw.str.normalize("NFKC").str.strip_chars().str.replace(r"\.0+$", "").str.replace(r"^0+([0-9])", "${1}")
    return pl.when(s.str.contains(r"^[0-9]+$")).then(s)


def parse_division_expr(raw: pl.Expr) -> pl.Expr:
    """12-digit 行政区划代码 (county 6 + township 3 + village 3); 6- or 9-digit prefixes are padded."""
    s = raw.str.normalize("NFKC").str.replace_all(r"\s", "").str.replace(r"\.0+$", "")
    ok = s.str.contains(r"^[0-9]{6}([0-9]{3}){0,2}$")
    return pl.when(ok).then(s.str.pad_end(12, "0"))
