"""From TRUE values to what a department actually delivers: the corruption/formatting step.

`render` turns a source frame (true values, see `sources`) into delivered cells, column by
column according to the column's contract type, and returns the per-record labels of what was
done to the identity number and the name (the ground truth of `records.parquet`).

Delivered cells are a polars frame with one String column per delivered column. For Excel,
columns that hold numbers or dates in some rows carry a companion column `<col>@num`
(Float64) or `<col>@date` (Date); a row with a value there is written as a numeric or date
cell, otherwise as text (blank when both are null).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np
import polars as pl

from pipelines.contracts import Contract
from synthetic import ids, names
from synthetic.config import ID_CORRUPTIONS, NAME_CORRUPTIONS, DemoConfig
from synthetic.population import Population
from synthetic.sources import SourceSpec

NUM = "@num"
DATE = "@date"
DATE_FORMATS = {"iso": "%Y-%m-%d", "slash": "%Y/%-m/%-d", "compact": "%Y%m%d", "cn": "%Y年%-m月%-d日"}


@dataclass
class Rendered:
    cells: pl.DataFrame              # delivered columns (canonical names) + Excel companions
    id_kind: np.ndarray              # index into ID_CORRUPTIONS per row
    name_kind: np.ndarray            # index into NAME_CORRUPTIONS per row
    columns: list[str]               # delivered canonical columns, in file order
    keys: np.ndarray                 # person_key per row


def _styles(rng: np.random.Generator, weights: Mapping[str, float], n: int) -> tuple[list[str], np.ndarray]:
    labels = [k for k, v in weights.items() if v > 0]
    p = np.asarray([weights[k] for k in labels], dtype=float)
    return labels, rng.choice(len(labels), size=n, p=p / p.sum())


# ------------------------------------------------------------------ per type
def _by_style(values: pl.Series, style: np.ndarray, labels: list[str],
              make: Mapping[str, Callable[[pl.Series], pl.Series]], default: str) -> pl.Series:
    """Each row formatted by its style; each style's formatter runs on its own rows only."""
    out = make[default](values)
    for i, lab in enumerate(labels):
        if lab == default or lab not in make:
            continue
        idx = np.flatnonzero(style == i)
        if idx.size:
            out = out.scatter(idx, make[lab](values.gather(idx)))
    return out


def render_dates(values: pl.Series, rng: np.random.Generator, styles: Mapping[str, float], excel: bool
                 ) -> tuple[pl.Series, pl.Series | None]:
    labels, style = _styles(rng, styles, len(values))
    d = values.cast(pl.Date)
    make = {k: (lambda v, f=f: v.dt.strftime(f)) for k, f in DATE_FORMATS.items()}
    if not excel:  # an "excel" style in a CSV: the export writes ISO
        make["excel"] = make["iso"]
    text = _by_style(d, style, labels, make, "iso").alias(values.name)
    if not excel or "excel" not in labels:
        return text, None
    is_cell = pl.Series(style == labels.index("excel"))
    cells = d.zip_with(is_cell, pl.Series([None] * len(d), dtype=pl.Date)).alias(values.name)
    text = pl.Series([None] * len(d), dtype=pl.String).zip_with(is_cell, text).alias(values.name)
    return text, cells


def _grouped(ip: pl.Expr) -> pl.Expr:
    """Integer with thousands separators (values below 10^9)."""
    s = pl.String
    return (
        pl.when(ip >= 1_000_000).then(
            (ip // 1_000_000).cast(s) + "," + (ip // 1000 % 1000).cast(s).str.zfill(3) + "," + (ip % 1000).cast(s).str.zfill(3))
        .when(ip >= 1000).then((ip // 1000).cast(s) + "," + (ip % 1000).cast(s).str.zfill(3))
        .otherwise(ip.cast(s))
    )


def money_text(v: pl.Expr, decimals: int | None, thousands: bool) -> pl.Expr:
    if decimals is None:  # shortest: 7.5, 30
        whole = v == v.floor()
        ip = v.floor().cast(pl.Int64)
        frac = (v - v.floor()).round(4).cast(pl.String).str.slice(1)  # ".5"
        head = _grouped(ip) if thousands else ip.cast(pl.String)
        return pl.when(whole).then(head).otherwise(head + frac)
    if decimals == 0:
        ip = v.round(0).cast(pl.Int64)
        return _grouped(ip) if thousands else ip.cast(pl.String)
    cents = (v * 100).round(0).cast(pl.Int64)
    ip = cents // 100
    head = _grouped(ip) if thousands else ip.cast(pl.String)
    return head + "." + (cents % 100).cast(pl.String).str.zfill(2)


def render_money(values: pl.Series, rng: np.random.Generator, styles: Mapping[str, float], decimals: int | None,
                 excel: bool) -> tuple[pl.Series, pl.Series | None]:
    labels, style = _styles(rng, styles, len(values))
    v = values.cast(pl.Float64)

    def fmt(thousands: bool, suffix: str = "") -> Callable[[pl.Series], pl.Series]:
        return lambda x: x.to_frame("v").select(money_text(pl.col("v"), decimals, thousands) + suffix).to_series()

    make = {"plain": fmt(False), "thousands": fmt(True), "yuan": fmt(False, "元")}
    text = _by_style(v, style, labels, make, "plain").alias(values.name)
    if not excel:
        return text, None
    numeric = pl.Series(style == labels.index("plain")) if "plain" in labels else pl.Series([False] * len(v))
    nums = v.zip_with(numeric, pl.Series([None] * len(v), dtype=pl.Float64)).alias(values.name)
    text = pl.Series([None] * len(v), dtype=pl.String).zip_with(numeric, text).alias(values.name)
    return text, nums


def render_codes(values: pl.Series, rng: np.random.Generator, codes: Mapping[str, tuple[str, ...]], rate: float
                 ) -> pl.Series:
    """Canonical code values; a share `rate` written with one of the schema's alias spellings."""
    if rate <= 0:
        return values
    out = values
    chosen = rng.random(len(values)) < rate
    for canonical, aliases in codes.items():
        if not aliases:
            continue
        idx = np.flatnonzero(chosen & (values == canonical).fill_null(False).to_numpy())
        if idx.size:
            alias = np.asarray(aliases, dtype=object)[rng.integers(0, len(aliases), idx.size)]
            out = out.scatter(idx, pl.Series(alias.tolist(), dtype=pl.String))
    return out


# ------------------------------------------------------------------ the frame
def _id_rates(cfg: DemoConfig, registry: bool) -> Mapping[str, float]:
    return cfg.registry_id_corruption if registry else cfg.id_corruption


def render_ids_for(values: pl.Series, is_decoy: np.ndarray, rng: np.random.Generator, cfg: DemoConfig,
                   registry: bool, excel: bool, anchor: bool = False, clean: np.ndarray | None = None,
                   rates: Mapping[str, float] | None = None) -> tuple[pl.Series, pl.Series | None, np.ndarray]:
    """Typed identity numbers: the source's rates (or the column's own, `rates`), the decoy rates
    for decoys' records.

    In the decoys' anchor source (`decoy_anchor_source`) their numbers are typed cleanly.
    """
    n = len(values)
    elig = ids.id_eligibility(values)
    kinds = np.zeros(n, dtype=np.int8)
    decoy_rates = {} if anchor else cfg.decoy_id_corruption
    own = _id_rates(cfg, registry) if rates is None else rates
    for rows, kind_rates in ((~is_decoy, own), (is_decoy, decoy_rates)):
        idx = np.flatnonzero(rows)
        if idx.size:
            kinds[idx] = ids.assign_kinds(rng, ID_CORRUPTIONS, kind_rates, {k: v[idx] for k, v in elig.items()}, idx.size)
    if clean is not None:  # planted rule cases: typed cleanly, so that they link
        kinds[clean] = 0
    text, nums = ids.render_ids(values, kinds, ID_CORRUPTIONS, rng, cfg.mangled_styles, excel)
    return text, nums, kinds


def render_names_for(values: pl.Series, rng: np.random.Generator, cfg: DemoConfig, registry: bool,
                     clean: np.ndarray | None = None) -> tuple[pl.Series, np.ndarray]:
    rates = cfg.registry_name_corruption if registry else cfg.name_corruption
    kinds = names.assign_name_kinds(rng, values, rates, NAME_CORRUPTIONS)
    if clean is not None:
        kinds[clean] = 0
    return names.render_names(values, kinds, NAME_CORRUPTIONS, rng), kinds


def render(frame: pl.DataFrame, spec: SourceSpec, contract: Contract, pop: Population, rng: np.random.Generator,
           cfg: DemoConfig, prerendered: Mapping[str, pl.Series] | None = None,
           clean_keys: np.ndarray | None = None) -> Rendered:
    """Delivered cells of one delivery of a source, and the corruption labels per record.

    `prerendered` supplies already-typed columns (the registry's household heads are typed as
    in the persons file) and, as `__id_kind` / `__name_kind`, their labels. Rows of people in
    `clean_keys` (planted rule cases) get their numbers and names typed cleanly.
    """
    excel = spec.fmt == "xlsx"
    registry = contract.is_registry
    n = frame.height
    keys = frame["person_key"].to_numpy()
    is_decoy = pop.is_decoy[keys] if n else np.zeros(0, dtype=bool)
    clean = np.isin(keys, clean_keys) if clean_keys is not None and len(clean_keys) and n else None
    subject_id = contract.subject.get("id_number")
    subject_name = contract.subject.get("name")
    out: dict[str, pl.Series] = {}
    id_kind = np.zeros(n, dtype=np.int8)
    name_kind = np.zeros(n, dtype=np.int8)
    date_styles = cfg.excel_date_styles if excel else cfg.csv_date_styles
    pre = dict(prerendered or {})

    for col in spec.columns:
        ctype = contract.column(col).type
        if col in pre:
            out[col] = pre[col]
            continue
        if ctype == "record_no":
            out[col] = pl.Series(col, np.arange(1, n + 1, dtype=np.int64)).cast(pl.String)
            if excel:
                out[col + NUM] = pl.Series(col + NUM, np.arange(1, n + 1, dtype=np.float64))
                out[col] = pl.Series(col, [None] * n, dtype=pl.String)
            continue
        values = frame[col]
        if ctype == "id_number":
            text, nums, kinds = render_ids_for(values, is_decoy, rng, cfg, registry, excel,
                                               anchor=spec.source == cfg.decoy_anchor_source and col == subject_id,
                                               clean=clean, rates=cfg.column_id_corruption.get(f"{spec.source}.{col}"))
            out[col] = text.alias(col)
            if nums is not None:
                out[col + NUM] = nums.alias(col + NUM)
            if col == subject_id:
                id_kind = kinds
        elif ctype == "name":
            text, kinds = render_names_for(values, rng, cfg, registry, clean=clean)
            out[col] = text.alias(col)
            if col == subject_name:
                name_kind = kinds
        elif ctype == "date":
            if registry:  # the registry's own export writes ISO dates
                out[col] = values.dt.strftime("%Y-%m-%d").alias(col)
            else:
                text, cells = render_dates(values, rng, date_styles, excel)
                out[col] = text.alias(col)
                if cells is not None:
                    out[col + DATE] = cells.alias(col + DATE)
        elif ctype == "money":
            styles = {"plain": 1.0} if registry else cfg.money_styles
            text, nums = render_money(values, rng, styles, spec.decimals(col), excel)
            out[col] = text.alias(col)
            if nums is not None:
                out[col + NUM] = nums.alias(col + NUM)
        elif ctype == "year_month":
            out[col] = values.dt.strftime("%Y%m").alias(col)
        elif ctype == "code":
            rate = 0.0 if registry else cfg.code_alias_rate
            out[col] = render_codes(values.cast(pl.String), rng, contract.column(col).codes, rate).alias(col)
        elif ctype == "int":
            out[col] = values.cast(pl.String).alias(col)
            if excel:
                out[col + NUM] = values.cast(pl.Float64).alias(col + NUM)
        else:  # text, division, disability_card
            out[col] = values.cast(pl.String).alias(col)
    if "__id_kind" in pre:
        id_kind = np.asarray(pre["__id_kind"])
    if "__name_kind" in pre:
        name_kind = np.asarray(pre["__name_kind"])
    return Rendered(cells=pl.DataFrame(out), id_kind=id_kind, name_kind=name_kind, columns=spec.columns, keys=keys)
