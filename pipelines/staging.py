"""Stage one delivery: read every file, normalise, check, and write Parquet beside the warehouse.

Staging touches no database, so the Airflow DAG can run one task per source in parallel while a
single writer loads the results into DuckDB (one writer per file). A delivery that cannot be
trusted as a whole (a file that cannot be decoded or parsed, a missing required column,
duplicate 序号 ...) is quarantined: nothing of it is loaded, and the reason names the file
and the row. So is one that fails a critical expectation of its data-quality suite
(`expectations/<source>.json`, run by `pipelines.validation` after normalising, before any
Parquet is written); failed warning-level expectations are recorded and the delivery is loaded.

The delivery is the blast radius: any error while hashing, reading, decoding, normalising,
validating or writing one delivery quarantines that delivery only. An error that is not a
DeliveryError (a bug, a full disk) is caught here as well and reported the same way, as an
internal error naming the file, with its traceback logged masked; such a result is not
remembered (the next run stages the delivery again) and leaves what an earlier run staged
from the same folder as it was. Before reading, the delivery
is checked as a whole: no refused entry (symbolic link, pipe) beside its files, and the files
its manifest lists with their hashes (`pipelines/ingest/manifest.py`); rows per file are
checked against the manifest after reading.

Files written here are owner-only (`pipelines.fileperms`), through hidden temporary files that
a crash may leave behind; those are removed at the start of staging once their writer is gone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import time
import traceback
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.contracts import Contract
from pipelines.faults import checkpoint
from pipelines.fileperms import remove_stale_temp_files, secure_dir, secure_file, temp_path
from pipelines.ingest import manifest as manifests
from pipelines.ingest.discovery import MARKER, REFUSED_LINK, REFUSED_SPECIAL, Delivery
from pipelines.ingest.errors import DeliveryError
from pipelines.ingest.readers import read_file
from pipelines.masking import mask_text
from pipelines.normalise.frame import normalise_frame
from pipelines.timing import Clock

log = logging.getLogger(__name__)
_CODE_DIRS = ("ingest", "normalise")


@cache
def _code_fingerprint() -> str:
    """Hash of the code that shapes staged output: a change to it invalidates old staging."""
    h = hashlib.sha256()
    root = Path(__file__).parent
    files = sorted(p for d in _CODE_DIRS for p in (root / d).glob("*.py")) + [
        Path(__file__), root / "contracts.py", root / "masking.py"]
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
    notes: list[str] = field(default_factory=list)  # read differently or skipped, and why (hidden sheets ...)

    def to_json(self) -> str:
        d = asdict(self)
        d["delivery_date"] = self.delivery_date.isoformat()
        return json.dumps(d, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "StageResult":
        d = json.loads(text)
        d["delivery_date"] = date.fromisoformat(d["delivery_date"])
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

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


def _marker_bytes(delivery: Delivery) -> bytes:
    try:
        return manifests.read_marker(delivery.folder)
    except DeliveryError:
        return b""


def delivery_fingerprint(delivery: Delivery, contract: Contract, gate: str = "",
                         digests: dict[str, str] | None = None, refused: list[Path] | None = None,
                         marker: bytes | None = None) -> str:
    """Changes when the files' bytes, the manifest (`marker`: the _SUCCESS bytes already read), a
    refused entry beside them, the contract, the staging code or the data-quality gate change."""
    h = hashlib.sha256()
    h.update(delivery.fingerprint(digests).encode())
    h.update(hashlib.sha256(_marker_bytes(delivery) if marker is None else marker).hexdigest().encode())
    h.update("|".join(sorted(p.name for p in refused or [])).encode())
    # the parsed contract, shared header aliases (schemas/_common.yaml) included; not its location
    h.update(repr(dataclasses.replace(contract, path=None)).encode())
    h.update(_code_fingerprint().encode())
    h.update(gate.encode())
    return h.hexdigest()[:16]


def _atomic(path: Path, write) -> None:
    """Write through a temporary file and rename: a killed task (Airflow retries it) or two runs
    staging the same delivery at once (a backfill beside the nightly run) never leave a torn file.
    The file is owner-only (or group-readable, see pipelines.fileperms) before it gets its name."""
    tmp = temp_path(path)
    try:
        write(tmp)
        secure_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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


def refused_entries(folder: Path) -> list[Path]:
    """Entries of a delivery folder discovery refuses (links, pipes ...): the delivery would be
    read without them, so it cannot be trusted as complete."""
    out = []
    try:
        entries = sorted(Path(folder).iterdir())
    except OSError:
        return out
    for p in entries:
        if p.name.startswith(".") or p.name == MARKER:
            continue
        if p.is_symlink() or (p.exists() and not (p.is_file() or p.is_dir())):
            out.append(p)
    return out


def _check_whole(delivery: Delivery, refused: list[Path], digests: dict[str, str], manifest: dict | None) -> None:
    """Refused entries and the manifest, before anything is read."""
    if refused:
        p = refused[0]
        why = REFUSED_LINK if p.is_symlink() else REFUSED_SPECIAL
        raise DeliveryError(p, f"{why}; the delivery would be incomplete without it")
    if manifest is not None:
        manifests.check_files(delivery.folder, manifest, list(delivery.files), digests)


def _read_all(delivery: Delivery, contract: Contract, result: StageResult, manifest: dict | None = None,
              where: dict | None = None) -> pl.DataFrame:
    if not delivery.files:
        raise DeliveryError(delivery.folder, "the delivery folder holds no CSV or Excel file")
    frames = []
    for path in delivery.files:
        if where is not None:
            where["file"] = path.name
        raw = read_file(path, contract)
        if manifest is not None:
            manifests.check_rows(path, manifest.get(path.name), raw.rows)
        result.files.append(mask_text(path.name))
        result.encodings.append(raw.encoding)
        result.unknown_headers.extend(h for h in raw.unknown_headers if h not in result.unknown_headers)
        result.notes.extend(raw.notes)
        frames.append(raw.frame)
    frame = pl.concat(frames, how="diagonal_relaxed")
    if frame.is_empty():
        raise DeliveryError(delivery.files[0], "the delivery holds no data rows")
    return frame


def _cached(meta: Path, fingerprint: str, folder: Path) -> StageResult | None:
    try:
        cached = StageResult.from_json(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError):
        return None  # unreadable or from another version: stage again
    return cached if cached.fingerprint == fingerprint and cached.folder == str(folder) else None


def _internal_error(delivery: Delivery, where: dict, e: Exception) -> DeliveryError:
    """An unexpected exception inside one delivery's staging, as the delivery's quarantine reason;
    the traceback goes to the log, masked."""
    log.error("internal error while %s %s %s (%s):\n%s", where["phase"], delivery.source, delivery.delivery_date,
              mask_text(where.get("file") or ""), mask_text(traceback.format_exc()))
    file = where.get("file") or ", ".join(p.name for p in delivery.files) or str(delivery.folder)
    return DeliveryError(file, f"internal error while {where['phase']} ({type(e).__name__}: {e}); the delivery is "
                               f"quarantined and will be staged again by the next run; the traceback is in the log")


def stage_delivery(delivery: Delivery, contract: Contract, staging_root: Path, reuse: bool = True,
                   previous_rows: int | None = None, previous_delivery: date | None = None) -> StageResult:
    """Read, normalise, validate and check one delivery; write data/rejects/issues Parquet and meta.json.

    `previous_rows`: rows read from the source's previous loaded delivery (`previous_delivery`),
    which bounds this one's row count; None for a source's first delivery. Never raises for a
    problem of the delivery (see the module doc)."""
    started = time.perf_counter()
    folder = staging_folder(staging_root, delivery)
    result = StageResult(delivery.source, delivery.delivery_date, "staged", "", folder=str(folder))
    clock = Clock(result.timings)
    where = {"phase": "preparing staging", "file": None}
    cacheable = True
    try:
        remove_stale_temp_files(staging_root)
        from pipelines.validation.delivery import gate_fingerprint, quarantine_message, validate_delivery

        where["phase"] = "hashing the files and reading the marker"
        cacheable = False  # until the bytes are known, a failure says nothing about them
        refused = refused_entries(delivery.folder)
        digests = delivery.file_digests()
        marker = manifests.read_marker(delivery.folder)  # raises if the marker is gone: not complete
        manifest = manifests.read_manifest(delivery.folder, marker)
        result.fingerprint = delivery_fingerprint(delivery, contract, gate_fingerprint(delivery.source, previous_rows),
                                                  digests, refused, marker)
        cacheable = True
        meta = folder / "meta.json"
        if reuse and meta.exists():
            cached = _cached(meta, result.fingerprint, folder)
            if cached is not None:
                return cached
        for p in (staging_root, folder.parent, folder):
            secure_dir(p)
        where["phase"] = "checking the delivery"
        _check_whole(delivery, refused, digests, manifest)
        where["phase"] = "reading"
        with clock("read"):
            raw = _read_all(delivery, contract, result, manifest, where)
            result.rows_read = raw.height
        checkpoint("stage.after_read")
        where.update(phase="normalising", file=None)
        with clock("normalise"):
            norm = normalise_frame(contract, raw, delivery.delivery_date)
            _duplicate_record_nos(contract, norm.data)
        where["phase"] = "validating"
        with clock("validate"):
            gate = validate_delivery(contract, raw, norm.data, previous_rows, previous_delivery)
        if gate is None:
            result.validation_path.unlink(missing_ok=True)  # an earlier suite's result does not apply
        else:
            result.validation = [o.to_dict() for o in gate.outcomes]
            _atomic(result.validation_path,
                    lambda p: p.write_text(json.dumps(gate.result, ensure_ascii=False), encoding="utf-8"))
            if gate.critical_failures:
                raise DeliveryError(", ".join(result.files), quarantine_message(gate))
        where["phase"] = "writing the staged files"
        with clock("write"):
            # lz4 without column statistics: a third faster to write than the zstd default, and
            # the staged file is only ever scanned whole
            _atomic(result.data_path, lambda p: norm.data.write_parquet(p, compression="lz4", statistics=False))
            checkpoint("stage.between_writes")  # fault-injection tests: a crash with some files renamed
            _atomic(result.rejects_path, norm.rejects.write_parquet)
            _atomic(result.issues_path, norm.issues.write_parquet)
        result.rows_loaded = norm.data.height
        result.rows_rejected = norm.rejects.height
        result.value_issues = norm.issues.height
    except DeliveryError as e:
        _quarantine(result, delivery, e, remove_staged=cacheable)
    except Exception as e:  # the delivery boundary: a bug or the machine, not the data
        cacheable = False
        _quarantine(result, delivery, _internal_error(delivery, where, e), remove_staged=False)
    result.seconds = round(time.perf_counter() - started, 3)
    _finish(result, folder, cacheable)
    return result


def _quarantine(result: StageResult, delivery: Delivery, e: DeliveryError, remove_staged: bool) -> None:
    """The delivery's result becomes a quarantine. Its staged files are removed only when the
    delivery's own bytes were judged (`remove_staged`); after an internal error or an unreadable
    file, what an earlier run staged from the same folder stays as it was."""
    result.status = "quarantined"
    result.message = str(e)
    result.rows_loaded = result.rows_rejected = result.value_issues = 0
    log.warning("quarantined %s %s: %s", delivery.source, delivery.delivery_date, e,
                extra={"said_by_summary": True})   # `lowincome run` says it in its own output
    if not remove_staged:
        return
    stale = [result.data_path, result.rejects_path, result.issues_path]
    if not result.validation:  # not validated in this run: an earlier validation.json does not apply
        stale.append(result.validation_path)
    for p in stale:
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass


def _finish(result: StageResult, folder: Path, cacheable: bool) -> None:
    """meta.json for a result a later run may reuse. A result that says nothing about the bytes (an
    internal error, a file that could not be read) is not written: an earlier meta.json stays, and
    the next run stages the delivery again unless that earlier result fits its bytes."""
    meta = folder / "meta.json"
    try:
        if cacheable and result.fingerprint:
            secure_dir(folder)
            _atomic(meta, lambda p: p.write_text(result.to_json(), encoding="utf-8"))
    except OSError as e:
        log.error("cannot record the staging result of %s %s: %s", result.source, result.delivery_date,
                  mask_text(str(e)))
