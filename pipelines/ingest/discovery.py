"""Which delivery of each source a run for logical date D uses.

For D: each known source's newest delivery dated on or before D whose folder holds `_SUCCESS`.
Everything else on the landing zone is reported, not silently skipped: later deliveries,
folders still without the marker, unknown sources, folders that are not dates, stray files.
A source without any usable delivery is reported missing; that is not fatal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipelines.contracts import Contract

MARKER = "_SUCCESS"
DATA_SUFFIXES = {".csv", ".xlsx", ".xlsm", ".xls"}


@dataclass(frozen=True)
class Delivery:
    source: str
    delivery_date: date
    folder: Path
    files: tuple[Path, ...]

    def fingerprint(self) -> str:
        """Names, sizes and modification times: a re-delivered folder gets a new fingerprint."""
        parts = [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in self.files]
        return "|".join(parts)


@dataclass(frozen=True)
class Ignored:
    path: Path
    reason: str


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


def _data_files(folder: Path) -> tuple[list[Path], list[Path]]:
    data, stray = [], []
    for p in sorted(folder.iterdir()):
        if p.name == MARKER or p.name.startswith("."):
            continue
        (data if p.is_file() and p.suffix.lower() in DATA_SUFFIXES else stray).append(p)
    return data, stray


def discover(landing: Path, as_of: date, contracts: dict[str, Contract]) -> Discovery:
    result = Discovery(as_of=as_of)
    if not landing.is_dir():
        raise FileNotFoundError(f"landing zone {landing} does not exist or is not a folder")
    for entry in sorted(landing.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_dir():
            result.ignored.append(Ignored(entry, "stray file at the top of the landing zone"))
        elif entry.name not in contracts:
            result.ignored.append(Ignored(entry, "unknown source (no schemas/<source>.yaml)"))
    for source in contracts:
        folder = landing / source
        candidates: list[Delivery] = []
        if folder.is_dir():
            for sub in sorted(folder.iterdir()):
                d = _parse_date(sub.name) if sub.is_dir() else None
                if d is None:
                    result.ignored.append(Ignored(sub, "not a YYYY-MM-DD delivery folder"))
                    continue
                if d > as_of:
                    result.ignored.append(Ignored(sub, f"dated after the logical date {as_of}"))
                    continue
                if not (sub / MARKER).exists():
                    result.ignored.append(Ignored(sub, "no _SUCCESS marker: not yet complete"))
                    continue
                data, stray = _data_files(sub)
                result.ignored.extend(Ignored(p, "stray file in a delivery folder") for p in stray)
                candidates.append(Delivery(source, d, sub, tuple(data)))
        if not candidates:
            result.missing.append(source)
            continue
        candidates.sort(key=lambda dl: dl.delivery_date)
        result.chosen[source] = candidates[-1]
        result.superseded.extend(candidates[:-1])
    return result
