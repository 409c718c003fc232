"""Per-department push lists (Excel) and the provincial summary workbook.

A department's workbook holds only its own warnings, with identity numbers in full (it must
find the person); anything else (the summary, the report) masks them. Every text cell that
begins with = + - @ or a tab/CR is prefixed with ' so that neither Excel nor a CSV export of the
sheet ever evaluates it as a formula; the workbook is also written with xlsxwriter's
string-to-formula conversion off, so a value is never stored as a formula in the first place.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
import xlsxwriter

from pipelines.normalise.idnumbers import mask_id_expr

SHEETS = {"new": "新增预警", "open": "持续预警", "resolved": "已解除"}
COLUMNS = {  # frame column → Chinese header
    "category": "处置类别", "category_name": "类别说明", "county_code": "县区代码", "rule_code": "预警规则",
    "title": "预警事项", "name": "姓名", "id_number": "身份证号", "person_id": "成员编号",
    "household_id": "家庭编号", "first_seen": "首次发现日期", "last_seen": "最近发现日期", "evidence": "预警依据",
}
WIDTHS = {"title": 28, "category_name": 26, "id_number": 21, "evidence": 90}
FORMULA_START = r"^[=+\-@\t\r]"
EXCEL_CELL_MAX = 32_767
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
                    "constant_memory": True}  # rows streamed to disk: a province-sized list fits in memory


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix ' to text cells that a spreadsheet would read as a formula; cap cell length."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c))
        .str.slice(0, EXCEL_CELL_MAX).alias(c)
        for c in text
    )


def _prepare(rows: pl.DataFrame, category_names: dict[int, str], mask: bool) -> pl.DataFrame:
    out = rows.with_columns(
        category_name=pl.col("category").replace_strict(category_names, default=None, return_dtype=pl.String),
        first_seen=pl.col("first_seen").cast(pl.String), last_seen=pl.col("last_seen").cast(pl.String),
    )
    if mask:
        out = out.with_columns(id_number=mask_id_expr(pl.col("id_number")))
    return neutralise(out.select(list(COLUMNS)))


def _write_sheet(wb: xlsxwriter.Workbook, title: str, frame: pl.DataFrame, header_fmt) -> None:
    ws = wb.add_worksheet(title)
    cols = list(COLUMNS)
    ws.write_row(0, 0, [COLUMNS[c] for c in cols], header_fmt)
    for i, c in enumerate(cols):
        ws.set_column(i, i, WIDTHS.get(c, 14))
    ws.freeze_panes(1, 0)
    for r, row in enumerate(frame.iter_rows(), start=1):
        ws.write_row(r, 0, row)
    if frame.height:
        ws.autofilter(0, 0, frame.height, len(cols) - 1)


def write_department(path: Path, rows: pl.DataFrame, category_names: dict[int, str]) -> None:
    """One department's workbook: a sheet per status (new / open / resolved), full numbers."""
    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for status, title in SHEETS.items():
        _write_sheet(wb, title, _prepare(rows.filter(pl.col("status") == status), category_names, mask=False), header)
    wb.close()


def write_summary(path: Path, rows: pl.DataFrame, counts: pl.DataFrame, category_names: dict[int, str],
                  as_of: date) -> None:
    """The province's overview: counts per department, category and status, and every current
    warning with masked identity numbers (no evidence: it stays with the departments)."""
    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    ws = wb.add_worksheet("统计")
    ws.write_row(0, 0, [f"预警统计 {as_of.isoformat()}"], header)
    ws.write_row(1, 0, ["部门", "处置类别", "类别说明", "新增", "持续", "已解除"], header)
    ws.set_column(0, 0, 16)
    ws.set_column(2, 2, 30)
    for r, row in enumerate(neutralise(counts).iter_rows(), start=2):
        dept, cat, new, open_, resolved = row
        ws.write_row(r, 0, [dept, cat, category_names.get(cat, ""), new, open_, resolved])
    current = rows.filter(pl.col("status") != "resolved").with_columns(evidence=pl.lit(None, pl.String))
    _write_sheet(wb, "全部预警", _prepare(current, category_names, mask=True), header)
    wb.close()


def safe_file_name(department: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", department) or "_"
