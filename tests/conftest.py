"""Shared fixtures: small landing zones written by code (never committed data)."""

from __future__ import annotations

import csv
import io
import os
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter

from pipelines.contracts import load_contracts

# One Spark session per test process, whichever Spark test makes it first: every test that asks
# for Spark without a master gets this one (two cores: the CI machine's)
os.environ.setdefault("LOWINCOME_SPARK_MASTER", "local[2]")


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    text = buf.getvalue()
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding)


def write_xlsx(path: Path, rows: list[list[object]], numeric_cols: set[int] = frozenset()) -> Path:
    """A real workbook: numbers in `numeric_cols` (and every int/float) as numeric cells."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数据")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, date):
                ws.write_datetime(r, c, v if hasattr(v, "hour") else __import__("datetime").datetime(v.year, v.month, v.day), date_fmt)
            elif isinstance(v, (int, float)) or (c in numeric_cols and r > 0):
                ws.write_number(r, c, float(v))
            elif v is None:
                continue
            else:
                ws.write_string(r, c, str(v))
    wb.close()
    return path


def add_delivery(landing: Path, source: str, day: str, files: dict[str, bytes | list[list[object]]],
                 complete: bool = True) -> Path:
    """landing/<source>/<day>/ with the given files (bytes, or rows for .xlsx) and _SUCCESS."""
    folder = landing / source / day
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if name.endswith(".xlsx") and isinstance(content, list):
            write_xlsx(folder / name, content)
        else:
            (folder / name).write_bytes(content)
    if complete:
        (folder / "_SUCCESS").write_text("")
    return folder


@pytest.fixture
def contracts():
    return load_contracts()


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    p = tmp_path / "landing"
    p.mkdir()
    return p
