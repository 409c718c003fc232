"""Stage one delivery: read every file, normalise, check, and write Parquet beside the warehouse.

Staging touches no database, so the Airflow DAG can run one task per source in parallel while a
single writer loads the results into DuckDB (one writer per file). A delivery that cannot be
trusted as a whole (a file that cannot be decoded or parsed, a missing required column,
duplicate 序号 ...) is quarantined: nothing of it is loaded, and the reason names the file
and the row. So is one that fails a critical expectation of its data-quality suite
(`expectations/<source>.json`, run by `pipelines.validation` after normalising, before any
Parquet is written); failed warning-level expectations are recorded and the delivery is loaded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from functools import cache
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.contracts import Contract
from pipelines.ingest.discovery import Delivery
from pipelines.ingest.errors import DeliveryError
from pipelines.ingest.readers import read_file
from pipelines.normalise.frame import normalise_frame
from pipelines.timing import Clock

log = logging.getLogger(__name__)
_CODE_DIRS = ("ingest", "normalise")


@cache
def _code_fingerprint() -> str:
    """Hash of the code that shapes staged output: a change to it invalidates old staging."""
    h = hashlib.sha256()
    root = Path(__file__).parent
    files = sorted(p for d in _CODE_DIRS for p in (root / d).glob("*.py")) + [Path(__file__), root / "contracts.py"]
    for p in files:
        h.update(p.read_bytes())
    return h.hexdigest()


@dataclass
class StageResult:
    source: str
    delivery_date: date
    status: str  # staged | quarantined
    fingerprint: str
    files: list[str] = field(default_factory=list)
    encodings: list[str] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    value_issues: int = 0
    message: str = ""
    seconds: float = 0.0
    folder: str = ""
    validation: list[dict] = field(default_factory=list)  # one outcome per expectation (pipelines.validation)
    timings: dict[str, float] = field(default_factory=dict)  # read / normalise / validate / write seconds

    def to_json(self) -> str:
        d = asdict(self)
        d["delivery_date"] = self.delivery_date.isoformat()
        return json.dumps(d, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "StageResult":
        d = json.loads(text)
        d["delivery_date"] = date.fromisoformat(d["delivery_date"])
        return cls(**d)

    @property
    def data_path(self) -> Path:
        return Path(self.folder) / "data.parquet"

    @property
    def rejects_path(self) -> Path:
        return Path(self.folder) / "rejects.parquet"

    @property
    def issues_path(self) -> Path:
        return Path(self.folder) / "issues.parquet"

    @property
    def validation_path(self) -> Path:
        return Path(self.folder) / "validation.json"


def delivery_fingerprint(delivery: Delivery, contract: Contract, gate: str = "") -> str:
    """Changes when the files, the contract, the staging code or the data-quality gate change."""
    h = hashlib.sha256()
    h.update(delivery.fingerprint().encode())
    # the parsed contract, shared header aliases (schemas/_common.yaml) included; not its location
    h.update(repr(dataclasses.replace(contract, path=None)).encode())
    h.update(_code_fingerprint().encode())
    h.update(gate.encode())
    return h.hexdigest()[:16]


def _atomic(path: Path, write) -> None:
    """Write through a temporary file and rename: a killed task (Airflow retries it) or two runs
    staging the same delivery at once (a backfill beside the nightly run) never leave a torn file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)


def staging_folder(staging_root: Path, delivery: Delivery) -> Path:
    return staging_root / delivery.source / delivery.delivery_date.isoformat()


def _duplicate_record_nos(contract: Contract, typed: pl.DataFrame) -> None:
    """序号 identifies a record within a delivery (parts continue the numbering): repeats are fatal.

    Checked on the normalised rows, whose 序号 is already canonical (`12`, not `12.0` or `０１２`);
    rows rejected for a blank or unreadable 序号 cannot repeat one."""
    rec = contract.columns_of_type("record_no")
    if not rec or typed.is_empty():
        return
    keyed = typed.select("_file", "_row", pl.col(rec[0].name).alias("no")).filter(pl.col("no").is_not_null())
    repeats = keyed.filter(~pl.col("no").is_first_distinct())
    if repeats.height:
        first = repeats.row(0, named=True)
        original = keyed.filter(pl.col("no") == first["no"]).row(0, named=True)
        raise DeliveryError(
            first["_file"],
            f"duplicate 序号 {first['no']!r}: row {first['_row']} repeats {original['_file']} row {original['_row']} "
            f"({repeats.height} repeated 序号 in all); 序号 must be unique in a delivery",
            row=first["_row"],
        )


def _read_all(delivery: Delivery, contract: Contract, result: StageResult) -> pl.DataFrame:
    if not delivery.files:
        raise DeliveryError(delivery.folder, "the delivery folder holds no CSV or Excel file")
    frames = []
    for path in delivery.files:
        raw = read_file(path, contract)
        result.files.append(path.name)
        result.encodings.append(raw.encoding)
        result.unknown_headers.extend(h for h in raw.unknown_headers if h not in result.unknown_headers)
        frames.append(raw.frame)
    frame = pl.concat(frames, how="diagonal_relaxed")
    if frame.is_empty():
        raise DeliveryError(delivery.files[0], "the delivery holds no data rows")
    return frame


def stage_delivery(delivery: Delivery, contract: Contract, staging_root: Path, reuse: bool = True,
                   previous_rows: int | None = None, previous_delivery: date | None = None) -> StageResult:
    """Read, normalise, validate and check one delivery; write data/rejects/issues Parquet and meta.json.

    `previous_rows`: rows read from the source's previous loaded delivery (`previous_delivery`),
    which bounds this one's row count; None for a source's first delivery.
    """
    from pipelines.validation.delivery import gate_fingerprint, quarantine_message, validate_delivery
    from pipelines.validation.gx import prewarm

    started = time.perf_counter()
    folder = staging_folder(staging_root, delivery)
    fingerprint = delivery_fingerprint(delivery, contract, gate_fingerprint(delivery.source, previous_rows))
    meta = folder / "meta.json"
    if reuse and meta.exists():
        cached = StageResult.from_json(meta.read_text(encoding="utf-8"))
        if cached.fingerprint == fingerprint and cached.folder == str(folder):
            return cached
    prewarm()
    folder.mkdir(parents=True, exist_ok=True)
    result = StageResult(delivery.source, delivery.delivery_date, "staged", fingerprint, folder=str(folder))
    result.validation_path.unlink(missing_ok=True)
    clock = Clock(result.timings)
    try:
        with clock("read"):
            raw = _read_all(delivery, contract, result)
            result.rows_read = raw.height
        with clock("normalise"):
            norm = normalise_frame(contract, raw, delivery.delivery_date)
            _duplicate_record_nos(contract, norm.data)
        with clock("validate"):
            gate = validate_delivery(contract, raw, norm.data, previous_rows, previous_delivery)
        if gate is not None:
            result.validation = [o.to_dict() for o in gate.outcomes]
            _atomic(result.validation_path,
                    lambda p: p.write_text(json.dumps(gate.result, ensure_ascii=False), encoding="utf-8"))
            if gate.critical_failures:
                raise DeliveryError(", ".join(result.files), quarantine_message(gate))
    except DeliveryError as e:
        result.status = "quarantined"
        result.message = str(e)
        log.warning("quarantined %s %s: %s", delivery.source, delivery.delivery_date, e)
        for p in (result.data_path, result.rejects_path, result.issues_path):
            p.unlink(missing_ok=True)
    else:
        result.rows_loaded = norm.data.height
        result.rows_rejected = norm.rejects.height
        result.value_issues = norm.issues.height
        with clock("write"):
            # lz4 without column statistics: a third faster to write than the zstd default, and
            # the staged file is only ever scanned whole
            _atomic(result.data_path, lambda p: norm.data.write_parquet(p, compression="lz4", statistics=False))
            _atomic(result.rejects_path, norm.rejects.write_parquet)
            _atomic(result.issues_path, norm.issues.write_parquet)
    result.seconds = round(time.perf_counter() - started, 3)
    _atomic(meta, lambda p: p.write_text(result.to_json(), encoding="utf-8"))
    return result
