"""The charity needs list `charity/<date>.xlsx` (慈善帮扶需求清单, policy 三(六): matching special
hardship with charity supply), from the model charity_needs.

De-identified by construction, and checked before the file is written:
  * only the columns of config/files.yaml `charity.columns` are read from the model (county,
    need type, household size, age band, signals) — no name, identity number, household id or
    village column can reach the file, whatever the model gains later;
  * a county and need type shared by fewer than `charity_min_households` households (the model's
    `households` column, else the rows of the group) is left out (the model suppresses them; this
    is the second lock);
  * every cell is checked: none may hold an identity-number-like run of digits, or equal or
    contain a name, identity number, household id or person id of the night's warnings
    (`forbidden`); one that does stops the night (a bug, never published).
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.fileperms import secure_dir
from pipelines.masking import mask_text
from pipelines.publish.excel import Book, Column
from pipelines.publish.settings import FilesConfig, files_config

log = logging.getLogger(__name__)
MIN_PARAM = "charity_min_households"


class IdentifyingCell(RuntimeError):
    """A cell of the charity list would identify a person (never shown: says where, not what)."""


def charity_file_name(as_of: date) -> str:
    return f"{as_of.isoformat()}.xlsx"


def min_households(cfg: FilesConfig) -> int:
    from pipelines.rules.catalogue import load_params

    return int(load_params().get(MIN_PARAM, cfg.charity_min_households))


def select_needs(needs: pl.DataFrame, cfg: FilesConfig, min_group: int) -> pl.DataFrame:
    """The configured columns only, small county × need type groups left out, sorted."""
    missing = [c for c in cfg.charity_columns if c not in needs.columns]
    if missing:
        raise KeyError(f"charity_needs has no column(s) {missing} (config/files.yaml charity.columns)")
    # the model's `households` is the group's count of distinct households; without it, rows count
    group = (pl.col("households").fill_null(0) if "households" in needs.columns
             else pl.len().over("county_code", "need_type"))
    kept = needs.filter(group >= min_group)
    dropped = needs.height - kept.height
    if dropped:
        log.warning("charity list: %d row(s) of groups under %d households left out", dropped, min_group)
    return kept.select(list(cfg.charity_columns)).sort(list(cfg.charity_columns), nulls_last=True)


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value if v is not None)
    return "" if value is None else str(value)


def check_cells(frame: pl.DataFrame, forbidden: set[str]) -> None:
    """Raise IdentifyingCell when a cell looks like or holds a personal identifier."""
    long_tokens = {f for f in forbidden if f and len(f) >= 6}
    short_tokens = {f for f in forbidden if f and len(f) < 6}
    for r, row in enumerate(frame.iter_rows()):
        for c, value in zip(frame.columns, row):
            text = _text(value)
            if not text:
                continue
            if mask_text(text) != text or text in short_tokens or any(t in text for t in long_tokens):
                raise IdentifyingCell(f"charity list row {r + 1}, column {c}: the value identifies a person; "
                                      "nothing was published")


def write_charity(path: Path, needs: pl.DataFrame, as_of: date, county_names: dict[str, str],
                  forbidden: set[str], cfg: FilesConfig | None = None, min_group: int | None = None) -> int:
    """Write the list; returns the rows written."""
    cfg = cfg or files_config()
    min_group = min_households(cfg) if min_group is None else min_group
    rows = select_needs(needs, cfg, min_group)
    rows = rows.with_columns(pl.col(c).list.eval(pl.element().cast(pl.String)).list.join("、")
                             for c, t in rows.schema.items() if isinstance(t, pl.List))
    check_cells(rows, forbidden)
    rows = rows.with_columns(pl.col("county_code").cast(pl.String).replace_strict(
        list(county_names), list(county_names.values()), default=pl.col("county_code").cast(pl.String),
        return_dtype=pl.String).alias("county_name")) if county_names else rows.with_columns(
        pl.col("county_code").cast(pl.String).alias("county_name"))
    columns = [Column("county_name", "县（市、区）", 14)] + [
        Column(k, h, 30 if k == "signals" else 12, "wrap" if k == "signals" else
               ("int" if rows.schema[k].is_integer() else "text")) for k, h in cfg.charity_columns.items()]
    secure_dir(path.parent)
    with Book(path, f"慈善帮扶需求清单（{as_of.isoformat()}）", as_of) as book:
        sheet = book.sheet("需求清单", columns)
        sheet.title(f"慈善帮扶需求清单（{as_of.isoformat()}）")
        sheet.title(f"特殊困难帮扶需求 {rows.height} 条（政策三(六)：救助需求与慈善供给匹配对接）。已去除姓名、身份证号、"
                    f"家庭编号和村（社区）；同一县（市、区）同一需求类型不足 {min_group} 户的不列出。", "subtitle")
        sheet.header()
        sheet.records(rows)
        sheet.finish()
        stats = book.sheet("统计", [Column("county_name", "县（市、区）", 14), Column("need_type", "需求类型", 16),
                                    Column("n", "条数", 8, "int")])
        stats.title(f"慈善帮扶需求统计（{as_of.isoformat()}）")
        stats.header()
        stats.records(rows.group_by("county_name", "need_type").agg(pl.len().alias("n")).sort("county_name",
                                                                                              "need_type"))
        stats.finish()
    return rows.height
