"""Which delivery of each source a run for logical date D uses.

For D: each known source's newest delivery dated on or before D whose folder holds `_SUCCESS`.
Everything else on the landing zone is reported, not silently skipped: later deliveries,
folders still without the marker, unknown sources, folders that are not dates, stray files.
A source without any usable delivery is reported missing; that is not fatal.

The landing zone is a boundary. The folder given as the landing zone may itself be a link (an
operator's choice), but nothing below it is followed: a source folder, delivery folder, data
file or `_SUCCESS` marker that is a symbolic link is refused, wherever it points (a link that
stays inside could still make one source read another's files), and so is anything that is
neither a regular file nor a folder (a named pipe would block the night). Refusals are listed
in `Discovery.ignored` with a reason starting "refused:", so they reach `run_ignored`.
Hard-linked files are read: a hard link can only be made to a file its maker may already read,
so it exposes nothing, and its content is what the run checks.

Whether a delivery was seen before is decided by its content: `Delivery.fingerprint()` hashes
the bytes of its files (SHA-256), so a corrected re-delivery with the same names, sizes and
modification times is read again.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipelines.contracts import Contract
from pipelines.ingest.errors import DeliveryError
from pipelines.ingest.safeio import sha256_file
from pipelines.masking import mask_text

MARKER = "_SUCCESS"
DATA_SUFFIXES = {".csv", ".xlsx", ".xlsm", ".xls"}
REFUSED_LINK = "refused: symbolic link (nothing below the landing zone is followed)"
REFUSED_SPECIAL = "refused: neither a regular file nor a folder"


@dataclass(frozen=True)
class Delivery:
    source: str
    delivery_date: date
    folder: Path
    files: tuple[Path, ...]

    def file_digests(self) -> dict[str, str]:
        """{file name: SHA-256 of its bytes}, in the delivery's file order."""
        return {p.name: sha256_file(p) for p in self.files}

    def fingerprint(self, digests: dict[str, str] | None = None) -> str:
        """A hash of the files' names and bytes: new content, new fingerprint (the names, sizes and
        modification times alone are not trusted). `digests` reuses `file_digests()` already taken.
        Never raises: a file that cannot be read counts as "unreadable: <why>" (staging, which takes
        `file_digests()`, quarantines such a delivery)."""
        if digests is None:
            digests = {}
            for p in self.files:
                try:
                    digests[p.name] = sha256_file(p)
                except DeliveryError as e:
                    digests[p.name] = f"unreadable: {e.problem}"
        h = hashlib.sha256()
        for name, digest in digests.items():
            h.update(f"{name}\0{digest}\n".encode())
        return h.hexdigest()


@dataclass(frozen=True)
class Ignored:
    """Something on the landing zone a run does not use. Its path is masked (`mask_text`): a stray
    file named by a person's identity number must not carry it into run_ignored or the console."""
    path: Path
    reason: str

    def __post_init__(self):
        masked = mask_text(str(self.path))
        if masked != str(self.path):
            object.__setattr__(self, "path", Path(masked))


@dataclass
class Discovery:
    as_of: date
    chosen: dict[str, Delivery] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    superseded: list[Delivery] = field(default_factory=list)


def _parse_date(name: str) -> date | None:
    try:
        return date.fromisoformat(name) if len(name) == 10 else None
    except ValueError:
        return None


def _kind(p: Path) -> str:
    """link / dir / file / special / gone, without following a link."""
    try:
        mode = os.lstat(p).st_mode
    except FileNotFoundError:
        return "gone"
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    return "special"


def _refusal(kind: str) -> str | None:
    return REFUSED_LINK if kind == "link" else REFUSED_SPECIAL if kind == "special" else None


def _data_files(folder: Path) -> tuple[list[Path], list[Ignored]]:
    data, ignored = [], []
    for p in sorted(folder.iterdir()):
        if p.name == MARKER or p.name.startswith("."):
            continue
        kind = _kind(p)
        refusal = _refusal(kind)
        if refusal:
            ignored.append(Ignored(p, refusal))
        elif kind == "file" and p.suffix.lower() in DATA_SUFFIXES:
            data.append(p)
        elif kind != "gone":
            ignored.append(Ignored(p, "stray file in a delivery folder"))
    return data, ignored


def discover(landing: Path, as_of: date, contracts: dict[str, Contract]) -> Discovery:
    result = Discovery(as_of=as_of)
    if not landing.is_dir():
        raise FileNotFoundError(f"landing zone {landing} does not exist or is not a folder")
    refused_sources: set[str] = set()
    for entry in sorted(landing.iterdir()):
        if entry.name.startswith("."):
            continue
        kind = _kind(entry)
        refusal = _refusal(kind)
        if refusal:
            result.ignored.append(Ignored(entry, refusal))
            refused_sources.add(entry.name)
        elif kind != "dir":
            result.ignored.append(Ignored(entry, "stray file at the top of the landing zone"))
        elif entry.name not in contracts:
            result.ignored.append(Ignored(entry, "unknown source (no schemas/<source>.yaml)"))
    for source in contracts:
        folder = landing / source
        candidates: list[Delivery] = []
        if source not in refused_sources and _kind(folder) == "dir":
            for sub in sorted(folder.iterdir()):
                kind = _kind(sub)
                refusal = _refusal(kind)
                if refusal:
                    result.ignored.append(Ignored(sub, refusal))
                    continue
                d = _parse_date(sub.name) if kind == "dir" else None
                if d is None:
                    result.ignored.append(Ignored(sub, "not a YYYY-MM-DD delivery folder"))
                    continue
                if d > as_of:
                    result.ignored.append(Ignored(sub, f"dated after the logical date {as_of}"))
                    continue
                marker = _kind(sub / MARKER)
                if marker in ("link", "special"):
                    result.ignored.append(Ignored(sub / MARKER, _refusal(marker) + "; the delivery counts as incomplete"))
                    continue
                if marker != "file":
                    result.ignored.append(Ignored(sub, "no _SUCCESS marker: not yet complete"))
                    continue
                data, ignored = _data_files(sub)
                result.ignored.extend(ignored)
                candidates.append(Delivery(source, d, sub, tuple(data)))
        if not candidates:
            result.missing.append(source)
            continue
        candidates.sort(key=lambda dl: dl.delivery_date)
        result.chosen[source] = candidates[-1]
        result.superseded.extend(candidates[:-1])
    return result
