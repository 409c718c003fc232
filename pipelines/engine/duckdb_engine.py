"""The DuckDB engine: one in-process connection with the warehouse catalog and the run's scratch.

    memory (default)      temp relations of this connection (a step's intermediate models)
    catalog               the warehouse catalog the run writes: a private work copy of the
                          published file, swapped in at publish (pipelines.store)
    scratch               relations kept between the steps of one run (Airflow runs each step in
                          its own process); removed when the run ends

Unqualified names resolve in scratch, then the catalog (`search_path`); new relations go to
memory (temp) or scratch. Macros of `sql/macros/` are created on connect.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb
import polars as pl

from pipelines import paths
from pipelines.engine.base import Engine, EngineError, Params, bind, ident, path_literal
from pipelines.fileperms import temp_path

DEFAULT_MEMORY = "3GB"  # the whole nightly run must stay within 6 GB on the province's machine


def settings(spill_dir: Path | None) -> dict[str, str]:
    """Bound DuckDB's memory (it would take 80% of the machine) and let big joins spill.
    LOWINCOME_DUCKDB_MEMORY overrides the limit (e.g. "8GB")."""
    out = {"memory_limit": os.environ.get("LOWINCOME_DUCKDB_MEMORY", DEFAULT_MEMORY),
           "preserve_insertion_order": "false"}
    if spill_dir is not None:
        out["temp_directory"] = str(spill_dir)
    return out


def macro_sql() -> str:
    """Every file of sql/macros/ (DuckDB macros: the DuckDB dialect's definitions of the helpers),
    but spark*.sql: the Spark engine's own definitions (pipelines/engine/spark_dialect.py)."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((paths.SQL / "macros").glob("*.sql"))
                     if not p.name.startswith("spark"))


class DuckDBEngine(Engine):
    dialect = "duckdb"

    def __init__(self, catalog: Path | None = None, scratch: Path | None = None, read_only: bool = False,
                 spill_dir: Path | None = None, direct: bool = False):
        """catalog + scratch attached to an in-memory connection (a step of a run); or, with
        read_only or direct, a plain connection to the catalog file (readers; catalog upkeep)."""
        self.read_only = read_only
        try:
            if read_only or direct:
                if catalog is None:
                    raise ValueError("a read-only or direct engine needs a catalog file")
                self.con = duckdb.connect(str(catalog), read_only=read_only, config=settings(spill_dir))
            else:
                self.con = duckdb.connect(":memory:", config=settings(spill_dir))
                if catalog is not None:
                    self.con.execute(f"ATTACH {path_literal(catalog)} AS catalog")
                if scratch is not None:
                    self.con.execute(f"ATTACH {path_literal(scratch)} AS scratch")
                # the step's own relations first (tonight's files of earlier steps shadow the
                # catalog's all-nights views of the same name), then scratch, then the catalog
                path = ",".join(p for p, on in (("memory.main", True), ("scratch.main", scratch),
                                                ("catalog.main", catalog)) if on is not None)
                self.search_path = path
                self.con.execute(f"SET search_path = {path_literal(path)}")
        except duckdb.Error as e:
            raise EngineError(f"cannot open the warehouse {catalog}: {e}") from None
        self.has_scratch = scratch is not None and not (read_only or direct)
        self.direct = read_only or direct
        self.con.execute(macro_sql())

    # ------------------------------------------------------------------ statements
    def _exec(self, sql: str, params: Params | None):
        values = bind(sql, params)
        try:
            return self.con.execute(sql, values) if values else self.con.execute(sql)
        except duckdb.Error as e:
            raise EngineError(str(e)) from e

    def run(self, sql: str, params: Params | None = None) -> None:
        self._exec(sql, params).fetchall()  # DuckDB 2 blocks a connection on an unfinished result

    def rows(self, sql: str, params: Params | None = None) -> list[tuple]:
        return self._exec(sql, params).fetchall()

    def frame(self, sql: str, params: Params | None = None) -> pl.DataFrame:
        values = bind(sql, params)
        try:
            return self.con.sql(sql, params=values or None).pl()
        except duckdb.Error as e:
            raise EngineError(str(e)) from e

    # ------------------------------------------------------------------ relations
    def _target(self, name: str, persist: bool) -> str:
        ident(name)
        if persist and self.has_scratch:
            return f"scratch.main.{name}"   # without scratch (one process, tests) memory keeps it
        return f"temp.main.{name}" if self.direct else f"memory.main.{name}"

    def drop(self, name: str) -> None:
        ident(name)
        places = ["temp"] if self.direct else ["memory"] + (["scratch"] if self.has_scratch else [])
        for db in places:
            kind = self.rows("SELECT table_type FROM information_schema.tables WHERE table_catalog = $c "
                             "AND table_schema = 'main' AND table_name = $n", {"c": db, "n": name})
            if kind:
                self.run(f"DROP {'VIEW' if kind[0][0] == 'VIEW' else 'TABLE'} {db}.main.{name}")

    def materialize(self, name: str, sql: str, params: Params | None = None, persist: bool = False) -> None:
        self.drop(name)
        self.run(f"CREATE TABLE {self._target(name, persist)} AS\n{sql}", params)

    def view(self, name: str, sql: str) -> None:
        """A temp view (no parameters: DuckDB binds none in a view)."""
        self.drop(name)
        self.run(f"CREATE VIEW {'temp' if self.direct else 'memory'}.main.{ident(name)} AS\n{sql}")

    def catalog_view(self, name: str, sql: str) -> None:
        """A view of the warehouse catalog itself (what readers see), replacing any of that name."""
        where = "" if self.direct else "catalog.main."
        self.run(f"CREATE OR REPLACE VIEW {where}{ident(name)} AS\n{sql}")

    def catalog_script(self, sql: str) -> None:
        """DDL of the catalog (sql/warehouse/): its statements run in the catalog database."""
        if not self.direct:
            self.run("USE catalog")
        try:
            self.con.execute(sql)
        except duckdb.Error as e:
            raise EngineError(str(e)) from e
        finally:
            if not self.direct:
                self.run("USE memory")
                self.run(f"SET search_path = {path_literal(self.search_path)}")

    def put_frame(self, name: str, frame: pl.DataFrame, persist: bool = False) -> None:
        tmp = f"__frame_{uuid.uuid4().hex[:12]}"
        self.con.register(tmp, frame.to_arrow())
        try:
            self.materialize(name, f"SELECT * FROM {tmp}", persist=persist)
        finally:
            self.con.unregister(tmp)

    def columns(self, name: str) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.rows(f"DESCRIBE {ident(name)}")]

    def exists(self, name: str) -> bool:
        return bool(self.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = $n AND schema_name = 'main'"
                                " AND NOT internal", {"n": name})
                    or self.scalar("SELECT count(*) FROM duckdb_views() WHERE view_name = $n AND NOT internal",
                                   {"n": name}))

    def write_dataset(self, sql: str, path: Path, params: Params | None = None) -> int:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_path(path)
        self.run(f"COPY ({sql}) TO {path_literal(tmp)} (FORMAT parquet, COMPRESSION zstd)", params)
        os.replace(tmp, path)
        return int(self.scalar(f"SELECT count(*) FROM read_parquet({path_literal(path)})"))

    def close(self) -> None:
        self.con.close()
