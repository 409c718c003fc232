"""Publish a folder of files all at once: write into a hidden temporary folder beside the
target, and only after the database commit rename it into place.

A failed run leaves the previous night's folder untouched (the temporary one is removed); a
reader never sees a folder with half of the workbooks. Between the two renames of `swap_in`
the target is briefly absent, never partial.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def _hidden(target: Path, kind: str) -> Path:
    return target.with_name(f".{target.name}.{kind}-{os.getpid()}")


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """A fresh temporary folder for `target`'s files; removed if the block fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.tmp-*"):  # left by a crashed run
        shutil.rmtree(stale, ignore_errors=True)
    tmp = _hidden(target, "tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def swap_in(tmp: Path, target: Path) -> None:
    """Replace `target` by `tmp` (two renames on one file system), then drop the old files."""
    old = _hidden(target, "old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)
