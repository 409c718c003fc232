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

from datetime import date

import numpy as np
import polars as pl

from pipelines import masking as _masking
from pipelines.normalise.digits import fold_digits_expr

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARS = "10X98765432"  # index = weighted sum mod 11
STATUSES = ["valid", "bad_check", "bad_date", "mangled", "malformed", "blank"]
EARLIEST_BIRTH_YEAR = 1890
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number
DOUBLE_SPACING_18 = 32  # gap between neighbouring doubles near 2.3e17

# quotes, spaces, and invisible characters (control and format characters: NUL, zero-width space, BOM)
_QUOTES_AND_SPACES = r"[\s'\"`‘’“”\p{Cc}\p{Cf}]"


# ---------------------------------------------------------------- numpy (generator side)
def check_chars_np(first17: np.ndarray) -> np.ndarray:
    """Check characters for an (n, 17) integer array of leading digits."""
    sums = (first17 * np.asarray(WEIGHTS)).sum(axis=1) % 11
    return np.asarray(list(CHECK_CHARS))[sums]


def check_char(first17: str) -> str:
    """Check character for one 17-digit string (tests and tools; not for bulk work)."""
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


# ---------------------------------------------------------------- polars (pipeline side)
def clean_id_expr(raw: pl.Expr) -> pl.Expr:
    """NFKC (full-width → half-width), every script's digits to ASCII, drop quotes, spaces and
    invisible characters, upper-case x."""
    s = fold_digits_expr(raw.str.normalize("NFKC"))
    return s.str.replace_all(_QUOTES_AND_SPACES, "").str.to_uppercase()


def clean_ids(raw: pl.Series) -> pl.Series:
    """`clean_id_expr` for a whole column, doing the expensive part only where it is needed.

    Nearly every number is already 18 plain characters (a disability card number 20); NFKC, digit
    folding, quote and space removal run only on the others (NFKC alone costs a second per 3
    million values)."""
    plain = raw.str.contains(r"^[0-9]{17}[0-9X][0-9]{0,2}$").fill_null(False)  # a number, or a card number
    if bool(plain.all()):
        return raw
    idx = (~plain).arg_true()
    messy = raw.gather(idx).to_frame("v").select(clean_id_expr(pl.col("v"))).to_series()
    return raw.scatter(idx, messy)


def check_chars(first17: pl.Series) -> pl.Series:
    """Check character of each 17-digit value (NULL where the value is NULL), computed in numpy.

    The values must be 17 ASCII digits or NULL (id_columns makes them so). They are joined into
    one buffer viewed as an (n, 17) array: one matrix product instead of 17 string slices each."""
    present = first17.is_not_null()
    index = np.full(len(first17), -1, dtype=np.int8)
    where = present.to_numpy()
    if where.any():
        joined = first17.filter(present).str.join("").item().encode("ascii")
        digits = np.frombuffer(joined, dtype=np.uint8).reshape(-1, 17).astype(np.int32) - 48
        index[where] = (digits @ np.asarray(WEIGHTS, dtype=np.int32)) % 11
    return pl.Series(first17.name, index).replace_strict(
        list(range(11)), list(CHECK_CHARS), default=None, return_dtype=pl.String)


def id_columns(frame: pl.DataFrame, col: str, latest_birth: date | None = None, prefix: str | None = None) -> pl.DataFrame:
    """Add the normalised number and what it tells, as columns `<prefix>`, `<prefix>_status` ...

    Columns added (prefix defaults to the column name, which is replaced by the normalised id):
      <p>          18-character number (valid, bad_check or bad_date), else NULL
      <p>_raw      the cleaned text as delivered (quotes and spaces removed)
      <p>_status   see the module docstring
      <p>_was_15   converted from the old 15-digit form
      <p>_birth, <p>_sex, <p>_county   derived from valid numbers only
      <p>_digits, <p>_lo, <p>_hi
                   for a mangled number: how many significant digits Excel kept, and the
                   interval the true 18-digit number lies in (Excel rounded to those digits,
                   so the last one, and by carrying even earlier ones, may have changed)
    `latest_birth` (normally the delivery date) bounds a possible birth date.
    Built in steps with intermediate columns: one flat expression tree was 100x slower to plan.
    """
    p = prefix or col
    t = "__id_"
    s = pl.col(f"{t}s")
    f17 = pl.col(f"{t}f17")
    out = frame.with_columns(clean_ids(frame[col]).alias(f"{t}s")).lazy().with_columns(
        (s.is_null() | (s == "") | s.is_in(["NULL", "NONE", "NAN", "-", "无"])).alias(f"{t}blank"),
        s.str.contains(r"^[0-9](\.[0-9]+)?E\+?[0-9]+$").alias(f"{t}sci"),
        s.str.contains(r"^[0-9]{10,}\.[0-9]*$").alias(f"{t}float"),
        s.str.contains(r"^[0-9]{15}$").alias(f"{t}is15"),
        s.str.contains(r"^[0-9]{17}[0-9X]$").alias(f"{t}is18"),
    ).with_columns(
        pl.when(pl.col(f"{t}is15")).then(s.str.slice(0, 6) + pl.lit("19") + s.str.slice(6, 9))
        .when(pl.col(f"{t}is18")).then(s.str.slice(0, 17)).alias(f"{t}f17"),
    ).collect()
    out = out.with_columns(check_chars(out[f"{t}f17"]).alias(f"{t}expected")).lazy().with_columns(
        s.cast(pl.Int64, strict=False).alias(f"{t}int"),
        ((s.cast(pl.Int64, strict=False) + 500) // 1000).alias(f"{t}k"),
        f17.str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d", strict=False).alias(f"{t}birth"),
    ).with_columns(
        (pl.col(f"{t}is15") | (pl.col(f"{t}is18") & (s.str.slice(17, 1) == pl.col(f"{t}expected")))).alias(f"{t}check_ok"),
    ).with_columns(
        (pl.col(f"{t}birth").is_not_null() & (pl.col(f"{t}birth").dt.year() >= EARLIEST_BIRTH_YEAR)
         & (pl.col(f"{t}birth") <= latest_birth if latest_birth else pl.lit(True))).alias(f"{t}birth_ok"),
    ).with_columns(
        # Excel keeps 15 significant digits, then stores a double: an 18-digit value that does not
        # check out and is (the double nearest to) a multiple of 1000 lost its last digits.
        (pl.col(f"{t}is18") & ~(pl.col(f"{t}check_ok") & pl.col(f"{t}birth_ok")) & (
            s.str.ends_with("000") | (
                (pl.col(f"{t}int").cast(pl.Float64).cast(pl.Int64, strict=False) == pl.col(f"{t}int"))
                & ((pl.col(f"{t}int") - pl.col(f"{t}k") * 1000).abs() <= DOUBLE_SPACING_18 // 2)
            )
        )).alias(f"{t}lost"),
    ).with_columns(
        (pl.col(f"{t}sci") | pl.col(f"{t}float") | pl.col(f"{t}lost")).alias(f"{t}mangled"),
    ).with_columns(
        pl.when(pl.col(f"{t}blank")).then(pl.lit("blank"))
        .when(pl.col(f"{t}mangled")).then(pl.lit("mangled"))
        .when(~(pl.col(f"{t}is15") | pl.col(f"{t}is18"))).then(pl.lit("malformed"))
        .when(~pl.col(f"{t}check_ok")).then(pl.lit("bad_check"))
        .when(~pl.col(f"{t}birth_ok")).then(pl.lit("bad_date"))
        .otherwise(pl.lit("valid")).alias(f"{p}_status"),
        # The significant digits Excel kept, and the power of ten of the first one.
        pl.when(pl.col(f"{t}sci")).then(s.str.extract(r"^([0-9](?:\.[0-9]+)?)E", 1).str.replace(".", "", literal=True))
        .when(pl.col(f"{t}float") & (s.str.extract(r"^([0-9]+)\.", 1).str.len_chars() == 18))
        .then(((s.str.extract(r"^([0-9]+)\.", 1).cast(pl.Int64, strict=False) + 500) // 1000).cast(pl.String))
        .when(pl.col(f"{t}lost")).then(pl.col(f"{t}k").cast(pl.String))
        .alias(f"{t}sig"),
        pl.when(pl.col(f"{t}sci")).then(s.str.extract(r"E\+?([0-9]+)$", 1).cast(pl.Int64, strict=False))
        .when(pl.col(f"{t}float") | pl.col(f"{t}lost")).then(pl.lit(17, pl.Int64))
        .alias(f"{t}exp"),
    ).with_columns(
        # Value M = sig · 10^(exp − len + 1); the true number lies within half a unit of its last digit.
        pl.when(pl.col(f"{t}mangled") & (pl.col(f"{t}exp") == 17) & pl.col(f"{t}sig").is_not_null())
        .then(pl.col(f"{t}sig").str.len_chars().cast(pl.Int64)).alias(f"{t}digits"),
    ).with_columns(
        (pl.col(f"{t}sig").cast(pl.Int64, strict=False) * pl.lit(10, pl.Int64).pow(18 - pl.col(f"{t}digits"))).alias(f"{t}M"),
        (pl.lit(5, pl.Int64) * pl.lit(10, pl.Int64).pow(17 - pl.col(f"{t}digits"))).alias(f"{t}half"),
    ).with_columns(
        pl.col(f"{t}s").alias(f"{p}_raw"),
        pl.when(pl.col(f"{p}_status").is_in(["valid", "bad_check", "bad_date"]))
        .then(pl.when(pl.col(f"{t}is15")).then(f17 + pl.col(f"{t}expected")).otherwise(s)).alias(p),
        (pl.col(f"{t}is15") & ~pl.col(f"{t}blank")).alias(f"{p}_was_15"),
        pl.when(pl.col(f"{p}_status") == "valid").then(pl.col(f"{t}birth")).alias(f"{p}_birth"),
        pl.when(pl.col(f"{p}_status") == "valid").then(
            pl.when(f17.str.slice(16, 1).cast(pl.Int32, strict=False) % 2 == 1).then(pl.lit("男")).otherwise(pl.lit("女"))
        ).alias(f"{p}_sex"),
        pl.when(pl.col(f"{p}_status") == "valid").then(f17.str.slice(0, 6)).alias(f"{p}_county"),
        pl.col(f"{t}digits").alias(f"{p}_digits"),
        (pl.col(f"{t}M") - pl.col(f"{t}half")).alias(f"{p}_lo"),
        (pl.col(f"{t}M") + pl.col(f"{t}half")).alias(f"{p}_hi"),
    )
    return out.drop(pl.selectors.starts_with(t)).collect()


def normalise_ids(values: pl.Series, latest_birth: date | None = None) -> pl.DataFrame:
    """Convenience for tests and tools: the `id_columns` of one Series, prefix `id`."""
    return id_columns(values.alias("id").to_frame(), "id", latest_birth)


# Masking lives in pipelines.masking (one function for every text); these names stay for callers.
mask_id = _masking.mask_id
mask_id_expr = _masking.mask_id_expr
