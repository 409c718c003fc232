"""Identity numbers: minting valid GB 11643 numbers in bulk, and typing them the way departments do.

Numbers are minted as an (n, 18) uint8 matrix of ASCII codes (numpy, no Python per number)
and turned into a polars String column once. Corruptions work on polars columns, or on the
small subset of rows they touch.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import polars as pl

from pipelines.normalise.idnumbers import check_chars_np

_FULLWIDTH_FROM = [*"0123456789X"]
_FULLWIDTH_TO = [*"０１２３４５６７８９Ｘ"]


def date_parts(birth: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day arrays of a datetime64[D] array (via polars: numpy's unit casts are slow)."""
    d = pl.Series(birth.astype("datetime64[D]"))
    return (d.dt.year().to_numpy().astype(np.int64), d.dt.month().to_numpy().astype(np.int64),
            d.dt.day().to_numpy().astype(np.int64))


def _sequence(rng: np.random.Generator, male: np.ndarray) -> np.ndarray:
    """Three-digit order code: odd for men (1..999), even for women (2..998)."""
    k = rng.integers(0, 499, size=male.size)
    return np.where(male, 2 * k + 1, 2 * k + 2).astype(np.int64)


def mint(rng: np.random.Generator, county: np.ndarray, birth: np.ndarray, male: np.ndarray,
         chunk: int = 1_000_000) -> np.ndarray:
    """Unique valid 18-character numbers as an (n, 18) uint8 ASCII matrix.

    county: int array of 6-digit division codes; birth: datetime64[D]; male: bool.
    Collisions (same county, birth date and order code) are redrawn until none is left.
    """
    year, month, day = date_parts(birth)
    base = county.astype(np.int64) * 10**11 + (year * 10000 + month * 100 + day) * 1000
    key = base + _sequence(rng, male)
    for _ in range(100):
        dup = (~pl.Series(key).is_first_distinct()).to_numpy()  # keep the first of each, redraw the others
        if not dup.any():
            break
        key[dup] = base[dup] + _sequence(rng, male[dup])
    else:  # pragma: no cover - would need >500 same-sex people per county and day
        raise RuntimeError("could not mint unique identity numbers")
    out = np.empty((key.size, 18), dtype=np.uint8)
    seq = (key % 1000).astype(np.int32)
    parts = ((county.astype(np.int32), 6), (year.astype(np.int32), 4), (month.astype(np.int32), 2),
             (day.astype(np.int32), 2), (seq, 3))
    col = 0
    for value, width in parts:  # digits by small-integer arithmetic (much faster than int64)
        for i in range(width):
            out[:, col] = (value // 10 ** (width - 1 - i)) % 10
            col += 1
    for start in range(0, key.size, chunk):
        digits = out[start:start + chunk, :17]
        out[start:start + chunk, 17] = check_chars_np(digits).astype("S1").view(np.uint8)
        out[start:start + chunk, :17] += 48
    return out


def to_series(matrix: np.ndarray, name: str = "id18") -> pl.Series:
    """(n, 18) uint8 ASCII matrix -> polars String column."""
    width = matrix.shape[1]
    return pl.Series(name, np.ascontiguousarray(matrix).view(f"S{width}").ravel()).cast(pl.String)


def to_matrix(ids: pl.Series) -> np.ndarray:
    """18-character ASCII strings -> (n, 18) uint8 matrix (use on small subsets)."""
    return np.frombuffer("".join(ids.to_list()).encode("ascii"), dtype=np.uint8).reshape(-1, 18).copy()


# ------------------------------------------------------------------ choosing corruptions
def assign_kinds(rng: np.random.Generator, kinds: tuple[str, ...], rates: Mapping[str, float],
                 eligible: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """Index into `kinds` per row (0 = kinds[0], the clean state), drawn at `rates` of all rows.

    A kind with an eligibility mask is drawn among eligible rows only, at rate / eligible share,
    so that its share of all rows still matches its rate where enough rows are eligible.
    Restricted kinds are drawn first.
    """
    out = np.zeros(n, dtype=np.int8)
    if n == 0:
        return out
    order = sorted((k for k in rates if rates[k] > 0), key=lambda k: (k not in eligible, kinds.index(k)))
    taken = np.zeros(n, dtype=bool)
    for kind in order:
        mask = eligible.get(kind)
        free = ~taken if mask is None else (~taken & mask)
        share = free.mean()
        if share == 0:
            continue
        p = min(1.0, rates[kind] / share)
        pick = free & (rng.random(n) < p)
        out[pick] = kinds.index(kind)
        taken |= pick
    return out


# ------------------------------------------------------------------ typing numbers
def _excel_float(first18: np.ndarray) -> np.ndarray:
    """What Excel keeps of an 18-digit number: 15 significant digits."""
    return ((first18 + 500) // 1000 * 1000).astype(np.float64)


def _sci_text(value: np.ndarray, digits: np.ndarray) -> pl.Series:
    """`2.30102198E+17`: rounded to `digits` significant digits, trailing zeros dropped."""
    scale = 10 ** (18 - digits)
    mant = pl.Series((value + scale // 2) // scale).cast(pl.String)
    frac = mant.str.slice(1).str.strip_chars_end("0")
    return (mant.str.slice(0, 1) + pl.Series(np.where(frac.str.len_chars().to_numpy() > 0, ".", "")).cast(pl.String)
            + frac + "E+17")


def mangle(ids: pl.Series, rng: np.random.Generator, styles: Mapping[str, float], excel: bool
           ) -> tuple[pl.Series, pl.Series | None]:
    """Excel-mangled forms of all-digit 18-character numbers.

    Excel files: a numeric cell holding the float rounded to 15 significant digits (text None).
    CSV: scientific text with 6, 9 or 12 significant digits, or the 15-digit integer text.
    """
    value = ids.cast(pl.Int64).to_numpy()
    if excel:
        return pl.Series([None] * len(ids), dtype=pl.String), pl.Series(_excel_float(value))
    names = list(styles)
    p = np.asarray([styles[k] for k in names], dtype=float)
    style = rng.choice(len(names), size=value.size, p=p / p.sum())
    sig = np.asarray([{"sci6": 6, "sci9": 9, "sci12": 12}.get(k, 0) for k in names])[style]
    sci = _sci_text(value, np.where(sig > 0, sig, 6))
    int15 = pl.Series((value + 500) // 1000 * 1000).cast(pl.String)
    return sci.zip_with(pl.Series(sig > 0), int15), None


def typo(ids: pl.Series, rng: np.random.Generator) -> pl.Series:
    """One of the first 17 digits replaced by another digit (the check digit then fails)."""
    m = to_matrix(ids)
    rows = np.arange(m.shape[0])
    pos = rng.integers(0, 17, size=m.shape[0])
    old = m[rows, pos].astype(np.int64) - 48
    m[rows, pos] = ((old + rng.integers(1, 10, size=old.size)) % 10 + 48).astype(np.uint8)
    return to_series(m, ids.name)


def transpose(ids: pl.Series, rng: np.random.Generator) -> pl.Series:
    """Two neighbouring, different digits among the first 17 swapped (MOD 11-2 catches it)."""
    m = to_matrix(ids)
    differ = m[:, :16] != m[:, 1:17]
    score = rng.random(differ.shape) * differ
    pos = score.argmax(axis=1)
    rows = np.arange(m.shape[0])
    a, b = m[rows, pos].copy(), m[rows, pos + 1].copy()
    m[rows, pos], m[rows, pos + 1] = b, a
    return to_series(m, ids.name)


def spaces(ids: pl.Series, rng: np.random.Generator) -> pl.Series:
    """Spaces inside (after the division code, before the order code) or around the number."""
    v = rng.integers(0, 4, size=len(ids))
    df = pl.DataFrame({"s": ids, "v": v})
    s = pl.col("s")
    return df.select(
        pl.when(pl.col("v") == 0).then(s.str.slice(0, 6) + " " + s.str.slice(6))
        .when(pl.col("v") == 1).then(s.str.slice(0, 6) + " " + s.str.slice(6, 8) + " " + s.str.slice(14))
        .when(pl.col("v") == 2).then(" " + s + " ")
        .otherwise(s.str.slice(0, 14) + "\u3000" + s.str.slice(14))
        .alias(ids.name)
    ).to_series()


def render_ids(ids: pl.Series, kinds: np.ndarray, labels: tuple[str, ...], rng: np.random.Generator,
               mangled_styles: Mapping[str, float], excel: bool) -> tuple[pl.Series, pl.Series | None]:
    """The typed form of each number, given its corruption kind; plus Excel numbers (or None)."""
    out = ids.clone()
    numbers = pl.Series(ids.name, [None] * len(ids), dtype=pl.Float64) if excel else None
    for code, kind in enumerate(labels):
        if kind == "clean":
            continue
        idx = np.flatnonzero(kinds == code)
        if idx.size == 0:
            continue
        sub = ids.gather(idx)
        if kind == "fullwidth":
            new = sub.str.replace_many(_FULLWIDTH_FROM, _FULLWIDTH_TO)
        elif kind == "spaces":
            new = spaces(sub, rng)
        elif kind == "quote":
            new = "'" + sub
        elif kind == "lower_x":
            new = sub.str.to_lowercase()
        elif kind == "id15":
            new = sub.str.slice(0, 6) + sub.str.slice(8, 9)
        elif kind == "typo":
            new = typo(sub, rng)
        elif kind == "transposition":
            new = transpose(sub, rng)
        elif kind == "mangled":
            new, num = mangle(sub, rng, mangled_styles, excel)
            if num is not None:
                numbers = numbers.scatter(idx, num)
        elif kind == "blank":
            new = pl.Series([None] * idx.size, dtype=pl.String)
        else:  # pragma: no cover
            raise ValueError(kind)
        out = out.scatter(idx, new)
    return out, numbers


def id_eligibility(ids: pl.Series) -> dict[str, np.ndarray]:
    """Which rows each kind may touch: numbers present; `lower_x` those ending in X, `mangled`
    the all-digit ones (but not those ending in 000, which Excel would keep intact), `id15`
    people born in the 1900s (the old form dropped the "19")."""
    present = (ids.is_not_null() & (ids.str.len_chars() == 18)).fill_null(False).to_numpy()
    ends_x = ids.str.ends_with("X").fill_null(False).to_numpy()
    born_19xx = (ids.str.slice(6, 2) == "19").fill_null(False).to_numpy()
    ends_000 = ids.str.ends_with("000").fill_null(False).to_numpy()  # nothing would be lost
    out = {
        "lower_x": ends_x & present,
        "mangled": ~ends_x & ~ends_000 & present,
        "id15": born_19xx & present,
    }
    for k in ("fullwidth", "spaces", "quote", "typo", "transposition"):
        out[k] = present
    return out
