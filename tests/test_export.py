"""`lowincome export` and `lowincome sql` (issue 15 item 4), run as the real commands on a small
warehouse written here: xlsx, CSV with a UTF-8 byte-order mark (what Chinese Excel needs), Parquet;
identity numbers masked everywhere they could hide unless `--unmasked` with a reason, which is
recorded first; the warehouse opened read-only and left as it was."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from pipelines.normalise.idnumbers import check_char

FIRST17 = "23010219500101001"
ID = FIRST17 + check_char(FIRST17)
MASKED = ID[:6] + "*" * 8 + ID[-4:]
OTHER17 = "23012519880203123"
OTHER = OTHER17 + check_char(OTHER17)


def lowincome(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True,
                          input=stdin, timeout=300)


@pytest.fixture
def wh(tmp_path: Path) -> Path:
    """A warehouse file with the shapes analysts meet: a night column, JSON evidence naming another
    person's number, a number kept as an integer, a list of structs, a would-be formula."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("""
            CREATE TABLE warning_status AS SELECT * FROM (VALUES
              (DATE '2026-11-27', 'VEHICLE_OWNER', '张伟', ?, ?, CAST(? AS BIGINT), [{'who': '李娜', 'id': ?}], '=1+1', 3.5),
              (DATE '2026-11-28', 'VEHICLE_OWNER', '张伟', ?, ?, CAST(? AS BIGINT), [{'who': '李娜', 'id': ?}], '@SUM(A1)', 4.0),
              (DATE '2026-11-28', 'DECEASED', '王芳', NULL, '[]', NULL, [], '正常', NULL)
            ) t(as_of, rule_code, name, id_number, evidence, id_as_number, relatives, note, amount)
        """, [ID, json.dumps([{"fields": {"身份证号": OTHER}}], ensure_ascii=False), int(ID[:17]), OTHER] * 2)
        con.execute("CREATE VIEW warnings AS SELECT * FROM warning_status")
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_csv_has_a_bom_chinese_and_no_identity_number(wh, tmp_path):
    before = _digest(wh)
    out = tmp_path / "out" / "预警.csv"
    result = lowincome("export", "--warehouse", str(wh), "--table", "warnings", "--as-of", "latest", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "2 rows" in result.stdout and "masked" in result.stdout
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                              # Chinese Excel reads it as UTF-8
    text = raw.decode("utf-8-sig")
    assert "张伟" in text and "王芳" in text
    assert ID not in text and OTHER not in text and ID[:17] not in text  # text, JSON, integer, nested
    assert MASKED in text
    frame = pl.read_csv(out, infer_schema=False)
    assert frame["as_of"].to_list() == ["2026-11-28", "2026-11-28"]
    assert set(frame["note"]) == {"'@SUM(A1)", "正常"}                   # never evaluated as a formula
    assert _digest(wh) == before                                        # read-only


def test_xlsx_with_dates_numbers_and_masked_numbers(wh, tmp_path):
    out = tmp_path / "w.xlsx"
    result = lowincome("export", "--warehouse", str(wh), "--table", "warning_status", "--out", str(out))
    assert result.returncode == 0, result.stderr
    ws = openpyxl.load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("as_of", "rule_code", "name", "id_number")
    assert len(rows) == 4
    first = dict(zip(rows[0], rows[1]))
    assert first["as_of"].date() == date(2026, 11, 27) and first["amount"] == 3.5
    assert first["id_number"] == MASKED and first["note"] == "'=1+1"
    assert OTHER not in first["evidence"] and OTHER not in first["relatives"] and "李娜" in first["relatives"]
    assert all(ID not in str(v) and OTHER not in str(v) for row in rows for v in row)


def test_parquet_of_a_query(wh, tmp_path):
    out = tmp_path / "q.parquet"
    result = lowincome("export", "--warehouse", str(wh), "--query",
                       "SELECT rule_code, id_number, count(*) AS n FROM warnings GROUP BY ALL ORDER BY ALL",
                       "--out", str(out))
    assert result.returncode == 0, result.stderr
    frame = pl.read_parquet(out)
    assert frame.height == 2 and MASKED in frame["id_number"].to_list()


def test_unmasked_needs_a_reason_and_is_recorded_before_it_is_written(wh, tmp_path):
    out = tmp_path / "full.csv"
    refused = lowincome("export", "--warehouse", str(wh), "--table", "warnings", "--out", str(out), "--unmasked")
    assert refused.returncode == 2 and "--reason" in refused.stderr and not out.exists()
    done = lowincome("export", "--warehouse", str(wh), "--table", "warnings", "--out", str(out), "--unmasked",
                     "--reason", "县民政局入户核查 2026-11-29 第12号")
    assert done.returncode == 0, done.stderr
    assert ID in out.read_text(encoding="utf-8-sig")
    audit = (tmp_path / "warehouse.out" / "audit" / "unmasked_exports.jsonl")
    record = json.loads(audit.read_text(encoding="utf-8").splitlines()[-1])
    assert record["reason"] == "县民政局入户核查 2026-11-29 第12号" and record["what"] == "warnings"
    assert record["rows"] == 3 and record["file"] == str(out.resolve()) and record["user"]
    assert oct(audit.stat().st_mode & 0o777) == "0o600"


def test_an_unrecordable_unmasked_export_writes_nothing(wh, tmp_path):
    (tmp_path / "warehouse.out").write_text("a file where the folder should be")
    out = tmp_path / "full.csv"
    result = lowincome("export", "--warehouse", str(wh), "--table", "warnings", "--out", str(out), "--unmasked",
                       "--reason", "x")
    assert result.returncode == 1 and "nothing exported" in result.stderr and not out.exists()


@pytest.mark.parametrize("args, status", [
    (["--table", "warnings", "--query", "SELECT 1"], 2),
    ([], 2),
    (["--table", "no_such_table"], 1),
    (["--table", "warnings; DROP TABLE x"], 2),
    (["--table", "warnings", "--as-of", "yesterday"], 2),
    (["--query", "SELECT * FROM nowhere"], 1),
])
def test_wrong_use_is_said_in_one_line(wh, tmp_path, args, status):
    result = lowincome("export", "--warehouse", str(wh), "--out", str(tmp_path / "x.csv"), *args)
    assert result.returncode == status, result.stderr
    assert result.stderr.strip().count("\n") == 0 and not (tmp_path / "x.csv").exists()


def test_sql_shell_is_read_only_and_masks(wh):
    before = _digest(wh)
    result = lowincome("sql", "--warehouse", str(wh), "-c",
                       "SELECT name, id_number FROM warnings WHERE as_of = DATE '2026-11-28' ORDER BY name; "
                       "SELECT ';' AS semicolon")
    assert result.returncode == 0, result.stderr
    assert MASKED in result.stdout and ID not in result.stdout and "张伟" in result.stdout and "2 rows" in result.stdout
    write = lowincome("sql", "--warehouse", str(wh), "-c", "DELETE FROM warning_status")
    assert write.returncode == 1 and "read-only" in write.stdout.lower()
    session = lowincome("sql", "--warehouse", str(wh), "--max-rows", "1",
                        stdin=".tables\nSELECT rule_code\nFROM warnings\nORDER BY 1;\n.quit\n")
    assert session.returncode == 0, session.stderr
    assert "warning_status" in session.stdout and "view" in session.stdout
    assert "DECEASED" in session.stdout and "more exist" in session.stdout
    assert _digest(wh) == before


def test_sql_shell_opens_the_warehouse_while_a_night_is_being_written(wh, tmp_path):
    """A run writes its own work copy and never the published file: an analyst's read-only
    session and a writer of another copy of the catalog do not stand in each other's way."""
    work = tmp_path / "catalog-copy.duckdb"
    work.write_bytes(wh.read_bytes())
    with duckdb.connect(str(work)) as writer:                          # a night's private work copy
        writer.execute("INSERT INTO warning_status SELECT * FROM warning_status")
        result = lowincome("sql", "--warehouse", str(wh), "-c", "SELECT count(*) AS n FROM warning_status")
    assert result.returncode == 0 and "3" in result.stdout
