"""Small vectorised drawing helpers shared by the population and the source generators.

Labels are drawn as integer codes and turned into polars String columns with one `gather`
(numpy string arrays convert to polars slowly; codes do not).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import polars as pl


def norm(w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w / w.sum()


def labels(values: Sequence[str | None], codes: np.ndarray) -> pl.Series:
    """values[codes] as a String column (None in `values` gives nulls)."""
    return pl.Series(list(values), dtype=pl.String).gather(np.asarray(codes, dtype=np.int64))


def pick_codes(rng: np.random.Generator, weights: Sequence[float], n: int) -> np.ndarray:
    return rng.choice(len(weights), size=n, p=norm(weights))


def pick(rng: np.random.Generator, table: Sequence[tuple[str, float]], n: int) -> pl.Series:
    """Labels drawn by weight from [(label, weight), ...]."""
    return labels([t[0] for t in table], pick_codes(rng, [t[1] for t in table], n))


def yes_no(rng: np.random.Generator, p_yes, yes: str = "是", no: str = "否") -> pl.Series:
    p_yes = np.asarray(p_yes, dtype=float)
    return labels([no, yes], (rng.random(p_yes.size) < p_yes).astype(np.int64))


def where(cond: np.ndarray, a: pl.Series, b: pl.Series) -> pl.Series:
    """Row-wise choice between two columns."""
    return a.zip_with(pl.Series(np.asarray(cond, dtype=bool)), b)


def str_codes(series: pl.Series, values: Sequence[str]) -> np.ndarray:
    """Codes of a String column against `values` (-1 for null or other)."""
    return series.replace_strict(list(values), list(range(len(values))), default=-1,
                                 return_dtype=pl.Int64).to_numpy()
