"""Fault injection: a run killed at every step, or failing on a full disk, leaves the published
night exactly as it was (tables and files) and the next run completes normally with the answers
of an uninterrupted run; one writer at a time; readers never stop a run.

The killed runs are real `lowincome run` processes SIGKILLed at a failpoint (pipelines/faults.py);
the reference is the same two nights run without faults.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.orchestrate import run_for_date
from pipelines.store.layout import copy_warehouse, layout
from pipelines.store.lease import Lease, WarehouseBusy

from airflow_runs import assert_same_tables, snapshot
from rulezone import Person, write_registry, write_source

D1, D2 = date(2026, 11, 27), date(2026, 11, 28)
A, B, C = Person("a", 1), Person("b", 2, category="特困分散"), Person("c", 3, heating="未发放")
KILL_POINTS = ["load.begun", "load.done", "write.links", "link.done", "rules.done", "gate.done",
               "publish.files_written", "publish.before_swap", "publish.after_swap"]


def landing_zone(root: Path) -> Path:
    landing = root / "landing"
    write_registry(landing, D1.isoformat(), [A, B, C])
    write_source(landing, "vehicles", D1.isoformat(), [(A, {})], D1)
    write_source(landing, "vehicles", D2.isoformat(), [(A, {}), (B, {})], D2)
    write_source(landing, "medins_burden", D2.isoformat(), [(B, {"premium_subsidy": "无"})], D2)
    return landing


def lowincome(landing: Path, wh: Path, day: date, fault: str | None = None, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LOWINCOME_FAULT"}
    if fault:
        env["LOWINCOME_FAULT"] = fault
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--landing", str(landing), "--warehouse",
                           str(wh), "--as-of", day.isoformat(), *extra],
                          capture_output=True, text=True, env=env, timeout=600)


def files(wh: Path) -> dict[str, list]:
    """Every file for people beside the warehouse, as the cell values a person reads."""
    out = {}
    root = layout(wh).out / "push"
    for p in sorted(root.rglob("*.xlsx")) if root.exists() else []:
        book = openpyxl.load_workbook(p, read_only=True)
        out[str(p.relative_to(root))] = [list(r) for ws in book.worksheets for r in ws.iter_rows(values_only=True)]
    return out


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """D1 published (the starting point), and the reference: D1 then D2 without faults."""
    root = tmp_path_factory.mktemp("faults")
    landing = landing_zone(root)
    start = root / "start.duckdb"
    run_for_date(landing, start, D1)
    ref = root / "ref.duckdb"
    copy_warehouse(start, ref, outputs=True)
    run_for_date(landing, ref, D2)
    return landing, start, ref


@pytest.mark.slow
@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_run_killed_anywhere_loses_nothing_and_the_next_run_completes(nights, tmp_path, point):
    landing, start, ref = nights
    wh = tmp_path / "wh.duckdb"
    copy_warehouse(start, wh, outputs=True)
    before, before_files = snapshot(wh), files(wh)
    killed = lowincome(landing, wh, D2, f"{point}:kill")
    assert killed.returncode == -9, killed.stderr[-2000:]
    if point != "publish.after_swap":           # the commit point: after it the night is published
        assert snapshot(wh) == before
        assert files(wh) == before_files
    else:
        assert files(wh) == before_files        # its files for people are finished by the next run
    with duckdb.connect(str(wh), read_only=True) as con:     # readable, whatever the moment
        con.execute("SELECT count(*) FROM warnings").fetchall()
    run_for_date(landing, wh, D2)
    assert_same_tables(snapshot(wh), snapshot(ref))
    assert files(wh) == files(ref)
    assert not list(layout(wh).out.glob(".pending-*")) and not layout(wh).work.exists()


@pytest.mark.slow
def test_a_full_disk_fails_the_run_and_changes_nothing(nights, tmp_path):
    landing, start, _ = nights
    wh = tmp_path / "wh.duckdb"
    copy_warehouse(start, wh, outputs=True)
    before, before_files = snapshot(wh), files(wh)
    res = lowincome(landing, wh, D2, "write.signals:enospc")
    assert res.returncode == 1 and "No space left on device" in res.stderr
    assert len([ln for ln in res.stderr.splitlines() if ln.strip()]) <= 3, res.stderr   # said in a line, no traceback
    assert snapshot(wh) == before and files(wh) == before_files


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["publish.workbook:enospc", "publish.workbook:kill"])
def test_a_workbook_failing_in_a_worker_process_publishes_nothing(nights, tmp_path, fault, monkeypatch):
    """Workbooks are written by worker processes (pipelines/publish/workers.py): one of them
    failing, or killed outright, fails the run in one line and the published night stays whole;
    the next run completes."""
    landing, start, ref = nights
    wh = tmp_path / "wh.duckdb"
    copy_warehouse(start, wh, outputs=True)
    before, before_files = snapshot(wh), files(wh)
    monkeypatch.setenv("LOWINCOME_PUBLISH_WORKERS", "2")
    res = lowincome(landing, wh, D2, fault)
    assert res.returncode == 1, res.stderr[-2000:]          # the run said so (not killed itself)
    said = "No space left on device" if fault.endswith("enospc") else "a worker process died"
    assert said in res.stderr and len([ln for ln in res.stderr.splitlines() if ln.strip()]) <= 3, res.stderr
    assert snapshot(wh) == before and files(wh) == before_files
    assert not list(layout(wh).out.glob(".pending-*"))
    run_for_date(landing, wh, D2)
    assert_same_tables(snapshot(wh), snapshot(ref))
    assert files(wh) == files(ref)


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["lease.lock:erofs", "write.links:erofs"])
def test_a_read_only_disk_fails_the_run_cleanly(nights, tmp_path, fault):
    """The warehouse's disk remounted read-only (at the run's first write, or midway): exit 1 with
    one line naming the problem, the published night untouched. (Root ignores permission bits, so
    the disk's refusal is simulated where the kernel would give it: EROFS on the write.)"""
    landing, start, _ = nights
    wh = tmp_path / "wh.duckdb"
    copy_warehouse(start, wh, outputs=True)
    before, before_files = snapshot(wh), files(wh)
    res = lowincome(landing, wh, D2, fault)
    assert res.returncode == 1 and "Read-only file system" in res.stderr, res.stderr
    assert len([ln for ln in res.stderr.splitlines() if ln.strip()]) <= 3, res.stderr
    assert snapshot(wh) == before and files(wh) == before_files


def test_a_second_writer_exits_at_once_naming_the_first(nights, tmp_path):
    landing, start, _ = nights
    wh = tmp_path / "wh.duckdb"
    copy_warehouse(start, wh, outputs=True)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from pipelines.store.layout import layout\n"
        "from pipelines.store.lease import Lease\n"
        f"with Lease(layout({str(wh)!r}), 'nightly-2026-11-28', '2026-11-28'):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(30)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        res = lowincome(landing, wh, D2)
        assert res.returncode == 1 and "nightly-2026-11-28" in res.stderr, res.stderr
        assert time.monotonic() - started < 60
        with pytest.raises(WarehouseBusy, match="nightly-2026-11-28"):
            with Lease(layout(wh), "other", D2.isoformat()):
                pass
    finally:
        holder.kill()
        holder.wait()
    # the holder died without releasing: its lease is taken over, the run completes
    assert lowincome(landing, wh, D2).returncode == 0


def test_a_writer_waits_when_asked(nights, tmp_path):
    landing, start, _ = nights
    wh = tmp_path / "wh.duckdb"
    copy_warehouse(start, wh, outputs=True)
    lay = layout(wh)
    release = threading.Event()

    def hold():
        with Lease(lay, "short-run", D2.isoformat()):
            release.wait(20)
        from pipelines.store.night import abort
        abort(lay)

    t = threading.Thread(target=hold)
    t.start()
    time.sleep(0.5)
    threading.Timer(3.0, release.set).start()
    res = lowincome(landing, wh, D2, None, "--wait", "60")
    t.join()
    assert res.returncode == 0, res.stderr


def test_readers_never_stop_a_run_and_see_the_last_night_whole(nights, tmp_path):
    landing, start, ref = nights
    wh = tmp_path / "wh.duckdb"
    copy_warehouse(start, wh, outputs=True)
    reader = subprocess.Popen([sys.executable, "-c", (   # an analyst's session, left open during the run
        "import duckdb, sys\n"
        f"con = duckdb.connect({str(wh)!r}, read_only=True)\n"
        "q = 'SELECT max(as_of), count(*) FROM warning_status'\n"
        "print(con.execute(q).fetchall(), flush=True)\n"
        "sys.stdin.readline()\n"
        "print(con.execute(q).fetchall(), flush=True)\n")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    seen = reader.stdout.readline().strip()
    assert seen.startswith(f"[(datetime.date({D1.year}, {D1.month}, {D1.day})")
    run_for_date(landing, wh, D2)
    reader.stdin.write("\n")
    reader.stdin.flush()
    assert reader.stdout.readline().strip() == seen       # still the last night it saw, whole
    reader.wait(timeout=60)
    with duckdb.connect(str(wh), read_only=True) as fresh:
        assert fresh.execute("SELECT max(as_of) FROM warning_status").fetchall() == [(D2,)]


def test_a_rerun_of_a_published_night_changes_nothing(nights, tmp_path):
    landing, start, ref = nights
    wh = tmp_path / "wh.duckdb"
    copy_warehouse(ref, wh, outputs=True)
    before, before_files = snapshot(wh), files(wh)
    run_for_date(landing, wh, D2)
    assert_same_tables(snapshot(wh), before)
    assert files(wh) == before_files
