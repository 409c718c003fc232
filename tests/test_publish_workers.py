"""Workbooks written side by side (pipelines/publish/workers.py): results in the order asked,
written by other processes inside a file_pool, owner-only files, in this process outside one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pipelines.publish.workers import FilePool, each, file_pool


def write_marker(path: Path, text: str) -> tuple[str, int]:
    path.write_text(text)
    return text, os.getpid()


def fail_on(text: str) -> str:
    if text == "bad":
        raise OSError("disk full")
    return text


def test_workbooks_are_written_by_worker_processes_in_the_order_asked(tmp_path):
    old = os.umask(0)   # the workers set the run's umask themselves
    try:
        calls = [(tmp_path / f"{i}.txt", f"book {i}") for i in range(6)]
        with file_pool(2):
            got = each(write_marker, calls, sizes=[1, 50, 2, 40, 3, 30])
    finally:
        os.umask(old)
    assert [t for t, _ in got] == [f"book {i}" for i in range(6)]
    pids = {pid for _, pid in got}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    for path, text in calls:
        assert path.read_text() == text
        assert stat.S_IMODE(path.stat().st_mode) == 0o600   # workers set the run's umask


def test_outside_a_pool_or_with_one_worker_they_are_written_here(tmp_path):
    calls = [(tmp_path / f"{i}.txt", str(i)) for i in range(3)]
    assert {pid for _, pid in each(write_marker, calls)} == {os.getpid()}
    with file_pool(1):
        assert {pid for _, pid in each(write_marker, calls)} == {os.getpid()}


def test_a_failing_workbook_fails_the_call_and_the_pool_closes():
    pool = FilePool(2)
    try:
        with pytest.raises(OSError, match="disk full"):
            pool.each(fail_on, [("a",), ("bad",), ("c",)])
    finally:
        pool.close()
    assert pool.each(fail_on, [("a",), ("c",)]) == ["a", "c"]   # closed: written here
