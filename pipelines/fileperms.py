"""Files the pipeline creates are readable by their owner only (or a named group), and the
temporary files a crash leaves behind are removed.

Staged Parquet, the warehouse and the files for people hold three million people's identity
numbers. `secure_umask()` (called at every entry point: the CLI, each Airflow task) makes every
file and folder the process creates 0600 / 0700. With `LOWINCOME_FILE_GROUP=<group>` in the
environment they are 0640 / 0750 instead, and `secure_dir` gives folders that group with the
set-group-ID bit, so everything created below them belongs to the group (Linux semantics):
analysts in that group can read, nobody else can.

Temporary files are written as `.<name>.<pid>@<host>.tmp` beside their target and renamed into
place (`temp_path`); a killed process leaves them behind. `remove_stale_temp_files` deletes
those whose writer is gone: same host and the process id is not alive, or older than an hour
(a writer on another host, or a reused process id).
"""

from __future__ import annotations

import errno
import grp
import logging
import os
import re
import shutil
import socket
import stat
import time
from pathlib import Path

log = logging.getLogger(__name__)

ENV_GROUP = "LOWINCOME_FILE_GROUP"
PRIVATE_UMASK = 0o077
GROUP_UMASK = 0o027
STALE_AFTER_SECONDS = 3600
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)(?:@(?P<host>[^/]*))?\.tmp$")


class FileGroupError(RuntimeError):
    """LOWINCOME_FILE_GROUP names a group that does not exist or that this user cannot use."""


def file_group() -> int | None:
    """The group id named by LOWINCOME_FILE_GROUP (a name or a number), or None when unset."""
    name = os.environ.get(ENV_GROUP, "").strip()
    if not name:
        return None
    try:
        gid = int(name) if name.isdigit() else grp.getgrnam(name).gr_gid
    except KeyError:
        raise FileGroupError(f"{ENV_GROUP}={name!r}: no such group") from None
    if os.geteuid() != 0 and gid != os.getegid() and gid not in os.getgroups():
        raise FileGroupError(f"{ENV_GROUP}={name!r}: this user is not a member of that group")
    return gid


def secure_umask() -> int:
    """Set the process umask (0o077, or 0o027 with LOWINCOME_FILE_GROUP); returns the new umask.

    Call it first thing at every entry point: it only affects files created afterwards."""
    mask = GROUP_UMASK if file_group() is not None else PRIVATE_UMASK
    os.umask(mask)
    return mask


def secure_dir(path: Path) -> Path:
    """Create `path` (and parents) if needed; a folder this process owns gets mode 0700, or 0750
    plus the configured group and the set-group-ID bit (files below inherit the group)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    st = path.stat()
    if st.st_uid != os.geteuid():
        return path  # someone else's folder (a shared parent): leave it alone
    gid = file_group()
    if gid is None:
        mode = 0o700
    else:
        if st.st_gid != gid:
            os.chown(path, -1, gid)
        mode = 0o2750
    if stat.S_IMODE(st.st_mode) != mode:
        os.chmod(path, mode)
    return path


def secure_file(path: Path) -> None:
    """A file this process wrote: 0600, or 0640 with the configured group."""
    gid = file_group()
    if gid is None:
        os.chmod(path, 0o600)
    else:
        os.chown(path, -1, gid)
        os.chmod(path, 0o640)


def temp_path(target: Path) -> Path:
    """The hidden temporary name a write to `target` goes through before its rename."""
    target = Path(target)
    return target.with_name(f".{target.name}.{os.getpid()}@{socket.gethostname()}.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError as e:
        return e.errno != errno.ESRCH
    return True


def is_stale(path: Path, now: float | None = None, max_age: float = STALE_AFTER_SECONDS) -> bool:
    """A temporary file (our naming) whose writer is gone; False for anything else."""
    m = _TEMP.match(path.name)
    if not m:
        return False
    try:
        age = (now if now is not None else time.time()) - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    if age > max_age:
        return True
    host = m.group("host")
    same_host = host is None or host == socket.gethostname()
    return same_host and not _alive(int(m.group("pid")))


def remove_stale_temp_files(root: Path, max_age: float = STALE_AFTER_SECONDS) -> list[Path]:
    """Delete the stale temporary files anywhere below `root`; returns what was removed.

    Never follows symbolic links and never deletes anything not named like our temporary files."""
    removed: list[Path] = []
    root = Path(root)
    if not root.is_dir():
        return removed
    now = time.time()
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in [*files, *dirs]:
            p = Path(folder) / name
            if not _TEMP.match(name) or p.is_symlink() or not is_stale(p, now, max_age):
                continue
            try:
                if p.is_dir():
                    shutil.rmtree(p)
                    dirs.remove(name)
                else:
                    p.unlink()
            except FileNotFoundError:
                continue
            removed.append(p)
    if removed:
        log.warning("removed %d stale temporary file(s) left by an earlier crash under %s", len(removed), root)
    return removed
