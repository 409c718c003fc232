"""No identity number escapes a night, faults included (issue 9; the guide's "Personal data").

Two nights of a generated demo through the real command (`lowincome run -v`, a subprocess, its
console and log output kept), the second fed a department delivery whose header line is missing
(its first record, a registry person's full number, used to be printed in the quarantine message),
and killed once in the middle of publishing, then run again. Every file for people under
`<warehouse>.out/` and every line the command printed is then searched for every identity number
the warehouse holds, in its 18- and 15-character forms: only a department's own push list and its
own county's workbooks (visits must identify the person at the door) may hold one. Every file and
folder the night wrote is readable by its owner only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.store.layout import layout
from synthetic import DemoConfig, generate

from conftest import add_delivery

pytestmark = pytest.mark.slow
CFG = DemoConfig(households=300, seed=909, plant_cases=True, excel_workers=0)
NIGHT1, NIGHT2 = date(2026, 11, 28), date(2026, 12, 2)
LOWINCOME = [sys.executable, "-m", "pipelines.cli"]
# files whose purpose is to name people to those who act on them (outputs.md "Files for people")
ALLOWED_FULL = ("county/", "review/", "identity/")
MASKED_PUSH = ("全省汇总", "县级协调机制")


def _run(landing: Path, wh: Path, day: date, fault: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("LOWINCOME_FAULT", None)
    if fault:
        env["LOWINCOME_FAULT"] = fault
    return subprocess.run([*LOWINCOME, "run", "--landing", str(landing), "--warehouse", str(wh),
                           "--as-of", day.isoformat(), "-v"], capture_output=True, text=True, env=env, timeout=900)


def _text_of(path: Path) -> str:
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        parts = [" ".join(book.sheetnames)]
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                parts.append(" ".join(str(v) for v in row if v is not None))
        book.close()
        return "\n".join(parts)
    return path.read_bytes().decode("utf-8", errors="replace")


def _may_hold_full_numbers(rel: str) -> bool:
    if rel.startswith(ALLOWED_FULL):
        return True
    if rel.startswith("push/") and rel.endswith(".xlsx"):
        return not Path(rel).name.startswith(MASKED_PUSH)
    return False


@pytest.fixture(scope="module")
def night(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("no_number_escapes")
    generate(root, CFG)
    landing, wh = root / "landing", root / "warehouse.duckdb"
    outputs = [_run(landing, wh, NIGHT1)]
    assert outputs[0].returncode == 0, outputs[0].stderr[-3000:]
    with duckdb.connect(str(wh), read_only=True) as con:
        person = con.execute("SELECT id_number, name FROM stg_registry_persons "
                             "WHERE length(id_number) = 18 ORDER BY person_id LIMIT 1").fetchone()
    # a delivery without its header line: the first line is a person's record
    add_delivery(landing, "hrss_unemployed", "2026-12-01",
                 {"失业登记.csv": f"1,{person[1]},{person[0]},2026-10-01,失业\r\n".encode()})
    killed = _run(landing, wh, NIGHT2, fault="publish.before_swap:kill")
    assert killed.returncode != 0
    outputs += [killed, _run(landing, wh, NIGHT2)]
    assert outputs[-1].returncode == 0, outputs[-1].stderr[-3000:]
    with duckdb.connect(str(wh), read_only=True) as con:
        tables = [t for (t,) in con.execute("SELECT view_name FROM duckdb_views() WHERE view_name LIKE 'stg_%'")
                  .fetchall()]
        numbers: set[str] = set()
        for t in tables:
            cols = {c for (c,) in con.execute(f"SELECT column_name FROM (DESCRIBE {t})").fetchall()}
            for col in sorted(cols & {"id_number", "head_id_number", "head_id18", "card_no"}):
                numbers |= {v for (v,) in con.execute(f"SELECT DISTINCT {col} FROM {t} WHERE length({col}) >= 18")
                            .fetchall()}
        hrss_status = con.execute("SELECT status, message FROM run_sources WHERE as_of = ? AND source = "
                                  "'hrss_unemployed'", [NIGHT2]).fetchone()
    return {"root": root, "wh": wh, "out": layout(wh).out, "outputs": outputs, "numbers": numbers,
            "planted": person[0], "hrss": hrss_status}


def _found(text: str, numbers: set[str]) -> set[str]:
    folded = text.replace(" ", "").replace("\u3000", "")
    return {n for n in numbers if n[:18] in folded or (n[:6] + n[8:17]) in folded}


def test_the_hostile_delivery_was_quarantined_and_named_masked(night):
    status, message = night["hrss"]
    assert status == "quarantined"
    assert "not a header row" in message and night["planted"] not in message


def test_no_number_in_what_the_command_printed(night):
    assert len(night["numbers"]) > 1000 and night["planted"] in night["numbers"]
    for proc in night["outputs"]:
        assert not _found(proc.stdout + proc.stderr, night["numbers"])


def test_no_number_in_any_file_for_people_but_the_ones_that_must_name_them(night):
    out: Path = night["out"]
    checked, named = [], []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        if _may_hold_full_numbers(rel):
            named.append(rel)
            continue
        checked.append(rel)
        leaked = _found(_text_of(path), night["numbers"])
        assert not leaked, (rel, len(leaked))
    kinds = {rel.split("/")[0] for rel in checked}
    assert {"push", "report", "charity"} <= kinds, kinds        # summary, report, charity list were checked
    assert any(rel.endswith(".html") and "quality" in rel or "docs" in rel for rel in checked) or \
        any("quality" in rel for rel in checked), checked
    # the search does find numbers where they belong: a department's own list names its people
    own = [rel for rel in named if rel.startswith("push/")]
    assert own and any(_found(_text_of(out / rel), night["numbers"]) for rel in own)


def test_every_file_the_night_wrote_is_its_owners_only(night):
    base = night["wh"].parent
    for path in [night["wh"], *layout(night["wh"]).out.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, (path.relative_to(base), oct(mode))
