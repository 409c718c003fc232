"""The one seam between the pipeline and a SQL engine.

Every statement the pipeline runs after staging goes through an `Engine`: it alone holds the
connection and knows the dialect. Values travel only as bound parameters (`$name` in the SQL
the project writes, DuckDB's spelling); identifiers and file paths, which no engine can bind,
pass through `ident()` and `path_literal()` here and nowhere else.

What a caller may do is small on purpose (Splink's `DatabaseAPI` is the model):

  run(sql, params)             a statement without a result (DDL, DML)
  rows(sql, params)            a result as Python tuples (small results only)
  frame(sql, params)           a result as a polars DataFrame
  materialize(name, sql, ...)  a SELECT into a relation of the run (temp or scratch table)
  put_frame(name, frame)       a polars frame as a relation of the run (Python models)
  columns(name)                the columns of a relation
  write_dataset(sql, path)     a SELECT into a Parquet file (per-night datasets)
  map_groups(name, sql, key, fn, schema)   a polars function over groups of rows (Python models;
                               on Spark the groups run on the executors)
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Mapping

import polars as pl

Params = Mapping[str, Any]
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PARAM = re.compile(r"(?<![\w$])\$([A-Za-z_][A-Za-z0-9_]*)")


class EngineError(RuntimeError):
    """A statement failed; the message names the model or file it came from."""


def ident(name: str) -> str:
    """A safe SQL identifier (table, view, column): letters, digits and _, never quoted data."""
    if not _IDENT.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


def path_literal(path: Path | str) -> str:
    """A file path as an SQL string literal (the only literal the seam ever writes)."""
    return "'" + str(path).replace("'", "''") + "'"


def referenced_params(sql: str) -> set[str]:
    """The `$name` parameters a statement reads (outside string literals)."""
    return set(_PARAM.findall(_strip_literals(sql)))


def _strip_literals(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'", "''", re.sub(r"--[^\n]*", "", sql))


def bind(sql: str, params: Params | None) -> dict[str, Any]:
    """Exactly the parameters a statement reads (DuckDB refuses extra ones); a missing one fails
    here, naming it, instead of deep inside the engine."""
    wanted = referenced_params(sql)
    params = params or {}
    missing = sorted(wanted - set(params))
    if missing:
        raise EngineError(f"no value for parameter(s) {', '.join('$' + m for m in missing)}")
    return {k: params[k] for k in wanted}


class Engine(ABC):
    """A connection to one engine, owned by one step of one run (see the module doc)."""

    dialect: str = ""

    @abstractmethod
    def run(self, sql: str, params: Params | None = None) -> None: ...

    @abstractmethod
    def rows(self, sql: str, params: Params | None = None) -> list[tuple]: ...

    @abstractmethod
    def frame(self, sql: str, params: Params | None = None) -> pl.DataFrame: ...

    @abstractmethod
    def materialize(self, name: str, sql: str, params: Params | None = None, persist: bool = False) -> None:
        """`name` := the SELECT `sql`. persist=False: for this connection only; True: kept for the
        later steps of the same run (another process, under Airflow)."""

    @abstractmethod
    def put_frame(self, name: str, frame: pl.DataFrame, persist: bool = False) -> None: ...

    @abstractmethod
    def columns(self, name: str) -> list[tuple[str, str]]: ...

    @abstractmethod
    def exists(self, name: str) -> bool: ...

    @abstractmethod
    def write_dataset(self, sql: str, path: Path, params: Params | None = None) -> int:
        """Write the SELECT into one Parquet file (through a temporary name); returns its rows."""

    def map_groups(self, name: str, sql: str, key: list[str], fn, schema: dict, params: Params | None = None,
                   persist: bool = False, shared: dict | None = None) -> None:
        """`name` := fn(rows, shared) applied to the SELECT's rows in groups that never split a
        `key` (fn takes and returns a polars frame, the result in `schema`). Here: one group, in
        this process; the Spark engine runs the groups on its executors."""
        out = fn(self.frame(sql, params), shared or {})
        self.put_frame(name, out.select(list(schema)).cast(schema), persist=persist)

    def scalar(self, sql: str, params: Params | None = None):
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def close(self) -> None:  # pragma: no cover - engines without resources
        pass

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
