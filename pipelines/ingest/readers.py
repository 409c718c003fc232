"""Read one delivery's files into text columns named by the contract, with file and row kept.

Every value is read as text (identity numbers must never pass through a float); typing is the
normaliser's job. CSV: the encoding is detected per file. Excel: the first sheet, header in the
first row, read with fastexcel (calamine). Rows keep their line number as a person sees it in
the file (the header is line 1), so every later message can point at the row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.contracts import Contract, normalise_header
from pipelines.ingest.encoding import detect_and_decode
from pipelines.ingest.errors import DeliveryError

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class RawFile:
    path: Path
    encoding: str  # utf-8 / utf-8-sig / gb18030 / xlsx
    frame: pl.DataFrame  # canonical columns (String) + _file + _row
    unknown_headers: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.frame.height


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
        raise DeliveryError(path, f"missing required column(s): {wanted}; headers found: {', '.join(headers)}", row=1)
    return mapping, unknown


def _finish(path: Path, encoding: str, df: pl.DataFrame, headers: list[str], contract: Contract) -> RawFile:
    mapping, unknown = map_headers(path, headers, contract)
    frame = df.select(
        *[pl.col(h).cast(pl.String).alias(c) for h, c in mapping.items()],
        pl.lit(path.name).alias("_file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("_row"),
    )
    return RawFile(path, encoding, frame, unknown)


def _first_bad_line(data: bytes, width: int) -> int | None:
    """Line of the first record whose field count differs from the header's (error path only)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    for record in reader:
        if record and len(record) != width:
            return reader.line_num
    return None


def read_csv_file(path: Path, contract: Contract) -> RawFile:
    encoding, data = detect_and_decode(path)
    end = data.find(b"\n")
    first_line = data[: end if end >= 0 else len(data)].decode("utf-8").rstrip("\r")
    if not first_line.strip():
        raise DeliveryError(path, "no header line", row=1)
    headers = next(csv.reader([first_line]))
    if len(set(headers)) != len(headers):
        dup = sorted({h for h in headers if headers.count(h) > 1})
        raise DeliveryError(path, f"duplicate column header(s): {', '.join(dup)}", row=1)
    try:
        df = pl.read_csv(
            io.BytesIO(data), has_header=True, infer_schema=False, quote_char='"',
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as e:
        line = _first_bad_line(data, len(headers))
        raise DeliveryError(path, f"cannot parse as CSV: {str(e).splitlines()[0]}", row=line) from None
    return _finish(path, encoding, df, headers, contract)


def _check_workbook(path: Path) -> None:
    with path.open("rb") as f:
        head = f.read(8)
    if not head:
        raise DeliveryError(path, "the file is empty")
    if head.startswith(OLE2_MAGIC):
        import msoffcrypto

        with path.open("rb") as f:
            try:
                encrypted = msoffcrypto.OfficeFile(f).is_encrypted()
            except Exception:  # not an Office container msoffcrypto knows: let the reader decide
                encrypted = False
        if encrypted:
            raise DeliveryError(path, "the workbook is password-protected")
    elif not head.startswith(ZIP_MAGIC):
        raise DeliveryError(path, "not an Excel workbook (neither .xlsx nor .xls content)")


def read_excel_file(path: Path, contract: Contract) -> RawFile:
    import fastexcel

    _check_workbook(path)
    try:
        reader = fastexcel.read_excel(path)
        sheet = reader.load_sheet(0, header_row=0, dtypes="string")
        df = sheet.to_polars()
    except Exception as e:  # calamine raises its own error types for truncated/corrupt files
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise DeliveryError(path, f"cannot read the workbook (truncated or corrupt?): {first}") from None
    headers = [str(h) for h in df.columns]
    if not headers:
        raise DeliveryError(path, "the first sheet has no header row", row=1)
    renamed = [h for h in headers if h.startswith("__UNNAMED__")]
    if renamed:
        raise DeliveryError(path, f"{len(renamed)} column(s) without a header", row=1)
    return _finish(path, "xlsx", df, headers, contract)


def read_file(path: Path, contract: Contract) -> RawFile:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv_file(path, contract)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return read_excel_file(path, contract)
    raise DeliveryError(path, f"unsupported file type {suffix!r}")
