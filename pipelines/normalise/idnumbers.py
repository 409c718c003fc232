"""Resident identity numbers (GB 11643-1999): cleaning, 15→18 conversion, status, derived fields.

Everything here is a polars expression (no Python per row) except the numpy helpers, which
the demo generator uses to mint valid numbers in bulk. The check digit is ISO 7064 MOD 11-2.

Status values, in the order they are decided:
  blank       nothing usable was typed
  mangled     Excel turned the number into a float: digits are lost and never guessed
  malformed   wrong length or characters
  bad_check   18 characters whose check digit does not fit (a typo or a swap of neighbours)
  bad_date    check digit fits but the birth date cannot exist
  valid       18 characters, check digit and birth date fit (also for converted 15-digit numbers;
              `id_was_15` tells those apart)
"""

from __future__ import annotations

import numpy as np
import polars as pl

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARS = "10X98765432"  # index = weighted sum mod 11
STATUSES = ["valid", "bad_check", "bad_date", "mangled", "malformed", "blank"]
EARLIEST_BIRTH_YEAR = 1890

_QUOTES_AND_SPACES = r"[\s'\"`‘’“”]"


# ---------------------------------------------------------------- numpy (generator side)
def check_chars_np(first17: np.ndarray) -> np.ndarray:
    """Check characters for an (n, 17) integer array of leading digits."""
    sums = (first17 * np.asarray(WEIGHTS)).sum(axis=1) % 11
    return np.asarray(list(CHECK_CHARS))[sums]


def check_char(first17: str) -> str:
    """Check character for one 17-digit string (tests and tools; not for bulk work)."""
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


# ---------------------------------------------------------------- polars (pipeline side)
def _check_char_expr(first17: pl.Expr) -> pl.Expr:
    weighted = [first17.str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate(WEIGHTS)]
    index = pl.sum_horizontal(weighted) % 11
    return index.replace_strict(list(range(11)), list(CHECK_CHARS), return_dtype=pl.String)


def clean_id_expr(raw: pl.Expr) -> pl.Expr:
    """NFKC (full-width → half-width), drop quotes and every space, upper-case x."""
    return raw.str.normalize("NFKC").str.replace_all(_QUOTES_AND_SPACES, "").str.to_uppercase()


def _birth_expr(yyyymmdd: pl.Expr) -> pl.Expr:
    return yyyymmdd.str.strptime(pl.Date, "%Y%m%d", strict=False)


def id_struct_expr(raw: pl.Expr, latest_birth: pl.Expr | None = None) -> pl.Expr:
    """One struct per value: id18, status, was_15, birth_date, sex, county, known_prefix.

    `latest_birth` (a date expression, normally the delivery date) bounds a possible birth date.
    `known_prefix` keeps the digits of a mangled number that survived Excel (all but the last
    significant digit, which rounding may have changed), so the linker can still use the county
    and what is left of the birth date.
    """
    s = clean_id_expr(raw)
    is_blank = s.is_null() | (s == "") | s.is_in(["NULL", "NONE", "NAN", "-", "无"])
    is_sci = s.str.contains(r"^\d(\.\d+)?E\+?\d+$")
    is_float = s.str.contains(r"^\d{10,}\.\d*$")
    digits_only = s.str.contains(r"^\d+$")
    is15 = digits_only & (s.str.len_chars() == 15)
    is18 = s.str.contains(r"^\d{17}[\dX]$")

    from15 = s.str.slice(0, 6) + pl.lit("19") + s.str.slice(6, 9)
    first17 = pl.when(is15).then(from15).when(is18).then(s.str.slice(0, 17))
    expected = _check_char_expr(first17)
    id18 = pl.when(is15).then(first17 + expected).when(is18).then(s)
    check_ok = is15 | (is18 & (s.str.slice(17, 1) == expected))

    birth = _birth_expr(first17.str.slice(6, 8))
    upper = latest_birth if latest_birth is not None else pl.lit(None, dtype=pl.Date)
    birth_ok = (
        birth.is_not_null()
        & (birth.dt.year() >= EARLIEST_BIRTH_YEAR)
        & (upper.is_null() | (birth <= upper))
    )
    # An 18-digit value that fails its check and ends in 000 is Excel's 15 significant digits.
    lost_digits = is18 & ~check_ok & s.str.ends_with("000")
    mangled = is_sci | is_float | lost_digits

    status = (
        pl.when(is_blank).then(pl.lit("blank"))
        .when(mangled).then(pl.lit("mangled"))
        .when(~(is15 | is18)).then(pl.lit("malformed"))
        .when(~check_ok).then(pl.lit("bad_check"))
        .when(~birth_ok).then(pl.lit("bad_date"))
        .otherwise(pl.lit("valid"))
    )
    valid = status == "valid"
    mantissa = (
        pl.when(is_sci).then(s.str.extract(r"^(\d(?:\.\d+)?)E", 1).str.replace(".", "", literal=True))
        .when(is_float).then(s.str.extract(r"^(\d+)\.", 1).str.replace(r"0+$", ""))
        .when(lost_digits).then(s.str.replace(r"0+$", ""))
    )
    known_prefix = pl.when(mangled & (mantissa.str.len_chars() > 1)).then(
        mantissa.str.slice(0, mantissa.str.len_chars() - 1)
    )
    return pl.struct(
        id18=pl.when(status.is_in(["valid", "bad_check", "bad_date"])).then(id18),
        status=status,
        was_15=is15 & ~is_blank,
        birth_date=pl.when(valid).then(birth),
        sex=pl.when(valid).then(
            pl.when(first17.str.slice(16, 1).cast(pl.Int32, strict=False) % 2 == 1).then(pl.lit("男")).otherwise(pl.lit("女"))
        ),
        county=pl.when(valid).then(first17.str.slice(0, 6)),
        known_prefix=known_prefix,
    )


def mask_id(value: str | None) -> str:
    """`230102********123X`: the division code and the last four characters, nothing between."""
    if value is None:
        return "<blank>"
    v = str(value)
    if len(v) <= 8:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_id_expr(col: pl.Expr) -> pl.Expr:
    """Vectorised `mask_id` for frames that leave the warehouse (reports, push lists)."""
    n = col.str.len_chars()
    return pl.when(n > 8).then(col.str.slice(0, 6) + pl.lit("*").repeat_by(n - 10).list.join("") + col.str.slice(-4)).otherwise(col)
