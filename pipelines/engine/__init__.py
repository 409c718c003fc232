"""The engine seam: every SQL statement after staging goes through an `Engine` (base.py); one
class per backend (duckdb_engine.py; Spark in spark_engine.py)."""

from pipelines.engine.base import Engine, EngineError

__all__ = ["Engine", "EngineError"]
