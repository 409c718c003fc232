"""The Spark engine: the same Engine API on Apache Spark (PySpark 4, local, standalone or Connect).

Every statement arrives in the project's one dialect (DuckDB's, `$name` parameters, the macros)
and is rendered by pipelines/engine/spark_dialect.py; values travel as Spark named parameters
(`spark.sql(sql, args=...)`), never spliced into text.

Relations of a step are temp views of the engine's own session (`newSession()`: its views and
UDFs, the shared SparkContext and cache):

    view            a lazy temp view (no job)
    materialize     temp model read by at most one later model: a lazy view; read by several:
                    the DataFrame cached (LOWINCOME_SPARK_REUSED=cache, default; or checkpoint:
                    localCheckpoint, lineage cut; or parquet: written to the scratch folder)
                    persist=True (a model kept for later steps, another process under Airflow):
                    Parquet in the run's scratch folder, read back as the view
    put_frame       a polars frame (Arrow) as a DataFrame; persisted as above
    map_groups      a polars function over the rows of a SELECT in groups that never split a key,
                    run on the executors (groupBy(hash bucket).applyInArrow)

One SparkSession per process (`spark_session`): local[*], local-cluster[…], spark://… or a Spark
Connect sc://… URL (LOWINCOME_SPARK_MASTER, or `configure(master)`); `local…` masters run the
executors' Python as this interpreter, bind to 127.0.0.1 and keep the UI off.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any, Callable

import polars as pl

from pipelines.engine.base import Engine, EngineError, Params, bind, ident
from pipelines.engine.spark_dialect import SparkDialectError, render

log = logging.getLogger(__name__)
ENV_MASTER = "LOWINCOME_SPARK_MASTER"
ENV_REUSED = "LOWINCOME_SPARK_REUSED"
DEFAULT_MASTER = "local[*]"
_SESSION = None
_MASTER: str | None = None


# --------------------------------------------------------------------------- the session
def configure(master: str | None) -> None:
    """The master the process's session is made with (before it is made; `--spark-master`)."""
    global _MASTER
    if master:
        if _SESSION is not None and master != _session_master():
            raise EngineError(f"a Spark session on {_session_master()} is already running in this process")
        _MASTER = master


def _session_master() -> str:
    return _MASTER or os.environ.get(ENV_MASTER) or DEFAULT_MASTER


def is_local(master: str) -> bool:
    return master.startswith("local")


def spark_session(master: str | None = None):
    """The process's SparkSession (made on first use; see the module doc)."""
    global _SESSION
    if _SESSION is not None:
        return _SESSION
    if master:
        configure(master)
    master = _session_master()
    from pyspark.sql import SparkSession

    if master.startswith("sc://"):
        builder = SparkSession.builder.remote(master)
    else:
        if is_local(master):
            # executors' Python = this interpreter (the project and polars are installed in it)
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = SparkSession.builder.master(master)
        for key, value in session_conf(master).items():
            builder = builder.config(key, value)
    builder = builder.appName("lowincome-monitor")
    session = builder.getOrCreate()
    _quiet(session)
    _SESSION = session
    return session


def session_conf(master: str) -> dict[str, str]:
    """Settings a session starts with; LOWINCOME_SPARK_CONF="k=v,k=v" adds or overrides."""
    from pipelines.fileperms import GROUP_UMASK, PRIVATE_UMASK, file_group

    conf = {
        # what Spark writes is as private as the rest (Hadoop's file system applies its own umask)
        "spark.hadoop.fs.permissions.umask-mode": f"{GROUP_UMASK if file_group() is not None else PRIVATE_UMASK:03o}",
        "spark.sql.adaptive.enabled": "true",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.sql.parquet.compression.codec": "zstd",
    }
    if is_local(master):
        cores = os.cpu_count() or 2
        conf.update({
            "spark.ui.enabled": "false",
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.sql.shuffle.partitions": str(max(2, 2 * cores)),
            "spark.default.parallelism": str(max(2, 2 * cores)),
            "spark.driver.memory": os.environ.get("LOWINCOME_SPARK_DRIVER_MEMORY", "3g"),
            "spark.pyspark.python": sys.executable,
            "spark.pyspark.driver.python": sys.executable,
            "spark.ui.showConsoleProgress": "false",
        })
    logging_opts = f"-Dlog4j.configurationFile=file:{log4j_file()}"
    conf["spark.driver.extraJavaOptions"] = logging_opts
    conf["spark.executor.extraJavaOptions"] = logging_opts
    for item in filter(None, os.environ.get("LOWINCOME_SPARK_CONF", "").split(",")):
        key, _, value = item.partition("=")
        conf[key.strip()] = value.strip()
    return conf


LOG4J = """# lowincome-monitor: Spark's own log (stderr): warnings and errors; a failed statement is
# reported once, by the engine's EngineError, not again as Spark's JSON query-context log
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
logger.query.name = SQLQueryContextLogger
logger.query.level = off
logger.native.name = org.apache.hadoop.util.NativeCodeLoader
logger.native.level = error
logger.utils.name = org.apache.spark.util.Utils
logger.utils.level = error
logger.parquet.name = org.apache.parquet
logger.parquet.level = error
"""


def log4j_file() -> Path:
    """The log4j2 settings the JVMs start with (written once into the user's cache folder)."""
    root = Path(os.environ.get("LOWINCOME_CACHE", Path.home() / ".cache" / "lowincome-monitor"))
    path = root / "spark-log4j2.properties"
    if not path.exists() or path.read_text(encoding="utf-8") != LOG4J:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(LOG4J, encoding="utf-8")
        os.replace(tmp, path)
    return path


def _quiet(session) -> None:
    """Failed statements are reported once, by EngineError: not again as Spark's JSON error logs."""
    try:
        session.sparkContext.setLogLevel("ERROR")
        jvm = session.sparkContext._jvm
        level = jvm.org.apache.logging.log4j.Level.OFF
        for name in ("SQLQueryContextLogger", "org.apache.spark.sql.execution.datasources.FileFormatWriter",
                     "org.apache.spark.api.python.PythonRunner"):
            jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(name, level)
    except Exception:   # Spark Connect: the server's logging is the server's
        pass


def stop_session() -> None:
    global _SESSION
    if _SESSION is not None:
        _SESSION.stop()
        _SESSION = None


# --------------------------------------------------------------------------- types
def duck_type(dtype) -> str:
    """A Spark type by its DuckDB name (what Engine.columns reports)."""
    from pyspark.sql import types as T

    simple = {T.StringType: "VARCHAR", T.IntegerType: "INTEGER", T.LongType: "BIGINT", T.DoubleType: "DOUBLE",
              T.FloatType: "FLOAT", T.BooleanType: "BOOLEAN", T.DateType: "DATE", T.TimestampType: "TIMESTAMP",
              T.TimestampNTZType: "TIMESTAMP", T.ShortType: "SMALLINT", T.ByteType: "TINYINT",
              T.BinaryType: "BLOB", T.NullType: "VARCHAR"}
    for cls, name in simple.items():
        if isinstance(dtype, cls):
            return name
    if isinstance(dtype, T.DecimalType):
        return f"DECIMAL({dtype.precision},{dtype.scale})"
    if isinstance(dtype, T.ArrayType):
        return duck_type(dtype.elementType) + "[]"
    return dtype.simpleString().upper()


def spark_ddl(schema: dict[str, Any]) -> str:
    """A polars schema as a Spark DDL string (map_groups' result)."""
    names = {pl.String: "string", pl.Date: "date", pl.Int64: "bigint", pl.Int32: "int", pl.Float64: "double",
             pl.Boolean: "boolean", pl.Datetime: "timestamp"}
    parts = []
    for name, dtype in schema.items():
        base = dtype.base_type() if hasattr(dtype, "base_type") else dtype
        if base == pl.Decimal:
            parts.append(f"`{name}` decimal({dtype.precision},{dtype.scale})")
        elif base in names:
            parts.append(f"`{name}` {names[base]}")
        else:
            raise EngineError(f"no Spark type for polars {dtype} ({name})")
    return ", ".join(parts)


def _arrow_safe(frame: pl.DataFrame):
    """A polars frame as Arrow Spark reads: no Null/Categorical columns, plain strings."""
    unsigned = (pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
    fixed = frame.with_columns(
        [pl.col(c).cast(pl.String) for c, t in frame.schema.items() if t in (pl.Null, pl.Categorical) or
         isinstance(t, pl.Enum)]
        + [pl.col(c).cast(pl.Int64) for c, t in frame.schema.items() if t in unsigned])
    return plain_arrow(fixed)


def plain_arrow(frame: pl.DataFrame):
    """Arrow with 32-bit offsets (string, list): what Spark's Arrow readers expect of a UDF's result."""
    import pyarrow as pa

    def plain(t):
        if pa.types.is_large_string(t):
            return pa.string()
        if pa.types.is_large_binary(t):
            return pa.binary()
        if pa.types.is_large_list(t):
            return pa.list_(plain(t.value_type))
        return t

    table = frame.to_arrow()
    schema = pa.schema([pa.field(f.name, plain(f.type), f.nullable) for f in table.schema])
    return schema.empty_table() if table.num_rows == 0 else table.cast(schema)


# --------------------------------------------------------------------------- the engine
class SparkEngine(Engine):
    dialect = "spark"

    def __init__(self, scratch: Path | None = None, master: str | None = None, session=None,
                 readers: dict[str, int] | None = None):
        """scratch: the run's folder for relations kept between steps (Parquet, one folder each);
        readers: how many later models read each model (the materialisation policy)."""
        base = session or spark_session(master)
        try:
            self.spark = base.newSession()
            self.own_session = True
        except Exception:   # Spark Connect: one session; this engine's views are dropped on close
            self.spark = base
            self.own_session = False
        from pipelines.engine.spark_functions import register

        register(self.spark)
        self.scratch = Path(scratch) if scratch else None
        self.readers = readers if readers is not None else model_readers()
        self.policy = os.environ.get(ENV_REUSED, "checkpoint")
        self.reuse_from = int(os.environ.get("LOWINCOME_SPARK_REUSE_READERS", "2"))   # readers that make it worth it
        self._views: set[str] = set()
        self._cached: list = []
        if self.scratch is not None and self.scratch.exists():
            for folder in sorted(p for p in self.scratch.iterdir() if p.is_dir() and not p.name.startswith(".")):
                self._register(folder.name, self.spark.read.parquet(str(folder)))

    # ------------------------------------------------------------------ statements
    def sql_text(self, sql: str) -> str:
        """The Spark SQL a DuckDB-dialect statement becomes."""
        try:
            return render(sql, self._columns_of)
        except SparkDialectError as e:
            raise EngineError(f"not portable to Spark: {e}") from None

    def _columns_of(self, spark_sql: str) -> list[str]:
        return self.spark.sql(spark_sql).columns

    def df(self, sql: str, params: Params | None = None):
        """The DataFrame of a DuckDB-dialect SELECT (lazy: no job yet)."""
        values = bind(sql, params)
        text = self.sql_text(sql)
        try:
            return self.spark.sql(text, args=values or None)
        except Exception as e:
            raise EngineError(_message(e)) from None

    def _act(self, what: Callable[[], Any]):
        try:
            return what()
        except EngineError:
            raise
        except Exception as e:
            raise EngineError(_message(e)) from None

    def run(self, sql: str, params: Params | None = None) -> None:
        df = self.df(sql, params)
        self._act(df.collect)

    def rows(self, sql: str, params: Params | None = None) -> list[tuple]:
        df = self.df(sql, params)
        return [tuple(r) for r in self._act(df.collect)]

    def frame(self, sql: str, params: Params | None = None) -> pl.DataFrame:
        return self.frame_of(self.df(sql, params))

    def frame_of(self, df) -> pl.DataFrame:
        table = self._act(df.toArrow)
        return pl.from_arrow(table) if table.num_columns else pl.DataFrame()

    # ------------------------------------------------------------------ relations
    def _register(self, name: str, df) -> None:
        df.createOrReplaceTempView(ident(name))
        self._views.add(name)

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(ident(name))
        self._views.discard(name)

    def view(self, name: str, sql: str) -> None:
        self._register(name, self.df(sql))

    def register_df(self, name: str, df) -> None:
        """A DataFrame made elsewhere (the store's readers) as a relation of this engine."""
        self._register(name, df)

    def materialize(self, name: str, sql: str, params: Params | None = None, persist: bool = False) -> None:
        self.keep(name, self.df(sql, params), persist)

    def keep(self, name: str, df, persist: bool = False) -> None:
        """`name` := df, stored as the policy says (module doc)."""
        if os.environ.get(ENV_PLANS):
            record_plan(name, df)
        if persist and self.scratch is not None:
            df = self._to_parquet(df, self.scratch / ident(name))
        elif self.readers.get(name, 0) >= self.reuse_from or (persist and self.scratch is None):
            df = self._reuse(name, df)
        self._register(name, df)

    def _reuse(self, name: str, df):
        if self.policy == "checkpoint":
            return self._act(lambda: df.localCheckpoint(eager=True))
        if self.policy == "parquet" and self.scratch is not None:
            return self._to_parquet(df, self.scratch / ".reused" / ident(name))
        cached = df.persist()
        self._cached.append(cached)
        return cached

    def _to_parquet(self, df, folder: Path):
        write_folder(self, df, folder)
        return self.spark.read.parquet(str(folder))

    def put_frame(self, name: str, frame: pl.DataFrame, persist: bool = False) -> None:
        df = self.spark.createDataFrame(_arrow_safe(frame)) if frame.width else self.spark.sql("SELECT 1 WHERE false")
        if persist and self.scratch is not None:
            df = self._to_parquet(df, self.scratch / ident(name))
        self._register(name, df)

    def columns(self, name: str) -> list[tuple[str, str]]:
        try:
            schema = self.spark.table(ident(name)).schema
        except Exception as e:
            raise EngineError(_message(e)) from None
        return [(f.name, duck_type(f.dataType)) for f in schema.fields]

    def exists(self, name: str) -> bool:
        try:
            return bool(self.spark.catalog.tableExists(ident(name)))
        except Exception:
            return False

    def write_dataset(self, sql: str, path: Path, params: Params | None = None) -> int:
        """The SELECT as a Parquet dataset folder at `path` (written beside it, renamed in)."""
        return write_folder(self, self.df(sql, params), Path(path))

    def map_groups(self, name: str, sql: str, key: list[str], fn: Callable, schema: dict, params: Params | None = None,
                   persist: bool = False, shared: dict | None = None) -> None:
        """`name` := fn(rows, shared) over the SELECT's rows in groups that never split `key`,
        on the executors: rows are bucketed by a hash of the key (a bucket holds many keys, so one
        Python call scores thousands of records) and each bucket is one pyarrow table."""
        df = self.df(sql, params)
        buckets = int(self.spark.conf.get("spark.sql.shuffle.partitions", "8"))
        carried = _share(self.spark, shared or {})
        cols = ", ".join(f"`{ident(k)}`" for k in key)

        def run(table):
            import polars as pl_

            frame = pl_.from_arrow(table).drop("__bucket")
            out = fn(frame, carried.value if hasattr(carried, "value") else carried)
            return plain_arrow(out.select(list(schema)).cast(schema))

        from pyspark.sql import functions as F

        grouped = df.withColumn("__bucket", F.expr(f"pmod(xxhash64({cols}), {buckets})")).groupBy("__bucket")
        self.keep(name, grouped.applyInArrow(run, spark_ddl(schema)), persist)

    def close(self) -> None:
        for df in self._cached:
            try:
                df.unpersist()
            except Exception:
                pass
        for name in list(self._views):
            try:
                self.spark.catalog.dropTempView(name)
            except Exception:
                pass
        self._cached.clear()
        self._views.clear()


ENV_PLANS = "LOWINCOME_SPARK_PLANS"


def record_plan(name: str, df) -> None:
    """Append a relation's physical plan to the file LOWINCOME_SPARK_PLANS names (where the
    shuffles are: docs/scale-out.md is written from these)."""
    try:
        plan = df._jdf.queryExecution().executedPlan().toString()
    except Exception:   # Spark Connect: no plan on the client
        return
    with open(os.environ[ENV_PLANS], "a", encoding="utf-8") as f:
        f.write(f"== {name}\n{plan}\n")


def _share(spark, shared: dict):
    """Read-only values every executor task needs: a broadcast where the API has one."""
    try:
        return spark.sparkContext.broadcast(shared)
    except Exception:   # Spark Connect: shipped with the function
        return shared


def write_folder(engine: SparkEngine, df, folder: Path, partition_by: list[str] | None = None) -> int:
    """df as Parquet under `folder` (written to a hidden sibling, then renamed in); its rows, from
    the files' footers."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".{folder.name}.{uuid.uuid4().hex[:8]}.tmp")
    writer = df.write.mode("overwrite")
    if partition_by:
        writer = writer.partitionBy(*partition_by)
    engine._act(lambda: writer.parquet(str(tmp)))
    for marker in tmp.rglob("_SUCCESS"):
        marker.unlink()
    for crc in tmp.rglob(".*.crc"):
        crc.unlink()
    if folder.exists():
        shutil.rmtree(folder)
    os.replace(tmp, folder)
    return parquet_rows(folder)


def parquet_rows(folder: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(p).metadata.num_rows for p in Path(folder).rglob("*.parquet"))


def model_readers() -> dict[str, int]:
    """model → how many models read it (the project's graph): what is worth caching."""
    from pipelines.models.project import load_project

    project = load_project()
    out: dict[str, int] = {}
    for m in project.models.values():
        for i in project.inputs(m):
            out[i] = out.get(i, 0) + 1
    return out


def _message(e: Exception) -> str:
    text = str(e).strip()
    first = text.splitlines()[0] if text else type(e).__name__
    return first[:2000]
