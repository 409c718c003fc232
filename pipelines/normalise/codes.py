"""Coded values (性别, 救助类别, 残疾等级 ...) mapped to their canonical spelling in the contract."""

from __future__ import annotations

import polars as pl

from pipelines.contracts import Column


def parse_code_expr(raw: pl.Expr, column: Column) -> pl.Expr:
    """Canonical value, or NULL when blank or not in the contract's value set (reported upstream)."""
    lookup = column.code_lookup()
    key = raw.str.normalize("NFKC").str.replace_all(r"[\s*＊]", "")
    return key.replace_strict(list(lookup), list(lookup.values()), default=None, return_dtype=pl.String)
