"""Chinese names: drawing realistic ones in bulk, and writing them the ways departments do.

Frequencies: a Zipf-like surname table and, per sex and birth era, a short list of
one-character given names (王伟, 张丽, 李娜 repeat a lot), a list of common two-character
names, and a tail of free combinations; a small share of minority names with a middle dot.

Corruptions (homophone, traditional characters) are character tables built once from the
name pools with pypinyin and OpenCC, then applied with polars (no per-row Python).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Mapping

import numpy as np
import polars as pl

from synthetic import refdata

ERAS = ("old", "mid", "young")
SEXES = ("f", "m")  # index 1 = male
KINDS = ("single", "double", "rare")
DOT_VARIANTS = ["•", ".", "。"]
MIDDLE_DOT = "·"


def era_of(birth_year: np.ndarray) -> np.ndarray:
    return np.where(birth_year < 1965, 0, np.where(birth_year < 1990, 1, 2)).astype(np.int64)


@dataclass(frozen=True)
class NameBook:
    surnames: pl.Series
    surname_p: np.ndarray
    given: pl.Series             # every given name of every group, concatenated
    group_offset: np.ndarray     # by group id = sex * 9 + era * 3 + kind
    group_size: np.ndarray
    minority: pl.Series          # minority full names, women first then men
    minority_split: int          # index of the first man's name in `minority`
    homophone_keys: list[str]    # character -> string of same-sound candidates
    homophone_values: list[str]
    s2t_keys: list[str]          # simplified -> traditional, characters that change
    s2t_values: list[str]


def _zipf_surnames() -> tuple[list[str], np.ndarray]:
    names = [s for s, _ in refdata.SURNAMES]
    w = np.asarray([w for _, w in refdata.SURNAMES], dtype=float)
    return names, w / w.sum()


@cache
def name_book() -> NameBook:
    """The name tables (built once per process; pypinyin/OpenCC only see a few hundred characters)."""
    from opencc import OpenCC
    from pypinyin import lazy_pinyin

    surnames, p = _zipf_surnames()
    given: list[str] = []
    offset = np.zeros(18, dtype=np.int64)
    size = np.zeros(18, dtype=np.int64)
    for si, sex in enumerate(SEXES):
        first, second = refdata.GIVEN_CHARS[sex]
        rare = [a + b for a in first for b in second]
        for ei, era in enumerate(ERAS):
            for ki, pool in enumerate((list(refdata.SINGLE_GIVEN[(sex, era)]), refdata.DOUBLE_GIVEN[(sex, era)], rare)):
                g = si * 9 + ei * 3 + ki
                offset[g], size[g] = len(given), len(pool)
                given.extend(pool)
    minority_f = [a + MIDDLE_DOT + b for a in refdata.MINORITY_GIVEN["f"] for b in refdata.MINORITY_FATHER]
    minority_m = [a + MIDDLE_DOT + b for a in refdata.MINORITY_GIVEN["m"] for b in refdata.MINORITY_FATHER]

    # Homophones: characters of given names that sound alike (tone-less pinyin).
    given_chars = sorted({c for g in given for c in g})
    pool = sorted(set(given_chars) | set(refdata.HOMOPHONE_EXTRA))
    by_sound: dict[str, list[str]] = {}
    for ch, py in zip(pool, lazy_pinyin(pool)):
        by_sound.setdefault(py, []).append(ch)
    sound = dict(zip(pool, lazy_pinyin(pool)))
    h_keys, h_vals = [], []
    for ch in given_chars:
        alts = [c for c in by_sound[sound[ch]] if c != ch]
        if alts:
            h_keys.append(ch)
            h_vals.append("".join(alts))

    # Traditional characters, character by character (names are not phrases).
    every = sorted({c for s in surnames for c in s} | set(pool) | {c for n in minority_f + minority_m for c in n})
    conv = OpenCC("s2t")
    s2t = {c: conv.convert(c) for c in every}
    s2t = {k: v for k, v in s2t.items() if v != k and len(v) == 1}
    return NameBook(
        surnames=pl.Series(surnames, dtype=pl.String), surname_p=p, given=pl.Series(given, dtype=pl.String),
        group_offset=offset, group_size=size, minority=pl.Series(minority_f + minority_m, dtype=pl.String),
        minority_split=len(minority_f), homophone_keys=h_keys, homophone_values=h_vals,
        s2t_keys=list(s2t), s2t_values=list(s2t.values()),
    )


def draw_names(rng: np.random.Generator, male: np.ndarray, birth_year: np.ndarray, *, single_rate: float,
               double_rate: float, minority_rate: float, surname_idx: np.ndarray | None = None
               ) -> tuple[pl.Series, np.ndarray, np.ndarray]:
    """Names for people of the given sex and birth year.

    Returns (names, surname index, is_minority). `surname_idx` forces surnames (family members).
    """
    book = name_book()
    n = male.size
    if surname_idx is None:
        surname_idx = rng.choice(len(book.surnames), size=n, p=book.surname_p)
    u = rng.random(n)
    kind = np.where(u < single_rate, 0, np.where(u < single_rate + double_rate, 1, 2))
    group = male.astype(np.int64) * 9 + era_of(birth_year) * 3 + kind
    skew = np.where(kind == 2, 1.0, 1.8)  # common lists: the first entries are the most frequent
    within = np.floor(book.group_size[group] * rng.random(n) ** skew).astype(np.int64)
    given_idx = book.group_offset[group] + np.minimum(within, book.group_size[group] - 1)
    names = book.surnames.gather(surname_idx) + book.given.gather(given_idx)
    minority = rng.random(n) < minority_rate
    if minority.any():
        idx = np.flatnonzero(minority)
        n_f, n_all = book.minority_split, len(book.minority)
        pick = np.where(male[idx], rng.integers(n_f, n_all, idx.size), rng.integers(0, n_f, idx.size))
        names = names.scatter(idx, book.minority.gather(pick))
    return names.alias("name"), surname_idx, minority


# ------------------------------------------------------------------ typing names
def name_eligibility(names: pl.Series) -> dict[str, np.ndarray]:
    book = name_book()
    present = names.is_not_null().to_numpy()
    has_dot = names.str.contains(MIDDLE_DOT, literal=True).fill_null(False).to_numpy()
    last = names.str.slice(-1, 1)
    homophone = last.is_in(book.homophone_keys).fill_null(False).to_numpy() & ~has_dot
    traditional = names.str.contains_any(book.s2t_keys).fill_null(False).to_numpy()
    return {"homophone": homophone, "traditional": traditional, "dot_variant": has_dot,
            "spaces": present}


def assign_name_kinds(rng: np.random.Generator, names: pl.Series, rates: Mapping[str, float],
                      labels: tuple[str, ...]) -> np.ndarray:
    """Corruption kind per name. `dot_variant` is a share of the minority names, not of all."""
    from synthetic.ids import assign_kinds

    eligible = name_eligibility(names)
    eff = dict(rates)
    if "dot_variant" in eff:
        eff["dot_variant"] = eff["dot_variant"] * eligible["dot_variant"].mean() if len(names) else 0.0
    return assign_kinds(rng, labels, eff, eligible, len(names))


def render_names(names: pl.Series, kinds: np.ndarray, labels: tuple[str, ...], rng: np.random.Generator) -> pl.Series:
    book = name_book()
    out = names.clone()
    for code, kind in enumerate(labels):
        if kind == "clean":
            continue
        idx = np.flatnonzero(kinds == code)
        if idx.size == 0:
            continue
        sub = names.gather(idx)
        if kind == "homophone":
            cands = sub.str.slice(-1, 1).replace_strict(book.homophone_keys, book.homophone_values, default=None)
            pick = pl.Series(rng.integers(0, 1 << 30, idx.size)) % cands.str.len_chars()
            new = pl.DataFrame({"s": sub, "c": cands, "k": pick}).select(
                pl.col("s").str.slice(0, pl.col("s").str.len_chars() - 1) + pl.col("c").str.slice(pl.col("k"), 1)
            ).to_series()
        elif kind == "traditional":
            new = sub.str.replace_many(book.s2t_keys, book.s2t_values)
        elif kind == "spaces":
            v = pl.Series(rng.integers(0, 4, idx.size))
            new = pl.DataFrame({"s": sub, "v": v}).select(
                pl.when(pl.col("v") == 0).then(pl.col("s").str.slice(0, 1) + " " + pl.col("s").str.slice(1))
                .when(pl.col("v") == 1).then(pl.col("s").str.slice(0, 1) + "\u3000" + pl.col("s").str.slice(1))
                .when(pl.col("v") == 2).then(" " + pl.col("s"))
                .otherwise(pl.col("s") + " ")
            ).to_series()
        elif kind == "dot_variant":
            v = pl.Series(rng.integers(0, len(DOT_VARIANTS), idx.size))
            new = pl.DataFrame({"s": sub, "v": v}).select(
                pl.when(pl.col("v") == 0).then(pl.col("s").str.replace(MIDDLE_DOT, DOT_VARIANTS[0], literal=True))
                .when(pl.col("v") == 1).then(pl.col("s").str.replace(MIDDLE_DOT, DOT_VARIANTS[1], literal=True))
                .otherwise(pl.col("s").str.replace(MIDDLE_DOT, DOT_VARIANTS[2], literal=True))
            ).to_series()
        else:  # pragma: no cover
            raise ValueError(kind)
        out = out.scatter(idx, new)
    return out
