"""Where the parts of one warehouse live: everything is named after the warehouse file.

    warehouse.duckdb           the published catalog (what readers open; replaced whole, by
                               rename, when a night is published)
    warehouse.lock             the single-writer lock (flock) and who holds it
    warehouse.work/            the running night: catalog.duckdb (a private copy of the published
                               catalog), scratch.duckdb (relations between steps), lease.json
    warehouse.data/<table>/as_of=<date>/part-<run>.parquet   per-night datasets
    warehouse.staging/<source>/<date>/   staged deliveries
    warehouse.out/             files for people (push lists, reports, Data Docs)
    warehouse.tmp/             DuckDB's spill space
Move or copy them together (`copy_warehouse`).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    path: Path
    engine: str = "duckdb"      # spark: the warehouse is a folder of Parquet datasets (spark_store.py)

    def _beside(self, suffix: str) -> Path:
        return self.path.with_name(self.path.stem + suffix)

    @property
    def published(self) -> Path:
        return self.path

    @property
    def lock(self) -> Path:
        return self._beside(".lock")

    @property
    def work(self) -> Path:
        return self._beside(".work")

    @property
    def work_catalog(self) -> Path:
        return self.work / "catalog.duckdb"

    @property
    def scratch(self) -> Path:
        return self.work / "scratch.duckdb"

    @property
    def lease(self) -> Path:
        return self.work / "lease.json"

    @property
    def data(self) -> Path:
        return self._beside(".data")

    @property
    def staging(self) -> Path:
        return self._beside(".staging")

    @property
    def out(self) -> Path:
        return self._beside(".out")

    @property
    def spill(self) -> Path:
        return self._beside(".tmp")


def layout(path: Path | str, engine: str = "duckdb") -> Layout:
    return Layout(Path(path).absolute(), engine)


def staging_root_for(warehouse: Path) -> Path:
    return layout(warehouse).staging


def outputs_root_for(warehouse: Path) -> Path:
    return layout(warehouse).out


def copy_warehouse(source: Path, target: Path, outputs: bool = False) -> None:
    """Copy a warehouse (not being written) with its night datasets and staged deliveries — they
    are one unit — and, when asked, its files for people: a sandbox to try a threshold or replay
    a night in. The copy's views are re-pointed at its own files."""
    from pipelines.engine.duckdb_engine import DuckDBEngine
    from pipelines.store.night import refresh_views

    src, dst = layout(source), layout(target)
    dst.path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src.published, dst.published)
    for part in ("data", "staging") + (("out",) if outputs else ()):
        if getattr(src, part).exists():
            shutil.copytree(getattr(src, part), getattr(dst, part), dirs_exist_ok=True)
    with DuckDBEngine(dst.published, direct=True) as eng:
        if eng.exists("_datasets"):
            refresh_views(eng, dst)


def fsync_dir(folder: Path) -> None:
    """Make a folder's renames durable (a publication's last step, before it is reported done)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
