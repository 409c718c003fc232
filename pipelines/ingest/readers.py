"""Read one delivery's files into text columns named by the contract, with file and row kept.

Every value is read as text (identity numbers must never pass through a float); typing is the
normaliser's job. CSV: the encoding is detected per file. Excel: read with fastexcel (calamine).
Rows keep their number as a person sees it in the file (the header is row 1), so every later
message can point at the row.

What makes a file untrustworthy as a whole (a DeliveryError naming the file and the row):

CSV   * it does not end with a line break, or it ends inside a quoted field: cut off in transfer
        (the last row, or the row where the unclosed quote opens, is named);
      * a row whose number of fields differs from the header's: a shifted or cut row (the first
        one is named). Empty lines are not rows with fields: they stay empty rows (rejected later);
      * a header cell that is empty while its column holds values; duplicate headers;
      * a first line that names none of the contract's columns (a file without its header line:
        its cells are not printed, they would be a person's data).
      Line ends may be LF, CRLF or CR alone (old Mac exports: translated to LF).
Excel * the first sheet, and every further visible sheet whose first row is the same header
        (a delivery too large for one sheet continues there: its rows are named
        `<file>[<sheet>]`, row n). Another visible sheet that has a row of at least as many
        filled cells as the contract has required columns could hold records: it is refused,
        not skipped, since its rows would be lost without a trace. A sheet with less (a
        填表说明 notes sheet) and a hidden sheet (a template's drop-down lists) are skipped and
        reported in `RawFile.notes`;
      * a column without a header that holds values; a password or a truncated/corrupt file.
      A contract that says `header_row: find` (a returned push list: a title row above the header)
      has its header found on each sheet: the first of its first HEADER_SEARCH_ROWS rows whose
      cells name every required column (none on the first sheet: refused, naming the columns);
      rows keep their number in the sheet.

Checks that need a pass over the bytes (`csvscan`) run only when a cheaper sign says they might
find something: a missing final newline, an odd number of quotes, polars' own parse error, or
NULLs in the last column (where polars puts the fields a short row lacks) that a count of the
commas does not explain (`_no_short_row`).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.contracts import Contract, normalise_header
from pipelines.ingest import csvscan
from pipelines.ingest.encoding import detect_and_decode
from pipelines.ingest.errors import DeliveryError
from pipelines.ingest.safeio import read_bytes
from pipelines.masking import mask_text

log = logging.getLogger(__name__)

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
HEADERS_SHOWN = 30         # headers printed in a missing-column message
HEADER_SEARCH_ROWS = 10    # header_row: find looks for the header among this many first rows
HEADER_CHARS_SHOWN = 40    # characters of each


@dataclass
class RawFile:
    path: Path
    encoding: str  # utf-8 / utf-8-sig / gb18030 / xlsx
    frame: pl.DataFrame  # canonical columns (String) + _file + _row
    unknown_headers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was read differently or skipped, and why

    @property
    def rows(self) -> int:
        return self.frame.height


def _shown(h: str) -> str:
    h = mask_text(h)
    return h if len(h) <= HEADER_CHARS_SHOWN else h[:HEADER_CHARS_SHOWN] + "…"


def map_headers(path: Path, headers: list[str], contract: Contract) -> tuple[dict[str, str], list[str]]:
    """{header as delivered → canonical name}, and the headers the contract does not know."""
    lookup = contract.header_lookup()
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    seen: dict[str, str] = {}
    for h in headers:
        canonical = lookup.get(normalise_header(h))
        if canonical is None:
            unknown.append(h)
            continue
        if canonical in seen:
            raise DeliveryError(path, f"columns {seen[canonical]!r} and {h!r} both map to {canonical}", row=1)
        seen[canonical] = h
        mapping[h] = canonical
    missing = [c for c in contract.columns if c.required and c.name not in seen]
    if missing:
        wanted = ", ".join(f"{c.headers[0]} ({c.name})" for c in missing)
        if not mapping:
            # none of the cells is a column name: most likely a data row (a file without its header
            # line); its cells are a person's data and are not printed
            raise DeliveryError(path, f"the first row is not a header row: none of its {len(headers)} cells is a "
                                      f"column name of {contract.source} (a file without its header line?); "
                                      f"missing required column(s): {wanted}", row=1)
        found = ", ".join(_shown(h) for h in headers[:HEADERS_SHOWN])
        more = f" and {len(headers) - HEADERS_SHOWN} more" if len(headers) > HEADERS_SHOWN else ""
        raise DeliveryError(path, f"missing required column(s): {wanted}; headers found: {found}{more}", row=1)
    return mapping, [mask_text(h) for h in unknown]


def _without_blank_headers(path: Path, df: pl.DataFrame, headers: list[str], label: str,
                           first_row: int = 2) -> tuple[pl.DataFrame, list[str], list[str]]:
    """Drop columns without a header if they are blank throughout; refuse them if they hold values."""
    notes = []
    keep_cols, keep_headers = [], []
    for col, h in zip(df.columns, headers):
        if h.strip() and not h.startswith("__UNNAMED__"):
            keep_cols.append(col)
            keep_headers.append(h)
            continue
        filled = df[col].cast(pl.String).str.contains(r"\S").fill_null(False)
        position = df.columns.index(col) + 1
        if filled.any():
            row = int(filled.arg_max()) + first_row
            raise DeliveryError(label, f"column {position} has no header but holds values (the first in this row): "
                                       f"a shifted or mislabelled column cannot be trusted", row=row)
        notes.append(f"{mask_text(label)}: column {position} has no header and no values: ignored")
    return df.select(keep_cols), keep_headers, notes


def _excel_duplicates(label: str, headers: list[str]) -> None:
    """fastexcel renames a repeated header `姓名` to `姓名_1`: a repeat is refused, as in a CSV."""
    present = set(headers)
    dup = sorted({m.group(1) for h in headers if (m := re.match(r"^(.+)_[0-9]+$", h)) and m.group(1) in present})
    if dup:
        raise DeliveryError(label, f"duplicate column header(s): {', '.join(dup)}", row=1)


def _finish(path: Path, encoding: str, df: pl.DataFrame, headers: list[str], contract: Contract,
            label: str | None = None, notes: list[str] | None = None, first_row: int = 2) -> RawFile:
    """`first_row`: the number a person sees on the first data row (the header's plus one)."""
    label = label or path.name
    if encoding == "xlsx":
        _excel_duplicates(label, headers)
    df, headers, blank_notes = _without_blank_headers(path, df, headers, label, first_row)
    mapping, unknown = map_headers(Path(label), headers, contract)
    by_header = dict(zip(headers, df.columns))
    frame = df.select(
        *[pl.col(by_header[h]).cast(pl.String).alias(c) for h, c in mapping.items()],
        pl.lit(mask_text(label)).alias("_file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + first_row).alias("_row"),
    )
    return RawFile(path, encoding, frame, unknown, (notes or []) + blank_notes)


# ------------------------------------------------------------------------------------------ CSV
def _line_ends(path: Path, data: bytes) -> tuple[bytes, list[str]]:
    """CR-only line ends (classic Mac) become LF; LF and CRLF files are returned as they are."""
    if b"\n" not in data and b"\r" in data:
        return data.replace(b"\r", b"\n"), [f"{mask_text(path.name)}: line ends are CR alone: read as LF"]
    return data, []


def _header(path: Path, data: bytes) -> list[str]:
    """The first record, parsed as CSV (a quoted header cell may hold a line break)."""
    head = data[: 1 << 20].decode("utf-8", errors="replace")
    limit = csv.field_size_limit()
    csv.field_size_limit(1 << 30)
    try:
        return next(csv.reader(io.StringIO(head, newline="")), [])
    except csv.Error as e:
        raise DeliveryError(path, f"the header line cannot be parsed as CSV ({e})", row=1) from None
    finally:
        csv.field_size_limit(limit)


def _shape_error(path: Path, scan: csvscan.Scan, width: int) -> DeliveryError | None:
    """The first completeness problem the scan shows, as the error to raise; None if none."""
    if scan.open_quote_record is not None:
        row = scan.open_quote_record + 1
        return DeliveryError(path, "a quoted field opens in this row and is never closed: the file ends inside it "
                                   "(cut off in transfer?)", row=row)
    if not scan.ends_with_newline:
        row = scan.records
        return DeliveryError(path, "the file does not end with a line break: its last row looks cut off "
                                   "(an interrupted copy?); a complete export ends every row with a line break",
                             row=row)
    bad = scan.first_width_mismatch(width)
    if bad is not None:
        row = bad + 1
        n = int(scan.fields[bad])
        count = int(((scan.fields != width) & ~scan.empty).sum())
        return DeliveryError(path, f"{n} field(s) where the header has {width}: a shifted or cut row cannot be "
                                   f"trusted ({count:,} such row(s) in the file)", row=row)
    return None


def _no_short_row(data: bytes, df: pl.DataFrame, width: int) -> bool:
    """True when one count proves that no row is short, so the record scan can be skipped.

    Without any quote, every LF ends a record and every comma separates; polars has already refused
    a row with too many fields; so if there is no blank line (polars reads one as a row of NULLs)
    and the file holds exactly (rows + header) × (width − 1) commas, every row has all its fields."""
    if data.find(b'"') >= 0:
        return False
    if df.select(pl.all_horizontal(pl.all().is_null()).any()).item():
        return False
    return csvscan.count_byte(data, csvscan.COMMA) == (df.height + 1) * (width - 1)


def read_csv_file(path: Path, contract: Contract) -> RawFile:
    encoding, data = detect_and_decode(path)
    data, notes = _line_ends(path, data)
    if not data.strip(b" \t\r\n"):
        raise DeliveryError(path, "no header line", row=1)
    headers = _header(path, data)
    if not any(h.strip() for h in headers):
        raise DeliveryError(path, "no header line (the first line is empty)", row=1)
    named = [h for h in headers if h.strip()]
    if len(set(named)) != len(named):
        dup = sorted({h for h in named if named.count(h) > 1})
        raise DeliveryError(path, f"duplicate column header(s): {', '.join(dup)}", row=1)
    width = len(headers)
    # Cheap signs first; the byte scan only when one of them says there may be a problem.
    if not data.endswith(b"\n") or (data.find(b'"') >= 0 and csvscan.count_byte(data, csvscan.QUOTE) % 2):
        err = _shape_error(path, csvscan.scan(data), width)
        raise err or DeliveryError(path, "the file looks cut off (its end is not a complete row)")
    names = [f"__c{i}" for i in range(width)]
    try:
        df = pl.read_csv(io.BytesIO(data), has_header=True, new_columns=names, infer_schema=False,
                         quote_char='"', raise_if_empty=False, truncate_ragged_lines=False)
    except pl.exceptions.PolarsError as e:
        err = _shape_error(path, csvscan.scan(data), width)
        if err:
            raise err from None
        first = mask_text(str(e).splitlines()[0] if str(e) else type(e).__name__)[:160]
        raise DeliveryError(path, f"cannot parse as CSV: {first}") from None
    if df.width != width:
        raise DeliveryError(path, f"the header has {width} cells but polars read {df.width} columns", row=1)
    if df.height and df[names[-1]].null_count() and not _no_short_row(data, df, width):
        # a short row leaves its last fields NULL: count the fields of every record to tell it
        # from a row whose last cell is merely empty
        scan = csvscan.scan(data)
        err = _shape_error(path, scan, width)
        if err:
            raise err
        if scan.records != df.height + 1:
            raise DeliveryError(path, f"{df.height:,} rows parsed but {scan.records - 1:,} records counted: "
                                      f"the file's quoting cannot be trusted")
    return _finish(path, encoding, df, headers, contract, notes=notes)


# ---------------------------------------------------------------------------------------- Excel
def _check_workbook(path: Path, head: bytes, content: bytes) -> None:
    if not head:
        raise DeliveryError(path, "the file is empty")
    if head.startswith(OLE2_MAGIC):
        import msoffcrypto

        try:
            encrypted = msoffcrypto.OfficeFile(io.BytesIO(content)).is_encrypted()
        except Exception:  # not an Office container msoffcrypto knows: let the reader decide
            encrypted = False
        if encrypted:
            raise DeliveryError(path, "the workbook is password-protected")
    elif not head.startswith(ZIP_MAGIC):
        raise DeliveryError(path, "not an Excel workbook (neither .xlsx nor .xls content)")


def _diagnose(content: bytes, e: Exception) -> str:
    """Why calamine could not open the bytes, in words (it only says "Cannot detect file format"
    when it is given bytes rather than a path): the zip container, a damaged part, or its XML."""
    import zipfile

    first = mask_text(str(e).splitlines()[0] if str(e) else type(e).__name__)[:200]
    if not content.startswith(ZIP_MAGIC):
        return first
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            bad = z.testzip()
            names = set(z.namelist())
    except (zipfile.BadZipFile, EOFError, ValueError) as z_err:
        return f"the zip container is incomplete or damaged ({mask_text(str(z_err))[:120]})"
    if bad:
        return f"part {mask_text(bad)} of the zip container is damaged"
    if "xl/workbook.xml" not in names:
        return "not an .xlsx workbook (no xl/workbook.xml)"
    return f"an XML part cannot be read (invalid characters?): {first}"


def _load(path: Path, reader, idx: int, header_row: int = 0):
    try:
        sheet = reader.load_sheet(idx, header_row=header_row, dtypes="string")
        return sheet, sheet.to_polars()
    except Exception as e:  # calamine raises its own error types for truncated/corrupt files
        first = mask_text(str(e).splitlines()[0] if str(e) else type(e).__name__)[:200]
        raise DeliveryError(path, f"cannot read the workbook (truncated or corrupt?): {first}") from None


def _widest_row(path: Path, reader, idx: int) -> int:
    """Most non-blank cells in any row of a sheet, its first row included."""
    try:
        frame = reader.load_sheet(idx, header_row=None, dtypes="string").to_polars()
    except Exception as e:
        first = mask_text(str(e).splitlines()[0] if str(e) else type(e).__name__)[:200]
        raise DeliveryError(path, f"cannot read the workbook (truncated or corrupt?): {first}") from None
    if frame.width == 0 or frame.height == 0:
        return 0
    filled = pl.sum_horizontal(pl.col(c).str.contains(r"\S").fill_null(False).cast(pl.Int32) for c in frame.columns)
    return int(frame.select(filled.max()).item() or 0)


def _header_index(path: Path, reader, idx: int, contract: Contract) -> int | None:
    """header_row: find — the 0-based index of the first of a sheet's first HEADER_SEARCH_ROWS rows
    whose cells name every required column of the contract; None when none does."""
    try:
        top = reader.load_sheet(idx, header_row=None, n_rows=HEADER_SEARCH_ROWS, dtypes="string").to_polars()
    except Exception as e:
        first = mask_text(str(e).splitlines()[0] if str(e) else type(e).__name__)[:200]
        raise DeliveryError(path, f"cannot read the workbook (truncated or corrupt?): {first}") from None
    lookup = contract.header_lookup()
    required = {c.name for c in contract.columns if c.required}
    for i, row in enumerate(top.iter_rows()):
        named = {lookup.get(normalise_header(str(v))) for v in row if v is not None}
        if required <= named:
            return i
    return None


def _comparable(headers: list[str]) -> list[str]:
    return [normalise_header(h) for h in headers if h.strip() and not h.startswith("__UNNAMED__")]


def read_excel_file(path: Path, contract: Contract) -> RawFile:
    import fastexcel

    content = read_bytes(path)
    _check_workbook(path, content[:8], content)
    try:
        reader = fastexcel.read_excel(content)
    except Exception as e:
        raise DeliveryError(path, f"cannot read the workbook (truncated or corrupt?): {_diagnose(content, e)}") from None
    names = list(reader.sheet_names)
    if not names:
        raise DeliveryError(path, "the workbook has no sheet")
    find = contract.header_row == "find"
    at = 0
    if find:
        at = _header_index(path, reader, 0, contract)
        if at is None:
            wanted = ", ".join(c.headers[0] for c in contract.columns if c.required)
            raise DeliveryError(path, f"none of the first {HEADER_SEARCH_ROWS} rows of the first sheet names every "
                                      f"required column ({wanted}): no header row found", row=1)
    _, df = _load(path, reader, 0, at)
    headers = [str(h) for h in df.columns]
    if not headers:
        raise DeliveryError(path, "the first sheet has no header row", row=1)
    first = _finish(path, "xlsx", df, headers, contract, first_row=at + 2)
    frames, notes = [first.frame], list(first.notes)
    wanted = sorted(_comparable(headers))
    record_width = max(2, sum(1 for c in contract.columns if c.required))
    for idx in range(1, len(names)):
        label = f"{path.name}[{names[idx]}]"
        other_at = (_header_index(path, reader, idx, contract) or 0) if find else 0
        sheet, other = _load(path, reader, idx, other_at)
        if getattr(sheet, "visible", "visible") != "visible":
            if other.width:
                notes.append(f"{mask_text(label)}: hidden sheet skipped")
            continue
        if other.width == 0:
            continue  # an empty sheet
        other_headers = [str(h) for h in other.columns]
        if sorted(_comparable(other_headers)) == wanted:
            part = _finish(path, "xlsx", other, other_headers, contract, label=label, first_row=other_at + 2)
            frames.append(part.frame)
            notes.extend(part.notes)
            notes.append(f"{mask_text(label)}: {part.rows:,} rows read as a continuation of the first sheet")
            continue
        widest = _widest_row(path, reader, idx)
        if widest >= record_width:
            raise DeliveryError(label, f"sheet {idx + 1} ({names[idx]!r}) has rows of up to {widest} filled cells but "
                                       f"its first row is not the first sheet's header: rows there would be lost. "
                                       f"A delivery is its first sheet plus sheets that continue it under the same "
                                       f"header row (notes sheets with fewer than {record_width} cells a row are "
                                       f"skipped); repeat the header there, or move the rows", row=1)
        notes.append(f"{mask_text(label)}: notes sheet (at most {widest} filled cell(s) a row) skipped")
    frame = pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]
    return RawFile(path, "xlsx", frame, first.unknown_headers, notes)


def read_file(path: Path, contract: Contract) -> RawFile:
    """Read one file; raises DeliveryError only (an unexpected error inside a reader is reported
    as an internal error naming the file, its traceback logged with identity numbers masked)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return read_csv_file(path, contract)
        if suffix in (".xlsx", ".xlsm", ".xls"):
            return read_excel_file(path, contract)
    except DeliveryError:
        raise
    except Exception as e:
        log.error("internal error while reading %s:\n%s", mask_text(path.name), mask_text(traceback.format_exc()))
        raise DeliveryError(path, f"internal error while reading the file ({type(e).__name__}: {e}); "
                                  f"the traceback is in the log") from None
    raise DeliveryError(path, f"unsupported file type {suffix!r}")
