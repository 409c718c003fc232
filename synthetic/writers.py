"""Writing delivered cells to the landing zone: CSV (in the contract's encoding; UTF-8 with BOM) and
Excel (xlsxwriter, constant_memory), split into parts, plus the `_SUCCESS` marker.

CSV goes through polars' writer chunk by chunk (then re-encoded for GB18030). Excel needs one
xlsxwriter call per cell, so it is the slowest part of a large run; `write_excel` is a plain
function of picklable arguments so that parts can be written in another process.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

NUM = "@num"
DATE = "@date"
CSV_CHUNK_ROWS = 250_000
EXCEL_CHUNK_ROWS = 50_000


def part_names(stem: str, day: dt.date, ext: str, parts: int) -> list[str]:
    tag = day.strftime("%Y%m%d")
    if parts == 1:
        return [f"{stem}_{tag}.{ext}"]
    return [f"{stem}_{tag}_{k}.{ext}" for k in range(1, parts + 1)]


def split_rows(n: int, part_rows: int) -> list[tuple[int, int]]:
    """(offset, length) of each part; an empty delivery still has one (header-only) part."""
    if n == 0:
        return [(0, 0)]
    return [(o, min(part_rows, n - o)) for o in range(0, n, part_rows)]


def write_csv(path: Path, cells: pl.DataFrame, columns: list[str], headers: list[str], encoding: str) -> None:
    frame = cells.select([pl.col(c).alias(h) for c, h in zip(columns, headers)])
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    with open(path, "wb") as fh:
        if encoding == "utf-8-sig":
            fh.write(b"\xef\xbb\xbf")
        for i, off in enumerate(range(0, max(frame.height, 1), CSV_CHUNK_ROWS)):
            text = frame.slice(off, CSV_CHUNK_ROWS).write_csv(include_header=(i == 0))
            fh.write(text.encode(codec))


def _column_values(cells: pl.DataFrame, col: str) -> list:
    """One Python list per column, each item a str, float, date or None (cell type per row)."""
    text = cells[col].to_list()
    if col + NUM in cells.columns:
        nums = cells[col + NUM].to_list()
        return [t if v is None else v for t, v in zip(text, nums)]
    if col + DATE in cells.columns:
        dates = cells[col + DATE].to_list()
        return [t if v is None else v for t, v in zip(text, dates)]
    return text


def write_excel(path: Path, cells: pl.DataFrame, columns: list[str], headers: list[str], sheet: str,
                notes: str | None, created: dt.date | None = None, date_format: str = "yyyy-mm-dd") -> None:
    """One workbook: the data on the first sheet (header in row 1), and a 填表说明 sheet holding
    `notes` when given.

    Text cells stay text (identity numbers included); numbers (序号, money, Excel-mangled
    identity numbers) are numeric cells; dates are date-formatted numeric cells.
    """
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    if created is not None:  # a fixed creation time makes the file bytes reproducible
        wb.set_properties({"created": dt.datetime(created.year, created.month, created.day)})
    ws = wb.add_worksheet(sheet)
    fmt = wb.add_format({"num_format": date_format})
    ws.write_row(0, 0, headers)
    w_str, w_num, w_date = ws.write_string, ws.write_number, ws.write_datetime
    date_type, str_type = dt.date, str
    r = 1
    for off in range(0, cells.height, EXCEL_CHUNK_ROWS):  # Python objects for one chunk at a time
        chunk = cells.slice(off, EXCEL_CHUNK_ROWS)
        values = [_column_values(chunk, c) for c in columns]
        for row in zip(*values):
            for c, v in enumerate(row):
                if v is None:
                    continue
                t = type(v)
                if t is str_type:
                    w_str(r, c, v)
                elif t is date_type:
                    w_date(r, c, v, fmt)
                else:
                    w_num(r, c, v)
            r += 1
    if notes:
        ns = wb.add_worksheet("填表说明")
        ns.write_string(0, 0, notes)
    wb.close()


def write_success(folder: Path) -> None:
    (folder / "_SUCCESS").write_bytes(b"")
