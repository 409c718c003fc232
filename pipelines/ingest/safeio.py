"""Opening a landing-zone file without leaving the landing zone.

Discovery refuses symbolic links, but a file can be swapped for a link between discovery and
reading; so every read of a delivery file opens it with O_NOFOLLOW (a link at the last step
fails) and checks that what was opened is a regular file (a named pipe would block the night,
a device would never end). Non-blocking open, so even a pipe cannot stall the check.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

from pipelines.ingest.errors import DeliveryError

READ_BLOCK = 8 * 1024 * 1024


def open_regular(path: Path) -> BinaryIO:
    """The file opened for binary reading; DeliveryError if it is a link or not a regular file."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise DeliveryError(path, "refused: the file is a symbolic link") from None
        raise DeliveryError(path, f"cannot open the file: {e.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise DeliveryError(path, "refused: not a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: Path) -> bytes:
    with open_regular(path) as f:
        return f.read()


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of the file's bytes, read in 8 MiB blocks (hashlib releases the GIL)."""
    h = hashlib.sha256()
    buf = bytearray(READ_BLOCK)
    view = memoryview(buf)
    with open_regular(path) as f:
        while n := f.readinto(buf):
            h.update(view[:n])
    return h.hexdigest()
