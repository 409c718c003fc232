"""County workbooks (outputs.md): `county/<date>/<县级区划代码>_<date>.xlsx`, one per county with
warnings tonight, for its coordination mechanism (县级困难群众基本生活保障工作协调机制) and its
走访核查 (policy 二(二): 铁脚板摸排 + 网格化管理, village by village).

What a county sees (个人信息保护法, minimum necessary):
  * its own people only: the warnings whose county_code is the county's, nothing of another county;
  * the warnings still to be acted on: new or open, without a reply that closed them (config
    county.visit_followups: no reply, verified, unverifiable); those resolved tonight are listed
    on a second sheet with masked numbers, so visits to them stop;
  * full identity numbers of its own people: a visit must identify the person at the door, and the
    county's civil-affairs bureau holds the registry of these households already;
  * never a restricted rule's warning (STAFF_RELATIVE, 人情保/关系保 screening: the subjects'
    colleagues may be the county's own staff) — those go to 民政厅's push list only;
  * 预警依据 with any other person's number masked.

Layout, print-ready: sheet 走访核查清单 grouped by township, then village (a group line with its
counts, the rows below it in an Excel outline), townships with urgent warnings first, in each
group urgent first, then overdue; overdue rows filled red with "已逾期N天" written out; a page
break before each township; A4 landscape, header repeated. The visit columns (走访日期, 走访人,
走访核查情况, 走访备注) are for the visitors' notes; their names differ from the feedback reply
columns on purpose: a county workbook is not a department's reply.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.fileperms import secure_dir
from pipelines.masking import mask_id_expr
from pipelines.publish.encrypt import Protection, protected_book
from pipelines.publish.excel import Column
from pipelines.publish.pushlists import row_style, summary_columns
from pipelines.publish.rows import unrestricted, urgent_first
from pipelines.publish.settings import FilesConfig, files_config
from pipelines.publish.workers import each

SHEET = "走访核查清单"
UNKNOWN_TOWNSHIP = "未标注乡镇（街道）"
UNKNOWN_VILLAGE = "未标注村（社区）"


def county_file_name(county_code: str, as_of: date) -> str:
    return f"{re.sub(r'[^0-9A-Za-z]', '-', county_code)}_{as_of.isoformat()}.xlsx"


def county_columns(cfg: FilesConfig) -> list[Column]:
    return [
        Column("seq", "序号", 5, "int"), Column("warning_id", "预警编号", 12), Column("department", "责任部门", 10),
        Column("category_label", "处置类别", 16, "wrap"), Column("rule_title", "规则名称", 18, "wrap"),
        Column("check_points", "核查要点", 26, "wrap"),
        Column("township_name", "乡镇（街道）", 12, "wrap"), Column("village_name", "村（社区）", 12, "wrap"),
        Column("address", "详细地址", 24, "wrap"), Column("name", "姓名", 9), Column("id_number", "身份证号", 20),
        Column("household_id", "家庭编号", 17), Column("first_seen", "首次发现", 11, "date"),
        Column("deadline", "处置时限", 11, "date"), Column("urgent", "急难", 6, "flag"),
        Column("overdue_text", "逾期", 10), Column("followup_name", "跟进状态", 11),
        Column("evidence_text", "预警依据", 44, "wrap"),
        Column("visit_date", "走访日期", 11, "date", entry=True), Column("visitor", "走访人", 10, entry=True),
        Column("visit_result", "走访核查情况", 12, options=tuple(cfg.reply["result"].get("options") or ()),
               entry=True),
        Column("visit_note", "走访备注", 18, "wrap", entry=True),
    ]


def visit_rows(rows: pl.DataFrame, cfg: FilesConfig) -> pl.DataFrame:
    """The prepared rows any county workbook may show (before choosing the county)."""
    followups = [f for f in cfg.visit_followups if f is not None]
    keep_unreplied = None in cfg.visit_followups
    return unrestricted(rows).filter(
        pl.col("county_code").is_not_null()
        & (pl.col("status") != "resolved")
        & (pl.col("followup").is_in(followups) | (pl.col("followup").is_null() & keep_unreplied)))


def _grouped(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows in print order: townships with urgent warnings first (then by code), villages the
    same within them, rows urgent first, then overdue."""
    rows = urgent_first(rows, overdue_next=True).with_row_index("_rank")
    u = pl.col("urgent").fill_null(False)
    return (rows.with_columns(
                _t_urgent=u.any().over("township_code"), _v_urgent=u.any().over("township_code", "village_code"))
            .sort(pl.col("_t_urgent"), pl.col("township_code"), pl.col("_v_urgent"), pl.col("village_code"), "_rank",
                  descending=[True, False, True, False, False], nulls_last=True))


def _counts_text(part: pl.DataFrame) -> str:
    urgent = int(part["urgent"].fill_null(False).sum())
    overdue = int(part["overdue"].fill_null(False).sum())
    return f"{part.height} 条" + (f"，急难 {urgent} 条" if urgent else "") + (f"，逾期 {overdue} 条" if overdue else "")


def write_county(path: Path, county_code: str, current: pl.DataFrame, resolved: pl.DataFrame, as_of: date,
                 protection: Protection | None = None, cfg: FilesConfig | None = None) -> None:
    """One county's workbook from its prepared rows (current: to visit; resolved: tonight)."""
    cfg = cfg or files_config()
    county_name = next((n for n in [*current["county_name"], *resolved["county_name"]] if n), county_code)
    rows = _grouped(current).with_row_index("seq", offset=1).with_columns(
        pl.when(pl.col("overdue").fill_null(False))
        .then(pl.format("已逾期{}天", (pl.lit(as_of) - pl.col("deadline")).dt.total_days()))
        .alias("overdue_text"))
    title = f"{county_name}（{county_code}）低收入人口预警走访核查清单（{as_of.isoformat()}）"
    book = protected_book(path, "county", county_code, protection, title, as_of)
    with book:
        sheet = book.sheet(SHEET, county_columns(cfg))
        sheet.title(title)
        towns = rows["township_code"].n_unique()
        villages = rows.select("township_code", "village_code").unique().height
        sheet.title(f"待核查处置预警 {_counts_text(rows)}，涉及 {towns} 个乡镇（街道）、{villages} 个村（社区）；"
                    f"今日解除 {resolved.height} 条（见“今日解除”表）。本表含本县（市、区）人员完整身份证号，"
                    "仅限县级协调机制和走访核查工作使用，不得外传。", "subtitle")
        sheet.header()
        for (town_code,), town in rows.group_by(["township_code"], maintain_order=True):
            town_name = town["township_name"][0] or UNKNOWN_TOWNSHIP
            sheet.group(f"{town_name}（{town_code or '—'}）：{_counts_text(town)}", 1,
                        page_break=cfg.page_break_per_township)
            for (village_code,), village in town.group_by(["village_code"], maintain_order=True):
                village_name = village["village_name"][0] or UNKNOWN_VILLAGE
                sheet.group(f"{village_name}（{village_code or '—'}）：{_counts_text(village)}", 2)
                for values in village.iter_rows(named=True):
                    sheet.record(values, row_style(values), level=2)
        sheet.finish(autofilter=False)
        stats = book.sheet("统计", [Column("township_name", "乡镇（街道）", 16), Column("village_name", "村（社区）", 16),
                                    *[Column(c, c, 8, "int") for c in ("合计", "急难", "逾期", "第1类", "第2类",
                                                                        "第3类", "第4类")]])
        stats.title(f"{county_name} 待核查处置预警统计（{as_of.isoformat()}）")
        stats.header()
        table = (rows.group_by("township_code", "village_code", maintain_order=True)
                 .agg(pl.col("township_name").first(), pl.col("village_name").first(), pl.len().alias("合计"),
                      pl.col("urgent").fill_null(False).sum().alias("急难"),
                      pl.col("overdue").fill_null(False).sum().alias("逾期"),
                      *[(pl.col("category") == k).sum().alias(f"第{k}类") for k in (1, 2, 3, 4)]))
        stats.records(table.with_columns(pl.col("township_name").fill_null(UNKNOWN_TOWNSHIP),
                                         pl.col("village_name").fill_null(UNKNOWN_VILLAGE)))
        stats.finish()
        done = book.sheet("今日解除", summary_columns())
        done.title(f"{county_name} 今日解除的预警（{as_of.isoformat()}，条件已不再成立，无需继续走访；身份证号已脱敏）")
        done.header()
        done.records(resolved.with_columns(mask_id_expr(pl.col("id_number")).alias("id_number")))
        done.finish()


def write_county_workbooks(rows: pl.DataFrame, folder: Path, as_of: date, protection: Protection | None = None,
                           cfg: FilesConfig | None = None) -> list[str]:
    """Every county with a warning to visit or resolved tonight gets its workbook; returns the names."""
    cfg = cfg or files_config()
    secure_dir(folder)
    current = visit_rows(rows, cfg)
    resolved = unrestricted(rows).filter((pl.col("status") == "resolved") & pl.col("county_code").is_not_null())
    codes = sorted(set(current["county_code"]) | set(resolved["county_code"]))
    calls = [(folder / county_file_name(code, as_of), code, current.filter(pl.col("county_code") == code),
              resolved.filter(pl.col("county_code") == code), as_of, protection, cfg) for code in codes]
    each(write_county, calls, [c[2].height + c[3].height for c in calls])   # side by side (workers.py)
    return [county_file_name(code, as_of) for code in codes]
