"""Analysts' way out of the warehouse: any table, view or query of the published night, read-only,
as xlsx, CSV (UTF-8 with a byte-order mark, which Chinese Excel needs to read it) or Parquet; and
the rows of a SQL session (`lowincome sql`).

Read-only and short: the published catalog is opened read-only for the one query and closed, so
a night being run is never blocked (a run writes a private copy and swaps it in by rename; a
reader holding the old file keeps reading it whole).

Identity numbers are masked (`230102********123X`, pipelines.masking) in every text column, in
nested values (lists and structs are written as JSON text first) and in integer or decimal
columns holding 15 or more digits, unless the export is asked `unmasked` with a reason. Such an
export is recorded before it is written (who, when, what, why) in
`<warehouse>.out/audit/unmasked_exports.jsonl`; when the record cannot be written, nothing is
exported. Text cells that a spreadsheet would take for a formula (= + - @, tab, CR first) get a
leading ' in xlsx and CSV.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl

from pipelines.engine.base import ident
from pipelines.masking import mask_frame
from pipelines.store.layout import layout

FORMATS = ("xlsx", "csv", "parquet")
EXCEL_ROWS = 1_048_575          # a sheet's rows below its header
EXCEL_CELL = 32_767             # characters in a cell
FORMULA_START = r"^[=+\-@\t\r]"
LONG_DIGITS = 10 ** 14          # an integer this large may be an identity number (15+ digits)
AUDIT = Path("audit") / "unmasked_exports.jsonl"


class ExportError(ValueError):
    """The export cannot be made (the message says why and what to do): exit status 1."""


class ExportUsage(ExportError):
    """The command was used wrongly (options missing, contradicting or malformed): exit status 2."""


@dataclass
class Exported:
    path: Path
    rows: int
    columns: int
    masked: bool


def open_read_only(warehouse: Path):
    """A read-only DuckDB connection to the published catalog (the Python API analysts use too)."""
    import duckdb

    path = layout(warehouse).published
    if not path.is_file():
        raise ExportError(f"no warehouse at {path}")
    return duckdb.connect(str(path), read_only=True)


def query_for(table: str | None, query: str | None, as_of: str | None, columns: set[str] | None = None) -> str:
    """The SELECT to export: a whole table or view (optionally one night: a date or `latest`), or
    the analyst's own query."""
    if (table is None) == (query is None):
        raise ExportUsage("give either --table or --query")
    if query is not None:
        if as_of:
            raise ExportUsage("--as-of applies to --table only: put the date in the query")
        return query.strip().rstrip(";")
    try:
        name = ident(table)
    except ValueError:
        raise ExportUsage(f"{table!r} is not a table or view name") from None
    if not as_of:
        return f"SELECT * FROM {name}"
    if columns is not None and "as_of" not in columns:
        raise ExportUsage(f"{name} has no as_of column: leave out --as-of")
    if as_of == "latest":
        return f"SELECT * FROM {name} WHERE as_of = (SELECT max(as_of) FROM {name})"
    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        raise ExportUsage(f"--as-of {as_of!r} is neither YYYY-MM-DD nor latest") from None
    return f"SELECT * FROM {name} WHERE as_of = DATE '{day.isoformat()}'"


def fetch(warehouse: Path, table: str | None = None, query: str | None = None, as_of: str | None = None) -> pl.DataFrame:
    """The rows asked for, from the published catalog opened read-only for this query alone."""
    import duckdb

    if table is not None:
        try:
            ident(table)
        except ValueError:
            raise ExportUsage(f"{table!r} is not a table or view name") from None
    with open_read_only(warehouse) as con:
        columns = None
        if table is not None:
            try:
                columns = {r[0] for r in con.execute(f"DESCRIBE {ident(table)}").fetchall()}
            except (duckdb.Error, ValueError):
                raise ExportError(f"the warehouse has no table or view {table!r} "
                                  "(docs/data-dictionary.md lists them)") from None
        sql = query_for(table, query, as_of, columns)
        try:
            return con.sql(sql).pl()
        except duckdb.Error as e:
            raise ExportError(f"the query failed: {e}") from None


def flatten(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists and structs as JSON text (a spreadsheet cell or a CSV field holds text)."""
    nested = [c for c, t in frame.schema.items() if isinstance(t, (pl.List, pl.Struct, pl.Array))]
    if not nested:
        return frame
    return frame.with_columns(
        pl.Series(c, [None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                      for v in frame[c].to_list()], dtype=pl.String) for c in nested)


def mask(frame: pl.DataFrame) -> pl.DataFrame:
    """Identity numbers masked wherever they could be: text, nested values, long integers."""
    frame = flatten(frame)
    long_numbers = []
    for c, t in frame.schema.items():
        if t.is_integer() or isinstance(t, pl.Decimal):
            top = frame[c].cast(pl.Float64).abs().max()
            if top is not None and top >= LONG_DIGITS:
                long_numbers.append(c)
    if long_numbers:
        frame = frame.with_columns(pl.col(c).cast(pl.String) for c in long_numbers)
    return mask_frame(frame)


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """A leading ' on text that a spreadsheet would evaluate as a formula."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text)


def audit(warehouse: Path, what: str, reason: str, out: Path, rows: int) -> Path:
    """Record an unmasked export before it is written; ExportError when it cannot be recorded."""
    path = layout(warehouse).out / AUDIT
    record = {"at": datetime.now().isoformat(timespec="seconds"), "user": getpass.getuser(),
              "host": socket.gethostname(), "warehouse": str(layout(warehouse).published), "what": what,
              "reason": reason.strip(), "file": str(Path(out).resolve()), "rows": rows}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    except OSError as e:
        raise ExportError(f"cannot record the unmasked export in {path} ({e.strerror}): nothing exported") from None
    return path


def write(frame: pl.DataFrame, out: Path, fmt: str) -> None:
    """The frame as one file (written beside its final name, then renamed)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        if fmt == "parquet":
            frame.write_parquet(tmp, compression="zstd")
        elif fmt == "csv":
            neutralise(flatten(frame)).write_csv(tmp, include_bom=True, datetime_format="%Y-%m-%d %H:%M:%S")
        elif fmt == "xlsx":
            _write_xlsx(neutralise(flatten(frame)), tmp)
        else:
            raise ExportUsage(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    import xlsxwriter

    if frame.height > EXCEL_ROWS:
        raise ExportError(f"{frame.height:,} rows do not fit a worksheet ({EXCEL_ROWS:,} at most): "
                          "export CSV or Parquet, or narrow the query")
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False, "constant_memory": True})
    ws = wb.add_worksheet("数据")
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for c, name in enumerate(frame.columns):
        ws.set_column(c, c, min(max(len(name) * 2, 10), 40))
    ws.write_row(0, 0, frame.columns, bold)
    ws.freeze_panes(1, 0)
    kinds = list(frame.schema.values())
    for r, row in enumerate(frame.iter_rows(), start=1):
        for c, v in enumerate(row):
            if v is None:
                continue
            if kinds[c] == pl.Datetime or isinstance(v, datetime):
                ws.write_datetime(r, c, v, stamp)
            elif isinstance(v, date):
                ws.write_datetime(r, c, datetime(v.year, v.month, v.day), day)
            elif isinstance(v, bool):
                ws.write_boolean(r, c, v)
            elif isinstance(v, (int, float, Decimal)):
                ws.write_number(r, c, float(v) if isinstance(v, Decimal) else v)
            else:
                ws.write_string(r, c, str(v)[:EXCEL_CELL])
    wb.close()


def export(warehouse: Path, out: Path, fmt: str | None = None, table: str | None = None, query: str | None = None,
           as_of: str | None = None, unmasked: bool = False, reason: str | None = None) -> Exported:
    """`lowincome export`: fetch (read-only), mask unless asked and recorded, write."""
    fmt = (fmt or Path(out).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ExportUsage(f"say the format with --format ({', '.join(FORMATS)}) or the file's suffix")
    if unmasked and not (reason and reason.strip()):
        raise ExportUsage("--unmasked needs --reason: why full identity numbers must leave the warehouse "
                          "(it is recorded)")
    frame = fetch(warehouse, table, query, as_of)
    if unmasked:
        audit(warehouse, table or query, reason, out, frame.height)
    else:
        frame = mask(frame)
    write(frame, out, fmt)
    return Exported(Path(out), frame.height, frame.width, not unmasked)
