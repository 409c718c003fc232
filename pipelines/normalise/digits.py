"""Decimal digits of other scripts (Arabic-Indic ٠١٢, Devanagari ०१२, full-width ０１２ ...)
folded to ASCII 0-9 in the columns that hold numbers, dates and codes.

Decision: a number typed in another script's digits is the same number (Unicode gives every
decimal digit its value), so it is folded deliberately rather than reported as malformed; the
identity number's check digit still guards against anything else. NFKC alone folds full-width
digits but not Arabic-Indic ones, and polars' `\\d` matches every script's digits, so after
folding every parser matches `[0-9]` only: a digit no table knows fails to parse and is
reported, it never reaches code that expects ASCII.

Only values with a non-ASCII character are looked at, and only those holding a non-ASCII digit
are rewritten: the common all-ASCII column costs two length computations.
"""

from __future__ import annotations

import sys
import unicodedata
from functools import cache

import polars as pl

NON_ASCII_DIGIT = r"[\d&&[^0-9]]"


@cache
def digit_table() -> tuple[list[str], list[str]]:
    """(every non-ASCII Unicode decimal digit Python knows, its ASCII digit)."""
    chars = [chr(i) for i in range(0x80, sys.maxunicode + 1) if unicodedata.category(chr(i)) == "Nd"]
    return chars, [str(unicodedata.decimal(c)) for c in chars]


def fold_digits_expr(raw: pl.Expr) -> pl.Expr:
    """Every decimal digit folded to ASCII (for small or already-filtered columns)."""
    chars, ascii_digits = digit_table()
    return raw.str.replace_many(chars, ascii_digits)


def fold_digits(values: pl.Series) -> pl.Series:
    """`fold_digits_expr` for a whole column, touching only values that hold a non-ASCII digit."""
    if values.dtype != pl.String or values.is_empty():
        return values
    non_ascii = (values.str.len_bytes() != values.str.len_chars()).fill_null(False)
    if not bool(non_ascii.any()):
        return values
    idx = non_ascii.arg_true()
    candidates = values.gather(idx)
    hit = candidates.str.contains(NON_ASCII_DIGIT).fill_null(False)
    if not bool(hit.any()):
        return values
    idx = idx.filter(hit)
    folded = candidates.filter(hit).to_frame("v").select(fold_digits_expr(pl.col("v"))).to_series()
    return values.clone().scatter(idx, folded)  # scatter writes in place: never into the caller's series
