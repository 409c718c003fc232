"""Completeness: the CSV record scanner agrees with Python's csv module on every record; the
manifest a department may put in `_SUCCESS` is checked file by file (presence, bytes, rows)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from pipelines.contracts import load_contracts
from pipelines.ingest import csvscan
from pipelines.ingest.discovery import discover
from pipelines.staging import stage_delivery

from conftest import add_delivery, csv_bytes, write_xlsx

DAY = "2026-11-28"
AS_OF = date(2026, 11, 28)
ID = "230102195001010010"
HEADER = ["序号", "姓名", "公民身份号码", "性别", "失业登记日期", "就业援助", "经办机构"]


def unemployed(n: int = 30, start: int = 1) -> list[list[str]]:
    return [HEADER] + [[str(start + i), "王伟", ID, "男", "2024/3/1", "否", "就业局"] for i in range(n)]


# ----------------------------------------------------------------------------- the scanner
def _cell(rng: random.Random) -> str:
    return rng.choice(["", "王伟", "123", "a b", 'a,"b"\nc', "x\r\ny", '""', ",", "长" * 3, '"'])


@pytest.mark.parametrize("seed", range(40))
def test_scanner_counts_the_fields_csv_reads(seed):
    rng = random.Random(seed)
    rows = [[_cell(rng) for _ in range(rng.choice([4, 4, 4, 1, 6]))] for _ in range(rng.randint(1, 40))]
    buf = io.StringIO()
    csv.writer(buf, lineterminator=rng.choice(["\n", "\r\n"])).writerows(rows)
    text = buf.getvalue() + ("\n" if rng.random() < 0.3 else "")
    data = text.encode()
    reference = list(csv.reader(io.StringIO(text, newline="")))
    for chunk in (5, 64, 1 << 20):  # chunk borders anywhere, inside quotes too
        scan = csvscan.scan(data, chunk)
        assert scan.records == len(reference)
        assert scan.fields.tolist() == [max(1, len(r)) for r in reference]
        assert scan.empty.tolist() == [r == [] for r in reference]
        assert scan.ends_with_newline and scan.open_quote_record is None


@pytest.mark.parametrize("seed", range(20))
def test_scanner_finds_the_record_a_cut_leaves_open(seed):
    rng = random.Random(seed)
    rows = [["1", "a"], ["2", 'x,\n"y"\nz'], ["3", "b"]]
    data = "".join(f'{r[0]},"{r[1].replace(chr(34), chr(34) * 2)}"\n' if "," in r[1] else f"{r[0]},{r[1]}\n"
                   for r in rows).encode()
    opening = data.index(b'"')
    closing = data.rindex(b'"\n')
    cut = rng.randint(opening + 1, closing)                 # anywhere inside the quoted field
    scan = csvscan.scan(data[:cut], rng.choice([3, 7, 1 << 20]))
    if data[:cut].count(b'"') % 2:
        assert scan.open_quote_record == 1
    assert not scan.ends_with_newline or scan.open_quote_record is not None


def test_scanner_on_a_million_rows_is_cheap():
    """The pass runs only when a cheap sign calls for it; even then it must stay a small part of a read."""
    import time

    line = "123456,王伟,230102195001010010,男,2024/3/1,否,哈尔滨市道里区就业服务局\r\n".encode()
    data = line * 1_000_000
    started = time.perf_counter()
    scan = csvscan.scan(data)
    elapsed = time.perf_counter() - started
    assert scan.records == 1_000_000 and bool(np.all(scan.fields == 7))
    assert elapsed < 5.0, elapsed   # about 0.3-0.6 s here; generous for a loaded CI machine


# ----------------------------------------------------------------------------- the manifest
def _manifest(files: dict[str, bytes], rows: dict[str, int] | None = None, **override) -> bytes:
    entries = []
    for name, content in files.items():
        e = {"name": name, "sha256": hashlib.sha256(content).hexdigest()}
        if rows and name in rows:
            e["rows"] = rows[name]
        e.update(override.get(name, {}))
        entries.append(e)
    return json.dumps({"files": entries}, ensure_ascii=False).encode()


def _stage(tmp_path: Path, files: dict[str, bytes], marker: bytes, source: str = "hrss_unemployed"):
    landing = tmp_path / "landing"
    folder = add_delivery(landing, source, DAY, files)
    (folder / "_SUCCESS").write_bytes(marker)
    contracts = load_contracts()
    delivery = discover(landing, AS_OF, contracts).chosen[source]
    return stage_delivery(delivery, contracts[source], tmp_path / "st")


PART1, PART2 = csv_bytes(unemployed(20)), csv_bytes(unemployed(10, start=21))


def test_a_matching_manifest_loads(tmp_path):
    files = {"p1.csv": PART1, "p2.csv": PART2}
    res = _stage(tmp_path, files, _manifest(files, {"p1.csv": 20, "p2.csv": 10}))
    assert res.status == "staged" and res.rows_loaded == 30


@pytest.mark.parametrize("marker", [b"", b"\n", b"2026-11-28 02:00:00 done\n", b"OK"])
def test_a_plain_marker_still_means_complete(tmp_path, marker):
    res = _stage(tmp_path, {"p1.csv": PART1}, marker)
    assert res.status == "staged"


@pytest.mark.parametrize("case,says,file", [
    ("missing", "listed in the manifest but not in the delivery folder", "p2.csv"),
    ("unlisted", "not listed in the manifest", "p2.csv"),
    ("wrong hash", "the file is not the one sent", "p1.csv"),
    ("wrong rows", "20 data rows read, the manifest says 25: rows were lost", "p1.csv"),
    ("unreadable", "cannot be read as one", "_SUCCESS"),
    ("not a list", "cannot be read as one", "_SUCCESS"),
])
def test_a_manifest_that_does_not_match_quarantines(tmp_path, case, says, file):
    files = {"p1.csv": PART1, "p2.csv": PART2}
    if case == "missing":
        marker = _manifest(files)
        files = {"p1.csv": PART1}
    elif case == "unlisted":
        marker = _manifest({"p1.csv": PART1})
    elif case == "wrong hash":
        marker = _manifest(files, **{"p1.csv": {"sha256": hashlib.sha256(PART1[:-40]).hexdigest()}})
    elif case == "wrong rows":
        marker = _manifest(files, {"p1.csv": 25, "p2.csv": 10})
    elif case == "unreadable":
        marker = b'{"files": [{"name": "p1.csv", '
    else:
        marker = b'{"files": "p1.csv"}'
    res = _stage(tmp_path, files, marker)
    assert res.status == "quarantined"
    assert res.message.startswith(file) and says in res.message, res.message


def test_manifest_rows_count_every_sheet_of_a_workbook(tmp_path):
    header = ["序号", "姓名", "身份证号码", "残疾类别", "残疾等级"]
    path = write_xlsx(tmp_path / "x.xlsx", [header] + [[i, "王伟", ID, "肢体", "一级"] for i in range(1, 13)])
    content = path.read_bytes()
    ok = _stage(tmp_path / "a", {"残疾.xlsx": content}, _manifest({"残疾.xlsx": content}, {"残疾.xlsx": 12}),
                source="dpf_disabled")
    assert ok.status == "staged"
    bad = _stage(tmp_path / "b", {"残疾.xlsx": content}, _manifest({"残疾.xlsx": content}, {"残疾.xlsx": 13}),
                 source="dpf_disabled")
    assert bad.status == "quarantined" and "the manifest says 13" in bad.message


def test_a_changed_manifest_is_checked_again(tmp_path):
    """The manifest is part of what staging remembers: fixing it re-stages the delivery."""
    files = {"p1.csv": PART1}
    landing = tmp_path / "landing"
    folder = add_delivery(landing, "hrss_unemployed", DAY, files)
    contracts = load_contracts()
    (folder / "_SUCCESS").write_bytes(_manifest(files, {"p1.csv": 99}))
    delivery = discover(landing, AS_OF, contracts).chosen["hrss_unemployed"]
    assert stage_delivery(delivery, contracts["hrss_unemployed"], tmp_path / "st").status == "quarantined"
    (folder / "_SUCCESS").write_bytes(_manifest(files, {"p1.csv": 20}))
    assert stage_delivery(delivery, contracts["hrss_unemployed"], tmp_path / "st").status == "staged"


def test_a_marker_removed_after_discovery_is_not_remembered(tmp_path):
    """A department re-copying a delivery removes _SUCCESS first: staging refuses, and does not keep
    that refusal once the marker is back."""
    landing = tmp_path / "landing"
    folder = add_delivery(landing, "hrss_unemployed", DAY, {"p1.csv": PART1})
    contracts = load_contracts()
    delivery = discover(landing, AS_OF, contracts).chosen["hrss_unemployed"]
    (folder / "_SUCCESS").unlink()
    res = stage_delivery(delivery, contracts["hrss_unemployed"], tmp_path / "st")
    assert res.status == "quarantined" and "marker is gone" in res.message
    (folder / "_SUCCESS").write_bytes(b"")
    assert stage_delivery(delivery, contracts["hrss_unemployed"], tmp_path / "st").status == "staged"
