"""The delivery manifest: what a department says it sent, checked against what arrived.

A delivery is complete when its folder holds `_SUCCESS`. An empty marker (or one holding
anything that does not start with `{`, such as a timestamp) only says "complete". A marker
whose content starts with `{` is a manifest, JSON:

    {"files": [{"name": "登记失业人员.csv", "rows": 120345,
                "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}]}

`name` is required; `rows` (data rows, the header not counted; for a workbook, the rows of
every sheet read) and `sha256` (of the file's bytes, as `sha256sum` prints it) are each
optional. The files listed are the delivery: a listed file that is missing, a data file that
is not listed, a wrong hash or a wrong row count quarantine the delivery (`DeliveryError`
naming the file). A marker that starts with `{` but is not such a manifest quarantines it too:
the department meant to say something and it cannot be read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.ingest.errors import DeliveryError
from pipelines.ingest.safeio import read_bytes

MARKER = "_SUCCESS"
MAX_MANIFEST_BYTES = 1 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Entry:
    name: str
    rows: int | None = None
    sha256: str | None = None


def read_marker(folder: Path) -> bytes:
    """The bytes of `folder/_SUCCESS` (never through a link); DeliveryError if it is gone."""
    path = Path(folder) / MARKER
    if not path.is_symlink() and not path.exists():
        raise DeliveryError(path, "the _SUCCESS marker is gone since discovery: the delivery is being replaced "
                                  "or re-copied, so it is not complete")
    return read_bytes(path)


def read_manifest(folder: Path, content: bytes | None = None) -> dict[str, Entry] | None:
    """The manifest in `folder/_SUCCESS` (or in `content`, its bytes already read) as
    {file name: Entry}; None for a plain marker."""
    path = Path(folder) / MARKER
    content = read_marker(folder) if content is None else content
    if len(content) > MAX_MANIFEST_BYTES:
        raise DeliveryError(path, f"the manifest is larger than {MAX_MANIFEST_BYTES:,} bytes")
    text = content.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text.startswith("{"):
        return None
    try:
        doc = json.loads(text)
        files = doc["files"]
        if not isinstance(files, list) or not files:
            raise ValueError("'files' must be a non-empty list")
        entries: dict[str, Entry] = {}
        for item in files:
            name = item["name"]
            rows = item.get("rows")
            digest = item.get("sha256")
            if not isinstance(name, str) or not name or "/" in name or "\\" in name:
                raise ValueError(f"file name {name!r} must be a plain file name")
            if rows is not None and (isinstance(rows, bool) or not isinstance(rows, int) or rows < 0):
                raise ValueError(f"{name}: rows must be a whole number ≥ 0")
            if digest is not None:
                digest = str(digest).strip().lower()
                if not _SHA256.match(digest):
                    raise ValueError(f"{name}: sha256 must be 64 hexadecimal characters")
            if name in entries:
                raise ValueError(f"{name} is listed twice")
            entries[name] = Entry(name, rows, digest)
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        reason = e.msg if isinstance(e, json.JSONDecodeError) else str(e)
        raise DeliveryError(path, f"_SUCCESS starts like a manifest but cannot be read as one ({reason}); "
                                  "see README, ingest: an empty _SUCCESS or the JSON manifest") from None
    return entries


def check_files(folder: Path, manifest: dict[str, Entry], files: list[Path], digests: dict[str, str]) -> None:
    """Every listed file present and every data file listed, with the listed bytes."""
    names = [p.name for p in files]
    missing = [n for n in manifest if n not in names]
    if missing:
        raise DeliveryError(Path(folder) / missing[0], f"listed in the manifest but not in the delivery folder "
                                                       f"({len(missing)} listed file(s) missing)")
    extra = [n for n in names if n not in manifest]
    if extra:
        raise DeliveryError(Path(folder) / extra[0], "in the delivery folder but not listed in the manifest")
    for name, entry in manifest.items():
        if entry.sha256 and digests.get(name) != entry.sha256:
            got = (digests.get(name) or "")[:12]
            raise DeliveryError(Path(folder) / name, f"its SHA-256 begins {got}…, the manifest's {entry.sha256[:12]}…: "
                                                     "the file is not the one sent (a broken or partial copy?)")


def check_rows(path: Path, entry: Entry | None, rows: int) -> None:
    """The rows read from one file against the manifest's count."""
    if entry is not None and entry.rows is not None and entry.rows != rows:
        raise DeliveryError(path, f"{rows:,} data rows read, the manifest says {entry.rows:,}"
                                  + (": rows were lost" if rows < entry.rows else ""))
