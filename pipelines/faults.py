"""Failpoints: named places where the fault-injection tests make a run die or fail on purpose.

`checkpoint(name)` does nothing unless the environment variable LOWINCOME_FAULT names that
point: `LOWINCOME_FAULT=publish.before_swap:kill` kills the process there (SIGKILL: no cleanup,
as a power cut or the OOM killer would), `...:enospc` raises "No space left on device" as a
full disk would, `...:erofs` "Read-only file system" as a disk remounted read-only would. Production runs never set it; the points cost one dictionary lookup.
"""

from __future__ import annotations

import errno
import os
import signal

ENV = "LOWINCOME_FAULT"


def checkpoint(name: str) -> None:
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, action = wanted.partition(":")
    if point != name:
        return
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if action in ("enospc", "erofs"):
        code = errno.ENOSPC if action == "enospc" else errno.EROFS
        raise OSError(code, os.strerror(code) + f" (failpoint {name})")
    raise RuntimeError(f"failpoint {name}")
