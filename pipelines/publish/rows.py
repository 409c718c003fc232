"""The rows every file for people is made from: the model push_rows (one row per warning of the
night, sql/models/publish/push_rows.sql) in the shape PUSH_COLUMNS says, with the names and the
words a person reads added (place names, 预警依据 in Chinese, 匹配方式 in Chinese).

`conform` accepts an older push_rows that lacks some of the columns (before issue 12's data side
landed: no warning_id, urgent, deadline, match, reply columns, pushed) and fills them as the
rules say they default — a provisional id from the rule and subject, the deadline from
first_seen (+15 days, +7 for category 3), pushed = new tonight — so the writers work on every
warehouse; a column the model gives is never touched.
"""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl

from pipelines.masking import mask_text
from pipelines.publish.divisions import with_place_names
from pipelines.publish.evidence_text import evidence_lines
from pipelines.publish.settings import FilesConfig, files_config

PUSH_COLUMNS: dict[str, pl.DataType] = {
    "department": pl.String, "status": pl.String, "warning_id": pl.String, "category": pl.Int32,
    "category_name": pl.String, "rule_code": pl.String, "rule_title": pl.String, "check_points": pl.String,
    "county_code": pl.String, "township_code": pl.String, "village_code": pl.String, "address": pl.String,
    "name": pl.String, "id_number": pl.String, "person_id": pl.String, "household_id": pl.String,
    "first_seen": pl.Date, "last_seen": pl.Date, "deadline": pl.Date, "urgent": pl.Boolean, "overdue": pl.Boolean,
    "match": pl.String, "evidence": pl.String, "followup": pl.String, "followup_date": pl.Date,
    "reply_result": pl.String, "reply_action": pl.String, "reply_handler": pl.String, "reply_note": pl.String,
    "pushed": pl.Boolean, "departments_visible": pl.String,
}
DEFAULT_DAYS = {3: 7}     # rules.md 处置时限 (used only when push_rows has no deadline yet)
DEFAULT_DAYS_OTHER = 15


def _provisional_id(rule: str | None, person: str | None, household: str | None, number: str | None) -> str:
    key = "|".join(x or "" for x in (rule, person, household, number))
    return "W" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:9].upper()


def conform(rows: pl.DataFrame) -> pl.DataFrame:
    """`rows` in the PUSH_COLUMNS shape (see the module doc for what fills a missing column)."""
    from pipelines.rules.catalogue import load_catalogue

    have = set(rows.columns)
    out = rows
    if "rule_title" not in have:
        out = out.with_columns((pl.col("title") if "title" in have else pl.col("rule_code")).alias("rule_title"))
    if "check_points" not in have:
        checks = {r.code: getattr(r, "check", "") or None for r in load_catalogue().rules}
        out = out.with_columns(pl.col("rule_code").replace_strict(list(checks), list(checks.values()), default=None,
                                                                  return_dtype=pl.String).alias("check_points"))
    if "category_name" not in have:
        names = load_catalogue().category_names
        out = out.with_columns(pl.col("category").replace_strict(list(names), list(names.values()), default=None,
                                                                 return_dtype=pl.String).alias("category_name"))
    if "warning_id" not in have:
        out = out.with_columns(pl.struct("rule_code", "person_id", "household_id", "id_number").map_elements(
            lambda s: _provisional_id(s["rule_code"], s["person_id"], s["household_id"], s["id_number"]),
            return_dtype=pl.String).alias("warning_id"))
    if "deadline" not in have:
        days = pl.when(pl.col("category") == 3).then(DEFAULT_DAYS[3]).otherwise(DEFAULT_DAYS_OTHER)
        out = out.with_columns((pl.col("first_seen") + pl.duration(days=days)).alias("deadline"))
    if "departments_visible" not in have:
        only = {r.code: getattr(r, "restricted_to", None) for r in load_catalogue().rules}
        out = out.with_columns(pl.col("rule_code").replace_strict(list(only), list(only.values()), default=None,
                                                                  return_dtype=pl.String).alias("departments_visible"))
    if "pushed" not in have:
        out = out.with_columns((pl.col("status") == "new").alias("pushed"))
    for name, dtype in PUSH_COLUMNS.items():
        if name not in out.columns:
            default = False if dtype == pl.Boolean and name in ("urgent", "overdue") else None
            out = out.with_columns(pl.lit(default, dtype).alias(name))
    return out.select([pl.col(n).cast(t) for n, t in PUSH_COLUMNS.items()])


def prepare(rows: pl.DataFrame, names: dict[str, dict[str, str]], cfg: FilesConfig | None = None) -> pl.DataFrame:
    """Conformed rows with what people read: county/township/village names, 预警依据 lines
    (identity numbers inside them masked: evidence may name other people), 匹配方式 and the
    category in Chinese, and the row's original order (`_order`)."""
    cfg = cfg or files_config()
    out = with_place_names(conform(rows), names).with_row_index("_order")
    methods = cfg.match_methods
    return out.with_columns(
        pl.col("evidence").map_elements(lambda e: mask_text(evidence_lines(e, cfg)), return_dtype=pl.String,
                                        skip_nulls=True).alias("evidence_text"),
        pl.col("match").replace_strict(list(methods), list(methods.values()), default=pl.col("match"),
                                       return_dtype=pl.String).alias("match_name"),
        pl.format("{}类：{}", pl.col("category"), pl.col("category_name").fill_null("")).alias("category_label"),
        pl.col("status").replace_strict(list(cfg.status_names), list(cfg.status_names.values()),
                                        default=pl.col("status"), return_dtype=pl.String).alias("status_name"),
        pl.col("followup").fill_null("none").replace_strict(
            list(cfg.followup_names), list(cfg.followup_names.values()), default=pl.col("followup"),
            return_dtype=pl.String).alias("followup_name"),
    )


def unrestricted(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows any file may show: not restricted to one department's own push list
    (departments_visible, e.g. STAFF_RELATIVE → 民政厅 only)."""
    return rows.filter(pl.col("departments_visible").is_null())


def visible_to(rows: pl.DataFrame, department: str) -> pl.DataFrame:
    """A department's own rows that its push list may show."""
    return rows.filter((pl.col("department") == department)
                       & (pl.col("departments_visible").is_null() | (pl.col("departments_visible") == department)))


def urgent_first(rows: pl.DataFrame, overdue_next: bool = False) -> pl.DataFrame:
    """Urgent first (then, with `overdue_next`, overdue), keeping push_rows' order (category,
    county, rule, subject) otherwise."""
    keys = [pl.col("urgent").fill_null(False)] + ([pl.col("overdue").fill_null(False)] if overdue_next else [])
    return rows.sort([*keys, pl.col("_order")], descending=[True] * len(keys) + [False])


def overdue_days(deadline: date | None, as_of: date) -> int | None:
    return (as_of - deadline).days if deadline is not None and as_of > deadline else None
