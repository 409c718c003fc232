"""Workbook helpers shared by every file for people (push lists, county workbooks, the charity
list, and issue 13's review workbooks): one place for the safe writer options, the formats, the
print setup, drop-down lists and formula neutralising, so every workbook behaves the same.

A sheet is written top-down: `title()` lines, then `header()`, then `record()` per row (group
lines between them with `group()`), then `finish()` (autofilter, frozen header, print setup,
drop-downs over the rows written). Dates are real Excel dates (yyyy-mm-dd); a text cell that
begins with = + - @ or a tab/CR is prefixed with ' (a spreadsheet or a CSV export of it never
runs it as a formula), and the workbook never turns a string into a formula, number or link.
Rows are streamed to disk (constant memory) in the workbook's own folder, never in /tmp.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

import polars as pl
import xlsxwriter

from pipelines.faults import checkpoint

FORMULA_START = re.compile(r"^[=+\-@\t\r]")
FORMULA_START_PATTERN = r"^[=+\-@\t\r]"
EXCEL_CELL_MAX = 32_767
A4 = 9
DATE_FORMAT = "yyyy-mm-dd"
OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
           "constant_memory": True}


def neutralise_text(value: str) -> str:
    """' before a text a spreadsheet would read as a formula; capped at Excel's cell limit."""
    if FORMULA_START.match(value):
        value = "'" + value
    return value[:EXCEL_CELL_MAX]


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """`neutralise_text` over every text column of a frame (vectorised)."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START_PATTERN)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c))
        .str.slice(0, EXCEL_CELL_MAX).alias(c)
        for c in text
    )


@dataclass(frozen=True)
class Column:
    """One column of a sheet: the frame's column `key`, its header, width and kind.

    kind: text | wrap (multi-line text) | date | int | number | flag (True → 是, else blank).
    options: a drop-down list (data validation) offered on every row written.
    entry: a column people fill in (a date column of that kind only accepts dates)."""

    key: str
    header: str
    width: float = 12
    kind: str = "text"
    options: tuple[str, ...] = ()
    entry: bool = False


@dataclass
class Sheet:
    """A worksheet being written top-down (see the module doc)."""

    book: "Book"
    ws: object
    columns: list[Column] = field(default_factory=list)
    row: int = 0
    header_row: int | None = None
    first_data: int | None = None
    breaks: list[int] = field(default_factory=list)
    plans: dict = field(default_factory=dict)

    def title(self, text: str, style: str = "title") -> None:
        """A line above the header (merged across the columns)."""
        width = max(len(self.columns), 1)
        fmt = self.book.fmt[style]
        self.ws.set_row(self.row, 24 if style == "title" else 18)
        if width > 1:
            self.ws.merge_range(self.row, 0, self.row, width - 1, neutralise_text(text), fmt)
        else:
            self.ws.write_string(self.row, 0, neutralise_text(text), fmt)
        self.row += 1

    def header(self) -> int:
        """The header row (one line, the column headers as given: readers find it by them)."""
        for i, c in enumerate(self.columns):
            self.ws.set_column(i, i, c.width)
        self.ws.set_row(self.row, 30)
        self.ws.write_row(self.row, 0, [c.header for c in self.columns], self.book.fmt["header"])
        self.header_row = self.row
        self.row += 1
        self.first_data = self.row
        return self.header_row

    def group(self, text: str, level: int = 1, page_break: bool = False) -> None:
        """A group line (e.g. a township or village with its counts), merged across the sheet."""
        if page_break and self.row > (self.first_data or 0):
            self.breaks.append(self.row)
        fmt = self.book.fmt[f"group{level}"]
        self.ws.set_row(self.row, 20, None, {"level": level - 1} if level > 1 else {})
        self.ws.merge_range(self.row, 0, self.row, len(self.columns) - 1, neutralise_text(text), fmt)
        self.row += 1

    def _plan(self, style: str | None) -> list[tuple[str, str, object]]:
        """(key, kind, cell format) per column for rows of `style`, worked out once per sheet:
        a province night writes millions of cells, and the lookups per cell added up."""
        plan = self.plans.get(style)
        if plan is None:
            plan = self.plans[style] = [(c.key, c.kind, self.book.cell_format(c.kind, style)) for c in self.columns]
        return plan

    def record(self, values: dict, style: str | None = None, level: int = 0) -> None:
        """One data row: values by column key; `style` (e.g. 'overdue') fills the row."""
        if level:
            self.ws.set_row(self.row, None, None, {"level": level})
        put, ws, row = self.book.put, self.ws, self.row
        for i, (key, kind, fmt) in enumerate(self._plan(style)):
            put(ws, row, i, values.get(key), kind, fmt)
        self.row += 1

    def records(self, frame: pl.DataFrame, style_of=None) -> None:
        for values in frame.iter_rows(named=True):
            self.record(values, style_of(values) if style_of else None)

    def finish(self, autofilter: bool = True, landscape: bool = True) -> None:
        """Frozen header, autofilter, drop-downs and date cells over the rows written; A4
        (landscape), fit to the page width, the header (and title) repeated on every page."""
        checkpoint("publish.workbook")   # fault tests: a workbook failing (in a worker process too)
        ws, last = self.ws, self.row - 1
        ncols = len(self.columns)
        if self.header_row is not None:
            ws.freeze_panes(self.header_row + 1, 0)
            ws.repeat_rows(0, self.header_row)
            if autofilter:
                ws.autofilter(self.header_row, 0, max(last, self.header_row), ncols - 1)
            if last >= self.first_data:
                for i, c in enumerate(self.columns):
                    if c.options:
                        ws.data_validation(self.first_data, i, last, i, {
                            "validate": "list", "source": list(c.options), "ignore_blank": True,
                            "error_type": "stop", "error_title": c.header,
                            "error_message": "请从下拉列表中选择：" + "、".join(c.options)})
                    elif c.kind == "date" and c.entry:
                        ws.data_validation(self.first_data, i, last, i, {
                            "validate": "date", "criteria": ">=", "value": datetime(2000, 1, 1),
                            "ignore_blank": True, "error_type": "warning", "error_title": c.header,
                            "error_message": "请填写日期，例如 2026-12-01"})
        ws.set_paper(A4)
        if landscape:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&C第 &P 页，共 &N 页")
        ws.hide_gridlines(0)
        if self.breaks:
            ws.set_h_pagebreaks(self.breaks)


class Book:
    """An xlsxwriter workbook with the project's options and formats; `sheet()` adds a Sheet."""

    def __init__(self, path: Path, title: str | None = None, as_of: date | None = None):
        """`title` and `as_of` become the document's properties (its creation time is the night's
        date, so the same night written twice gives the same workbook)."""
        path = Path(path)
        self.path = path
        self.wb = xlsxwriter.Workbook(str(path), {**OPTIONS, "tmpdir": str(path.parent)})
        self.wb.set_properties({"title": title or "", "author": "低收入人口动态监测",
                                "created": datetime(*(as_of or date(2000, 1, 1)).timetuple()[:3])})
        add = self.wb.add_format
        base = {"font_name": "宋体", "font_size": 10, "valign": "top", "border": 1}
        self.fmt = {
            "title": add({"bold": True, "font_size": 14, "font_name": "黑体", "align": "left", "valign": "vcenter"}),
            "subtitle": add({"font_size": 10, "font_name": "宋体", "align": "left", "valign": "vcenter",
                             "text_wrap": True}),
            "header": add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "align": "center",
                           "valign": "vcenter", "font_name": "宋体", "font_size": 10}),
            "group1": add({"bold": True, "bg_color": "#FCE4D6", "border": 1, "font_size": 11, "font_name": "黑体"}),
            "group2": add({"bold": True, "bg_color": "#F2F2F2", "border": 1, "font_size": 10, "font_name": "宋体"}),
        }
        self._cell: dict[tuple[str, str | None], object] = {}
        self._base = base
        self._styles = {None: {}, "overdue": {"bg_color": "#FFC7CE"}, "urgent": {"bg_color": "#FFEB9C"},
                        "muted": {"font_color": "#7F7F7F"}}
        self._kinds = {"text": {}, "wrap": {"text_wrap": True}, "date": {"num_format": DATE_FORMAT, "align": "center"},
                       "int": {"num_format": "0"}, "number": {"num_format": "#,##0.00"},
                       "flag": {"align": "center", "bold": True, "font_color": "#C00000"}}

    def cell_format(self, kind: str, style: str | None):
        key = (kind, style)
        if key not in self._cell:
            self._cell[key] = self.wb.add_format({**self._base, **self._kinds[kind], **self._styles[style]})
        return self._cell[key]

    @staticmethod
    def put(ws, row: int, col: int, value, kind: str, fmt) -> None:
        """One cell of a column of `kind` in format `fmt` (see Column)."""
        if type(value) is str and kind != "flag":   # most cells
            ws.write_string(row, col, neutralise_text(value), fmt)
        elif value is None or (isinstance(value, float) and value != value):
            ws.write_blank(row, col, None, fmt)
        elif kind == "flag":
            ws.write_string(row, col, "是", fmt) if value is True else ws.write_blank(row, col, None, fmt)
        elif kind == "date" and isinstance(value, (date, datetime)):
            dt = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
            ws.write_datetime(row, col, dt, fmt)
        elif kind in ("int", "number") and isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(row, col, value, fmt)
        else:
            ws.write_string(row, col, neutralise_text(str(value)), fmt)

    def sheet(self, name: str, columns: Iterable[Column]) -> Sheet:
        return Sheet(self, self.wb.add_worksheet(name[:31]), list(columns))

    def close(self) -> None:
        self.wb.close()

    def abort(self) -> None:
        """A write that failed: nothing of it stays (the file and its temporary rows removed)."""
        try:
            self.wb.close()
        except Exception:  # noqa: BLE001 - the original error is what matters
            pass
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> "Book":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.abort() if exc_type is not None else self.close()
