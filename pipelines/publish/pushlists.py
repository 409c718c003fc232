"""Push lists (outputs.md): `push/<date>/<部门>_<date>.xlsx`, one per department, even when empty
("nothing new" is news), and the masked province summary `push/<date>/全省汇总_<date>.xlsx`.

A department's workbook is one sheet: two title lines (the date and the counts), then ONE
header row, then one row per warning pushed tonight, urgent first. The header row is what the
feedback reader looks for: it holds 预警编号 and the reply columns (核查结果, 处理情况, 经办人,
办结日期, 备注) under exactly those names, so the same file, filled in by a clerk, comes back as a
`feedback` delivery. The reply columns offer drop-down lists, 办结日期 is a date cell, and a
standing reply is shown prefilled. Identity numbers are in full only in the department's own
workbook (and masked even there for config's masked_push_lists: 县级协调机制, whose counties get
their own workbooks); 预警依据 may name other people, so numbers in it are masked everywhere.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.masking import mask_id_expr
from pipelines.publish.encrypt import Protection, protected_book
from pipelines.publish.excel import Book, Column
from pipelines.publish.rows import unrestricted, urgent_first
from pipelines.publish.settings import FilesConfig, files_config

SUMMARY_STEM = "全省汇总"
SHEET = "推送清单"


def safe_file_name(department: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s_]+', "-", department) or "-"


def push_file_name(department: str, as_of: date) -> str:
    """<部门>_<YYYY-MM-DD>.xlsx (the feedback reader takes the name up to its first _ as the department)."""
    return f"{safe_file_name(department)}_{as_of.isoformat()}.xlsx"


def summary_file_name(as_of: date) -> str:
    return f"{SUMMARY_STEM}_{as_of.isoformat()}.xlsx"


def department_columns(cfg: FilesConfig) -> list[Column]:
    r = cfg.reply
    return [
        Column("seq", "序号", 5, "int"), Column("warning_id", "预警编号", 12), Column("department", "部门", 10),
        Column("category_label", "处置类别", 18, "wrap"), Column("rule_title", "规则名称", 20, "wrap"),
        Column("check_points", "核查要点", 28, "wrap"),
        Column("county_name", "县（市、区）", 12, "wrap"), Column("township_name", "乡镇（街道）", 13, "wrap"),
        Column("village_name", "村（社区）", 13, "wrap"),
        Column("name", "姓名", 9), Column("id_number", "身份证号", 20), Column("household_id", "家庭编号", 17),
        Column("status_name", "预警状态", 8), Column("first_seen", "首次发现", 11, "date"),
        Column("deadline", "处置时限", 11, "date"), Column("urgent", "急难", 6, "flag"),
        Column("overdue", "逾期", 6, "flag"), Column("match_name", "匹配方式", 13, "wrap"),
        Column("evidence_text", "预警依据", 50, "wrap"),
        Column("reply_result", r["result"]["header"], 10, options=tuple(r["result"].get("options") or ()), entry=True),
        Column("reply_action", r["action"]["header"], 12, options=tuple(r["action"].get("options") or ()), entry=True),
        Column("reply_handler", r["handler"]["header"], 10, entry=True),
        Column("followup_date", r["date"]["header"], 11, "date", entry=True),
        Column("reply_note", r["note"]["header"], 20, "wrap", entry=True),
    ]


def row_style(values: dict) -> str | None:
    if values.get("status") == "resolved":
        return "muted"
    if values.get("overdue"):
        return "overdue"
    if values.get("urgent"):
        return "urgent"
    return None


def department_counts(rows: pl.DataFrame) -> dict[str, int]:
    """The counts a department's title line gives: tonight's pushed rows by status, urgent and
    overdue among those still open."""
    pushed = rows.filter(pl.col("pushed").fill_null(False))
    current = pushed.filter(pl.col("status") != "resolved")
    return {
        "pushed": pushed.height,
        "new": pushed.filter(pl.col("status") == "new").height,
        "open": pushed.filter(pl.col("status") == "open").height,
        "resolved": pushed.filter(pl.col("status") == "resolved").height,
        "urgent": current.filter(pl.col("urgent").fill_null(False)).height,
        "overdue": current.filter(pl.col("overdue").fill_null(False)).height,
    }


def listing_order(rows: pl.DataFrame) -> pl.DataFrame:
    """Tonight's pushed rows as listed: still open ones first (urgent first, then push_rows'
    order: category, county, rule, subject), then those resolved tonight (for information)."""
    pushed = rows.filter(pl.col("pushed").fill_null(False))
    resolved = pl.col("status") == "resolved"
    return pl.concat([urgent_first(pushed.filter(~resolved)), pushed.filter(resolved).sort("_order")])


def write_department(path: Path, department: str, rows: pl.DataFrame, as_of: date, mask: bool = False,
                     protection: Protection | None = None, cfg: FilesConfig | None = None) -> dict[str, int]:
    """One department's workbook from its prepared rows (every status; only `pushed` rows are
    listed). Returns the title's counts."""
    cfg = cfg or files_config()
    counts = department_counts(rows)
    listed = listing_order(rows).with_row_index("seq", offset=1)
    if mask:
        listed = listed.with_columns(mask_id_expr(pl.col("id_number")).alias("id_number"))
    title = f"{department} 低收入人口动态监测预警推送清单（{as_of.isoformat()}）"
    book = protected_book(path, "department", department, protection, title, as_of)
    with book:
        sheet = book.sheet(SHEET, department_columns(cfg))
        sheet.title(title)
        sheet.title(
            f"本次推送 {counts['pushed']} 条：新增 {counts['new']} 条，持续 {counts['open']} 条，"
            f"今日解除 {counts['resolved']} 条（列在最后，供知悉）；在办预警中急难 {counts['urgent']} 条、"
            f"逾期 {counts['overdue']} 条。"
            + ("身份证号已脱敏，完整信息见各县（市、区）工作簿。" if mask else "本清单含完整身份证号，仅限本部门办理使用。")
            + f"请在“{cfg.reply_headers[0]}”至“{cfg.reply_headers[-1]}”列填写办理结果，按原文件返回。",
            "subtitle")
        sheet.header()
        sheet.records(listed, row_style)
        sheet.finish()
    return counts


def summary_columns() -> list[Column]:
    return [
        Column("warning_id", "预警编号", 12), Column("department", "部门", 10),
        Column("category_label", "处置类别", 18, "wrap"), Column("rule_title", "规则名称", 20, "wrap"),
        Column("county_name", "县（市、区）", 12, "wrap"), Column("township_name", "乡镇（街道）", 13, "wrap"),
        Column("village_name", "村（社区）", 13, "wrap"), Column("name", "姓名", 9),
        Column("id_number", "身份证号", 20), Column("status_name", "预警状态", 8),
        Column("first_seen", "首次发现", 11, "date"), Column("last_seen", "最近发现", 11, "date"),
        Column("deadline", "处置时限", 11, "date"), Column("urgent", "急难", 6, "flag"),
        Column("overdue", "逾期", 6, "flag"), Column("followup_name", "跟进状态", 12),
    ]


def _count_table(rows: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    return (rows.group_by(by)
            .agg((pl.col("pushed").fill_null(False)).sum().alias("推送"),
                 (pl.col("status") == "new").sum().alias("新增"),
                 (pl.col("status") == "open").sum().alias("持续"),
                 (pl.col("status") == "resolved").sum().alias("已解除"),
                 (pl.col("urgent").fill_null(False) & (pl.col("status") != "resolved")).sum().alias("急难"),
                 (pl.col("overdue").fill_null(False) & (pl.col("status") != "resolved")).sum().alias("逾期"),
                 pl.col("followup").is_not_null().sum().alias("已反馈"))
            .sort(by))


def write_summary(path: Path, rows: pl.DataFrame, as_of: date, cfg: FilesConfig | None = None,
                  departments: list[str] | None = None) -> None:
    """The province's overview, masked: counts by department and category and by county (every
    warning counted), the night's current warnings and those resolved tonight (restricted rules'
    rows are counted but not listed; no evidence: it stays with the departments)."""
    cfg = cfg or files_config()
    masked = rows.with_columns(mask_id_expr(pl.col("id_number")).alias("id_number"))
    listed = unrestricted(masked)
    with Book(path, f"全省低收入人口动态监测预警汇总（{as_of.isoformat()}）", as_of) as book:
        count_cols = ["推送", "新增", "持续", "已解除", "急难", "逾期", "已反馈"]
        by_dept = _count_table(rows, ["department", "category", "category_label"])
        if departments:
            order = {d: i for i, d in enumerate(departments)}
            by_dept = by_dept.sort(pl.col("department").replace_strict(order, default=len(order),
                                                                       return_dtype=pl.Int64), "category")
        stats = book.sheet("统计", [Column("department", "部门", 14), Column("category_label", "处置类别", 34),
                                    *[Column(c, c, 8, "int") for c in count_cols]])
        stats.title(f"全省低收入人口动态监测预警汇总（{as_of.isoformat()}）")
        stats.title(f"预警 {rows.filter(pl.col('status') != 'resolved').height} 条在办，"
                    f"今日推送 {int(rows['pushed'].fill_null(False).sum())} 条，今日解除 "
                    f"{rows.filter(pl.col('status') == 'resolved').height} 条。身份证号已脱敏。", "subtitle")
        stats.header()
        stats.records(by_dept)
        stats.finish()
        county = book.sheet("按县统计", [Column("county_code", "县级区划代码", 12), Column("county_name", "县（市、区）", 16),
                                        *[Column(c, c, 8, "int") for c in count_cols]])
        county.title(f"各县（市、区）预警统计（{as_of.isoformat()}）")
        county.header()
        county.records(_count_table(rows, ["county_code", "county_name"]))
        county.finish()
        for title, part in (("在办预警", listed.filter(pl.col("status") != "resolved")),
                            ("今日解除", listed.filter(pl.col("status") == "resolved"))):
            sheet = book.sheet(title, summary_columns())
            sheet.title(f"{title}（{as_of.isoformat()}，身份证号已脱敏）")
            sheet.header()
            sheet.records(urgent_first(part), row_style)
            sheet.finish()
