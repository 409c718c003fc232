"""Content decides whether a delivery was seen before; files are owner-only; a crash's temporary
files are removed once their writer is gone."""

from __future__ import annotations

import grp
import os
import socket
import stat
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines import fileperms
from pipelines.contracts import load_contracts
from pipelines.ingest.discovery import discover
from pipelines.staging import stage_delivery

from conftest import add_delivery, csv_bytes

AS_OF = date(2026, 11, 28)
ID = "230102195001010010"
HEADER = ["序号", "姓名", "公民身份号码", "性别", "失业登记日期", "就业援助", "经办机构"]


def rows(agency: str) -> list[list[str]]:
    return [HEADER] + [[str(i), "王伟", ID, "男", "2024/3/1", "否", agency] for i in range(1, 21)]


# ---------------------------------------------------------------- content, not metadata
def test_a_rewrite_with_the_same_name_size_and_mtime_is_staged_again(landing, tmp_path):
    path = add_delivery(landing, "hrss_unemployed", "2026-11-20", {"a.csv": csv_bytes(rows("甲局"))}) / "a.csv"
    contracts = load_contracts()
    first = discover(landing, AS_OF, contracts).chosen["hrss_unemployed"]
    before = stage_delivery(first, contracts["hrss_unemployed"], tmp_path / "st")
    fingerprint_before = first.fingerprint()
    stat_before = path.stat()
    path.write_bytes(csv_bytes(rows("乙局")))                       # same length in bytes
    os.utime(path, ns=(stat_before.st_atime_ns, stat_before.st_mtime_ns))
    assert path.stat().st_size == stat_before.st_size and path.stat().st_mtime_ns == stat_before.st_mtime_ns
    second = discover(landing, AS_OF, contracts).chosen["hrss_unemployed"]
    assert second.fingerprint() != fingerprint_before
    after = stage_delivery(second, contracts["hrss_unemployed"], tmp_path / "st")   # reuse allowed
    assert after.fingerprint != before.fingerprint
    assert pl.read_parquet(after.data_path)["agency"].unique().to_list() == ["乙局"]


def test_the_fingerprint_hashes_bytes_and_names(landing):
    folder = add_delivery(landing, "hrss_unemployed", "2026-11-20", {"a.csv": b"x,y\n1,2\n"})
    contracts = load_contracts()
    d = discover(landing, AS_OF, contracts).chosen["hrss_unemployed"]
    fp = d.fingerprint()
    assert fp == d.fingerprint() == d.fingerprint(d.file_digests())
    (folder / "a.csv").write_bytes(b"x,y\n1,3\n")
    assert d.fingerprint() != fp
    (folder / "a.csv").rename(folder / "b.csv")
    renamed = discover(landing, AS_OF, contracts).chosen["hrss_unemployed"]
    (folder / "b.csv").write_bytes(b"x,y\n1,2\n")
    assert renamed.fingerprint() != fp                                  # same bytes, another name


def test_an_unreadable_file_does_not_break_the_fingerprint(landing):
    folder = add_delivery(landing, "hrss_unemployed", "2026-11-20", {"a.csv": b"x\n"})
    d = discover(landing, AS_OF, load_contracts()).chosen["hrss_unemployed"]
    (folder / "a.csv").unlink()
    assert len(d.fingerprint()) == 64                                   # orchestrate's memo calls it bare


# ---------------------------------------------------------------- permissions
def _in_subprocess(code: str, env: dict | None = None) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                         cwd=Path(__file__).parents[1], env={**os.environ, **(env or {})}, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_secure_umask_makes_new_files_owner_only(tmp_path):
    out = _in_subprocess(f"""
        import os
        from pathlib import Path
        from pipelines.fileperms import secure_umask, secure_dir
        print(oct(secure_umask()))
        Path({str(tmp_path)!r}, "f").write_text("x")
        os.mkdir(Path({str(tmp_path)!r}, "d"))
        secure_dir(Path({str(tmp_path)!r}, "s", "t"))
    """, env={"LOWINCOME_FILE_GROUP": ""})
    assert out == "0o77"
    assert stat.S_IMODE((tmp_path / "f").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "d").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "s" / "t").stat().st_mode) == 0o700


def test_a_configured_group_gets_read_access(tmp_path):
    group = grp.getgrgid(os.getegid()).gr_name       # a group this user is in
    out = _in_subprocess(f"""
        from pathlib import Path
        from pipelines.fileperms import secure_umask, secure_dir
        print(oct(secure_umask()))
        d = secure_dir(Path({str(tmp_path)!r}, "shared"))
        (d / "f").write_text("x")
    """, env={"LOWINCOME_FILE_GROUP": group})
    assert out == "0o27"
    d = tmp_path / "shared"
    assert stat.S_IMODE(d.stat().st_mode) == 0o2750 and d.stat().st_gid == os.getegid()
    assert stat.S_IMODE((d / "f").stat().st_mode) == 0o640 and (d / "f").stat().st_gid == os.getegid()


def test_an_unknown_group_is_an_error_not_a_silent_default(monkeypatch):
    monkeypatch.setenv("LOWINCOME_FILE_GROUP", "no-such-group-lowincome")
    with pytest.raises(fileperms.FileGroupError, match="no such group"):
        fileperms.secure_umask()


def test_staged_files_are_owner_only_whatever_the_umask(landing, tmp_path, monkeypatch):
    monkeypatch.delenv("LOWINCOME_FILE_GROUP", raising=False)
    add_delivery(landing, "hrss_unemployed", "2026-11-20", {"a.csv": csv_bytes(rows("甲局"))})
    contracts = load_contracts()
    old = os.umask(0o022)
    try:
        res = stage_delivery(discover(landing, AS_OF, contracts).chosen["hrss_unemployed"],
                             contracts["hrss_unemployed"], tmp_path / "st")
    finally:
        os.umask(old)
    folder = Path(res.folder)
    for p in folder.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    for d in (folder, folder.parent, tmp_path / "st"):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d


# ---------------------------------------------------------------- temporary files
def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_only_stale_temporary_files_are_removed(tmp_path):
    root = tmp_path / "st" / "hrss_unemployed" / "2026-11-20"
    root.mkdir(parents=True)
    host = socket.gethostname()
    dead, alive = _dead_pid(), os.getpid()
    files = {
        f".data.parquet.{dead}.tmp": True,                 # old naming, writer gone
        f".data.parquet.{dead}@{host}.tmp": True,          # writer gone
        f".rejects.parquet.{alive}@{host}.tmp": False,     # writer alive (this process)
        f".issues.parquet.{alive}@other-host.tmp": False,  # another host, recent: not ours to judge
        f".meta.json.{alive}@other-host.old.tmp": True,    # another host, but older than an hour
        ".notes.txt": False,                               # not our naming
        "data.parquet": False,
    }
    for name in files:
        (root / name).write_bytes(b"230102195001010010")
    hour_ago = time.time() - 2 * 3600
    os.utime(root / f".meta.json.{alive}@other-host.old.tmp", (hour_ago, hour_ago))
    removed = {p.name for p in fileperms.remove_stale_temp_files(tmp_path / "st")}
    assert removed == {n for n, stale in files.items() if stale}
    assert {p.name for p in root.iterdir()} == {n for n, stale in files.items() if not stale}


def test_staging_removes_a_crashed_runs_temporary_files_first(landing, tmp_path):
    add_delivery(landing, "hrss_unemployed", "2026-11-20", {"a.csv": csv_bytes(rows("甲局"))})
    contracts = load_contracts()
    leftover = tmp_path / "st" / "vehicles" / "2026-11-01" / f".data.parquet.{_dead_pid()}.tmp"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"full identity numbers " + ID.encode())
    res = stage_delivery(discover(landing, AS_OF, contracts).chosen["hrss_unemployed"],
                         contracts["hrss_unemployed"], tmp_path / "st")
    assert res.status == "staged" and not leftover.exists()
    assert not [p for p in (tmp_path / "st").rglob(".*.tmp")]


@pytest.mark.parametrize("point", ["stage.after_read", "stage.between_writes"])
def test_a_staging_killed_midway_is_redone_whole(landing, tmp_path, point):
    """SIGKILL inside staging (no cleanup runs): the next staging of the delivery equals an
    uninterrupted one; nothing half-written is reused."""
    add_delivery(landing, "hrss_unemployed", "2026-11-20", {"a.csv": csv_bytes(rows("甲局"))})
    code = f"""
        from datetime import date
        from pathlib import Path
        from pipelines.contracts import load_contracts
        from pipelines.ingest.discovery import discover
        from pipelines.staging import stage_delivery
        c = load_contracts()
        d = discover(Path({str(landing)!r}), date(2026, 11, 28), c).chosen["hrss_unemployed"]
        stage_delivery(d, c["hrss_unemployed"], Path({str(tmp_path / "st")!r}))
    """
    killed = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=Path(__file__).parents[1],
                            env={**os.environ, "LOWINCOME_FAULT": f"{point}:kill"}, capture_output=True, timeout=300)
    assert killed.returncode == -9, killed.stderr
    contracts = load_contracts()
    delivery = discover(landing, AS_OF, contracts).chosen["hrss_unemployed"]
    redone = stage_delivery(delivery, contracts["hrss_unemployed"], tmp_path / "st")
    clean = stage_delivery(delivery, contracts["hrss_unemployed"], tmp_path / "clean")
    assert redone.status == clean.status == "staged" and redone.fingerprint == clean.fingerprint
    for name in ("data.parquet", "rejects.parquet", "issues.parquet"):
        assert pl.read_parquet(Path(redone.folder) / name).equals(pl.read_parquet(Path(clean.folder) / name))


def test_temporary_names_carry_the_writer(tmp_path):
    path = fileperms.temp_path(tmp_path / "data.parquet")
    assert path.name == f".data.parquet.{os.getpid()}@{socket.gethostname()}.tmp"
    path.write_bytes(b"x")
    assert not fileperms.is_stale(path)              # this process is alive

