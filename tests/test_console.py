"""`lowincome run` for operators (issue 15 item 3), run as the real command with its output going
to files, to a pipe and to a terminal (a pty): a line per step and per delivery with counts and
time in a log, `-v` detail, a `--json` summary for schedulers, tables that never cut a name,
every message once, and fail-fast one-line errors with outputs.md's exit statuses."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.masking import safe_message
from synthetic import DemoConfig, generate

from conftest import add_delivery, csv_bytes

pytestmark = pytest.mark.slow
CFG = DemoConfig(households=300, seed=777, plant_cases=True, excel_workers=0)
NIGHT = "2026-12-02"
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (?P<step>\S+)\s+(?P<text>.*?)(?: \((?P<s>\d+\.\d) s\))?$")
STEPS = ["discover", "stage", "load", "link", "rules", "validate_outputs", "publish"]


def lowincome(*args: str, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env: dict | None = None,
              timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], stdout=stdout, stderr=stderr, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("console")
    generate(root, CFG)
    landing = root / "landing"
    # a delivery without its required columns: quarantined, and the rule that needs it skipped
    add_delivery(landing, "market_entities", "2026-12-01", {"市场主体.csv": "序号,备注\r\n1,x\r\n".encode()})
    wh = root / "warehouse.duckdb"
    out, err = root / "run.out", root / "run.err"
    with out.open("w") as o, err.open("w") as e:
        result = lowincome("run", "--landing", str(landing), "--warehouse", str(wh), "--as-of", NIGHT, "-v",
                           stdout=o, stderr=e)
    assert result.returncode == 0, err.read_text()
    with duckdb.connect(str(wh), read_only=True) as con:
        message = con.execute("SELECT message FROM run_sources WHERE as_of = ? AND source = 'market_entities'",
                              [NIGHT]).fetchall()[0][0]
        read = dict(con.execute("SELECT l.source, l.rows_read FROM run_sources r JOIN delivery_log l "
                                "USING (source, delivery_date) WHERE r.as_of = ?", [NIGHT]).fetchall())
        states = dict(con.execute("SELECT source, status FROM run_sources WHERE as_of = ?", [NIGHT]).fetchall())
    return {"root": root, "landing": landing, "wh": wh, "out": out.read_text(), "err": err.read_text(),
            "message": safe_message(message), "read": read, "states": states}


def _lines(text: str) -> list[re.Match]:
    return [m for m in map(LINE.match, text.splitlines()) if m]


def test_a_log_gets_a_line_per_step_and_per_delivery_with_counts_and_time(demo):
    lines = _lines(demo["out"])
    steps = [m["step"] for m in lines if m["s"] is not None and not m["text"].startswith(tuple(demo["read"]) + ("  ",))]
    assert [s for s in steps if s in STEPS] == STEPS                   # every step, in order, timed
    staged = {m["text"].split(" ")[0]: m for m in lines if m["step"] == "stage" and ":" in m["text"].split(" ")[1:2][0]}
    loaded = {s for s, st in demo["states"].items() if st != "missing"}
    assert set(staged) == loaded                                       # one line per delivery
    for source, m in staged.items():
        assert m["s"] is not None
        if demo["states"][source] == "loaded":
            assert re.search(rf"{demo['read'][source]:,} read, [\d,]+ loaded, [\d,]+ rejected, [\d,]+ value issues",
                             m["text"]), m["text"]
        else:
            assert "QUARANTINED" in m["text"]
    assert "\x1b[" not in demo["out"]                                  # no colour codes in a log


def test_tables_in_a_log_never_cut_or_wrap_a_name(demo):
    out = demo["out"]
    assert "…" not in out and "..." not in out.split("ignored on the landing zone")[0]
    rows = [line for line in out.splitlines() if line.startswith("│")]
    assert rows and all(line.rstrip().endswith("│") for line in rows)  # no row wrapped onto a next line
    names = {line.split("│")[1].strip() for line in rows}
    for source in demo["states"]:
        assert source in names, source                                  # every source name whole
    assert "health_serious_illness" in names and "registry_households" in names


def test_every_message_once(demo):
    both = demo["out"] + demo["err"]
    assert both.count(demo["message"]) == 1, demo["message"]
    assert re.search(r"skipped \(market_entities quarantined\): .*BUSINESS_OWNER", demo["out"])
    assert "rule BUSINESS_OWNER skipped" not in demo["err"]            # the log does not say it again


def test_verbose_adds_per_model_timings_staging_parts_and_skip_reasons(demo):
    out, err = demo["out"], demo["err"]
    slowest = [line for line in out.splitlines() if "slowest:" in line]
    assert len(slowest) == 2                                           # link and rules models
    assert re.search(r"registry_persons: read \d+\.\d s, normalise", out)
    assert re.search(r"model \S+ skipped: market_entities quarantined", err)
    assert re.search(r"report: .*report/2026-12-02\.html \(built in \d+\.\d s\)", out)


@pytest.fixture(scope="module")
def json_run(demo) -> subprocess.CompletedProcess:
    """The same night again, for a scheduler: --json, stdout a pipe."""
    return lowincome("run", "--landing", str(demo["landing"]), "--warehouse", str(demo["wh"]), "--as-of", NIGHT,
                     "--json")


def test_json_summary_for_schedulers(demo, json_run):
    assert json_run.returncode == 0, json_run.stderr
    assert len(json_run.stdout.strip().splitlines()) == 1               # one object, nothing else on stdout
    doc = json.loads(json_run.stdout)
    assert doc["status"] == "published" and doc["exit_status"] == 0 and doc["error"] is None
    assert doc["as_of"] == NIGHT
    assert doc["sources"]["market_entities"]["state"] == "quarantined"
    assert doc["sources"]["market_entities"]["message"] == demo["message"]
    assert doc["sources"]["registry_persons"]["rows_read"] == demo["read"]["registry_persons"]
    assert doc["rules"]["skipped"]["BUSINESS_OWNER"] == "market_entities quarantined"
    assert Path(doc["files"]["report"]).is_file() and doc["file_seconds"]["report"] > 0
    with duckdb.connect(str(demo["wh"]), read_only=True) as con:
        new = con.execute("SELECT count(*) FROM warning_status WHERE as_of = ? AND status = 'new'", [NIGHT]).fetchall()
    assert sum(c["new"] for c in doc["warnings"]["by_category"].values()) == new[0][0]
    assert set(doc["timings"]) >= set(STEPS)
    progress = [m["step"] for m in _lines(json_run.stderr)]            # progress went to stderr
    assert "publish" in progress and "slowest:" not in json_run.stderr  # and without -v detail
    assert json_run.stderr.count(demo["message"]) == 1


def test_a_terminal_gets_the_bar_and_the_summary_says_the_quarantine_once(demo):
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", "--landing", str(demo["landing"]),
                             "--warehouse", str(demo["wh"]), "--as-of", NIGHT],
                            stdout=slave, stderr=slave, stdin=slave, close_fds=True,
                            env={**os.environ, "COLUMNS": "220", "LINES": "50", "TERM": "xterm-256color"})
    os.close(slave)
    chunks = []
    deadline = time.time() + 900
    while time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=60)
    os.close(master)
    text = b"".join(chunks).decode("utf-8", "replace")
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    assert proc.returncode == 0, plain[-3000:]
    assert "Run for 2026-12-02" in plain and "Links by method" in plain
    assert not _lines(plain)                                           # no log lines on a terminal
    assert plain.count(demo["message"]) == 1                           # said once, in the summary


def _no_registry_landing(root: Path) -> Path:
    """A landing zone with a large department delivery and no registry at all."""
    landing = root / "landing"
    rows = [["序号", "所有人姓名", "所有人证件号码", "车辆类型", "初次登记日期", "车辆状态"]]
    rows += [[str(i), f"王{i}", f"23010219600101{i % 1000:03d}X", "小型轿车", "2021-02-03", "正常"]
             for i in range(1, 200_001)]
    add_delivery(landing, "vehicles", "2026-11-20", {"机动车.csv": csv_bytes(rows)})
    return landing


def test_no_registry_fails_at_once_in_one_line_before_staging(tmp_path):
    landing = _no_registry_landing(tmp_path)
    wh = tmp_path / "w.duckdb"
    started = time.perf_counter()
    result = lowincome("run", "--landing", str(landing), "--warehouse", str(wh), "--as-of", "2026-11-28")
    seconds = time.perf_counter() - started
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "registry_households" in lines[0] and "2026-11-28" in lines[0], result.stderr
    assert not (tmp_path / "w.staging").exists() and not wh.exists()   # nothing staged, nothing written
    print(f"\nno registry: exit 1 after {seconds:.1f} s (the 200,000-row delivery was never read)")
    assert seconds < 30
    as_json = lowincome("run", "--landing", str(landing), "--warehouse", str(wh), "--as-of", "2026-11-28", "--json")
    doc = json.loads(as_json.stdout)
    assert as_json.returncode == 1 and doc["exit_status"] == 1 and doc["status"] == "failed"
    assert doc["error_kind"] == "NothingTrustworthy" and "registry_households" in doc["error"]


def test_usage_errors_exit_2(tmp_path):
    bad_date = lowincome("run", "--landing", str(tmp_path), "--warehouse", str(tmp_path / "w.duckdb"),
                         "--as-of", "2026-13-01")
    assert bad_date.returncode == 2 and "2026-13-01" in bad_date.stderr
    as_json = lowincome("run", "--landing", str(tmp_path / "nowhere"), "--warehouse", str(tmp_path / "w.duckdb"),
                        "--as-of", "2026-11-28", "--json")
    assert as_json.returncode == 2
    doc = json.loads(as_json.stdout)
    assert doc["status"] == "usage_error" and doc["exit_status"] == 2 and "nowhere" in doc["error"]
    date_json = lowincome("run", "--landing", str(tmp_path), "--warehouse", str(tmp_path / "w.duckdb"),
                          "--as-of", "28.11.2026", "--json")
    assert date_json.returncode == 2 and json.loads(date_json.stdout)["status"] == "usage_error"
