"""The DuckDB warehouse: the one resource every stage writes through.

All I/O with the database file goes through `Warehouse`, so the rest of the code never opens
connections itself (DuckDB takes one writer per file). SQL lives in `sql/`; this module only
runs it.
"""

from __future__ import annotations

import logging
import os
import shutil
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

import duckdb

from pipelines import paths
from pipelines.contracts import Contract, registry_sources
from pipelines.ingest.discovery import Discovery
from pipelines.staging import StageResult

log = logging.getLogger(__name__)
DEFAULT_DUCKDB_MEMORY = "3GB"  # the whole nightly run must stay within 6 GB on the province's machine


def read_sql(relative: str) -> str:
    return (paths.SQL / relative).read_text(encoding="utf-8")


def duckdb_settings(warehouse_path: Path) -> dict[str, str]:
    """Bound DuckDB's memory (it would take 80% of the machine) and let big joins spill beside
    the warehouse. LOWINCOME_DUCKDB_MEMORY overrides the limit (e.g. "8GB")."""
    return {
        "memory_limit": os.environ.get("LOWINCOME_DUCKDB_MEMORY", DEFAULT_DUCKDB_MEMORY),
        "temp_directory": str(Path(warehouse_path).with_name(Path(warehouse_path).stem + ".tmp")),
        "preserve_insertion_order": "false",
    }


def _quote(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _delivery_select(delivery_date: date, data_path: str) -> str:
    return f"SELECT DATE '{delivery_date.isoformat()}' AS delivery_date, * FROM read_parquet({_quote(data_path)})"


def stg_table(source: str) -> str:
    return f"stg_{source}"


def cur_view(source: str) -> str:
    return f"cur_{source}"


class Warehouse:
    """An open DuckDB warehouse file; use as a context manager."""

    def __init__(self, path: Path, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(self.path), read_only=read_only, config=duckdb_settings(self.path))
        if not read_only:
            self.con.execute(read_sql("warehouse/bookkeeping.sql"))

    @property
    def staging_root(self) -> Path:
        return staging_root_for(self.path)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ helpers
    def execute(self, sql: str, params: list | dict | None = None) -> duckdb.DuckDBPyConnection:
        return self.con.execute(sql, params) if params is not None else self.con.execute(sql)

    def run_script(self, relative: str) -> None:
        self.con.execute(read_sql(relative))

    def table_exists(self, name: str) -> bool:
        return bool(self.one("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name])[0])

    def one(self, sql: str, params: list | None = None) -> tuple | None:
        """The first row. Fetches everything: DuckDB 2 blocks a connection on an unfinished result."""
        rows = self.execute(sql, params).fetchall()
        return rows[0] if rows else None

    def scalar(self, sql: str, params: list | None = None):
        row = self.one(sql, params)
        return row[0] if row else None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a failure part-way leaves every table as it was."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # ------------------------------------------------------------------ loading
    def is_loaded(self, result: StageResult) -> bool:
        row = self.one(
            "SELECT fingerprint, status, data_path FROM delivery_log WHERE source = ? AND delivery_date = ?",
            [result.source, result.delivery_date],
        )
        wanted = "loaded" if result.status == "staged" else result.status
        return bool(row and row[0] == result.fingerprint and row[1] == wanted
                    and (row[2] is None or self.staged_file(row[2]).exists()))

    def load_staged(self, result: StageResult) -> None:
        """Record a staged delivery: its rejects, value issues and log row (one transaction), and
        expose its rows through the view stg_<source>.

        Staged rows stay in their Parquet file beside the warehouse (written once by staging);
        stg_<source> is a view over the loaded deliveries' files, so loading copies nothing.
        """
        if self.is_loaded(result):
            self.refresh_stg_view(result.source)
            return
        loaded = result.status == "staged"
        data = self.staged_name(result.data_path) if loaded else None
        with self.transaction():
            for t in ("rejects", "data_issues"):
                self.execute(f"DELETE FROM {t} WHERE source = ? AND delivery_date = ?",
                             [result.source, result.delivery_date])
            if loaded:
                self.execute(
                    "INSERT INTO rejects SELECT ?, ?::DATE, file, \"row\", record_no, reason "
                    f"FROM read_parquet({_quote(result.rejects_path.resolve())})",
                    [result.source, result.delivery_date],
                )
                self.execute(
                    "INSERT INTO data_issues SELECT ?, ?::DATE, file, \"row\", \"column\", problem, value "
                    f"FROM read_parquet({_quote(result.issues_path.resolve())})",
                    [result.source, result.delivery_date],
                )
            else:
                self.execute(
                    "INSERT INTO rejects VALUES (?, ?, ?, NULL, NULL, ?)",
                    [result.source, result.delivery_date, ",".join(result.files) or None,
                     "delivery quarantined: " + result.message],
                )
            self.execute("DELETE FROM delivery_log WHERE source = ? AND delivery_date = ?",
                         [result.source, result.delivery_date])
            self.execute(
                "INSERT INTO delivery_log BY NAME SELECT ? AS source, ? AS delivery_date, ? AS fingerprint, "
                "? AS status, ? AS files, ? AS encodings, ? AS unknown_headers, ? AS rows_read, ? AS rows_loaded, "
                "? AS rows_rejected, ? AS value_issues, ? AS message, ? AS staged_seconds, ? AS loaded_at, "
                "? AS data_path",
                [result.source, result.delivery_date, result.fingerprint, "loaded" if loaded else "quarantined",
                 result.files, result.encodings, result.unknown_headers, result.rows_read,
                 result.rows_loaded, result.rows_rejected, result.value_issues, result.message,
                 result.seconds, datetime.now(), data],
            )
            self.refresh_stg_view(result.source)

    def staged_name(self, data_path: Path) -> str:
        """What delivery_log keeps: the path under the staging root, so a warehouse and its staging
        folder can move together (and two warehouses of the same deliveries log the same rows)."""
        full = Path(data_path).resolve()
        try:
            return full.relative_to(self.staging_root.resolve()).as_posix()
        except ValueError:
            return str(full)

    def staged_file(self, name: str) -> Path:
        return self.staging_root.resolve() / name  # an absolute name (older warehouses) stays as it is

    def loaded_files(self, source: str) -> list[tuple[date, str]]:
        rows = self.execute(
            "SELECT delivery_date, data_path FROM delivery_log WHERE source = ? AND status = 'loaded' "
            "AND data_path IS NOT NULL ORDER BY delivery_date", [source]).fetchall()
        return [(d, str(self.staged_file(name))) for d, name in rows]

    def refresh_stg_view(self, source: str) -> None:
        """stg_<source>: every loaded delivery's staged rows, with its delivery_date."""
        name = stg_table(source)
        kind = self.one("SELECT table_type FROM information_schema.tables WHERE table_name = ?", [name])
        if kind and kind[0] == "BASE TABLE":  # a warehouse from before staging was kept as Parquet
            self.execute(f"DROP TABLE {name}")
        files = self.loaded_files(source)
        if not files:
            self.execute(f"DROP VIEW IF EXISTS {name}")
            return
        body = "\nUNION ALL BY NAME\n".join(_delivery_select(d, path) for d, path in files)
        self.execute(f"CREATE OR REPLACE VIEW {name} AS\n{body}")

    def refresh_moved_views(self, sources: list[str]) -> None:
        """Re-point existing stg_<source> views at this warehouse's staging folder: a view keeps the
        absolute paths of the place it was made, and a source without a delivery tonight would
        otherwise go on reading where the warehouse used to be."""
        for source in sources:
            kind = self.one("SELECT table_type FROM information_schema.tables WHERE table_name = ?",
                            [stg_table(source)])
            if kind and kind[0] == "VIEW":
                self.refresh_stg_view(source)

    # ------------------------------------------------------------------ runs
    def record_run_sources(self, discovery: Discovery, results: dict[str, StageResult],
                           contracts: dict[str, Contract]) -> None:
        as_of = discovery.as_of
        with self.transaction():
            self.execute("DELETE FROM run_sources WHERE as_of = ?", [as_of])
            self.execute("DELETE FROM run_ignored WHERE as_of = ?", [as_of])
            for source in contracts:
                res = results.get(source)
                if res is None:
                    self.execute("INSERT INTO run_sources VALUES (?, ?, NULL, 'missing', ?)",
                                 [as_of, source, "no complete delivery on or before the logical date"])
                else:
                    status = "loaded" if res.status == "staged" else "quarantined"
                    self.execute("INSERT INTO run_sources VALUES (?, ?, ?, ?, ?)",
                                 [as_of, source, res.delivery_date, status, res.message or None])
            for ig in discovery.ignored:
                self.execute("INSERT INTO run_ignored VALUES (?, ?, ?)", [as_of, str(ig.path), ig.reason])

    def usable_sources(self, as_of: date) -> dict[str, date]:
        rows = self.execute(
            "SELECT source, delivery_date FROM run_sources WHERE as_of = ? AND status = 'loaded'", [as_of]
        ).fetchall()
        return {s: d for s, d in rows}

    def create_current_views(self, as_of: date, contracts: dict[str, Contract]) -> dict[str, date]:
        """Temp views cur_<source> over the run's deliveries; an empty one for an unusable source."""
        usable = self.usable_sources(as_of)
        paths = dict(self.execute(
            "SELECT source, data_path FROM delivery_log l JOIN run_sources r USING (source, delivery_date) "
            "WHERE r.as_of = ? AND r.status = 'loaded'", [as_of]).fetchall())
        for source in contracts:
            if source in usable and paths.get(source):
                self.execute(f"CREATE OR REPLACE TEMP VIEW {cur_view(source)} AS "
                             f"{_delivery_select(usable[source], self.staged_file(paths[source]))}")
            elif self.table_exists(stg_table(source)):
                self.execute(f"CREATE OR REPLACE TEMP VIEW {cur_view(source)} AS "
                             f"SELECT * FROM {stg_table(source)} WHERE false")
        registry = registry_sources()
        if set(registry) <= set(usable):
            self.run_script("registry/person_status.sql")
            day = max(usable[s] for s in registry).isoformat()
            self.execute(f"CREATE OR REPLACE TEMP VIEW cur_persons AS SELECT * FROM registry_persons_on(DATE '{day}')")
        return usable


def staging_root_for(warehouse_path: Path) -> Path:
    """Staged Parquet lives beside the warehouse file: warehouse.duckdb → warehouse.staging/."""
    p = Path(warehouse_path)
    return p.with_name(p.stem + ".staging")


def outputs_root_for(warehouse_path: Path) -> Path:
    """Files a run publishes (push lists, reports, Data Docs) live beside the warehouse:
    warehouse.duckdb → warehouse.out/."""
    p = Path(warehouse_path)
    return p.with_name(p.stem + ".out")


def copy_warehouse(source: Path, target: Path, outputs: bool = False) -> None:
    """Copy a (closed) warehouse with the staged Parquet its views read — the two are one unit —
    and, when asked, its published files: a sandbox to try a threshold or replay a night in."""
    source, target = Path(source), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    folders = [staging_root_for] + ([outputs_root_for] if outputs else [])
    for folder in folders:
        if folder(source).exists():
            shutil.copytree(folder(source), folder(target), dirs_exist_ok=True)
