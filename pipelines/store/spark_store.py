"""A Spark warehouse: Parquet datasets in a folder, and the same night-after-night guarantees.

The same functions as pipelines/store/night.py and bookkeeping.py (same names and arguments;
those modules hand every call about a Spark warehouse to this one, see spark_dispatch.py):

    <warehouse>/<table>/as_of=<D>/part-*.parquet     a night table (links, review, warnings,
                                                     warning_status, rule_runs, signals …) and the
                                                     analyst views (warnings, assistance_chain,
                                                     quarantine_report) written as tables
    <warehouse>/rejects|data_issues/source=<s>/delivery_date=<d>/part-0.parquet
    <warehouse>/run_sources|run_ignored|_publications/as_of=<D>/part-0.parquet
    <warehouse>/delivery_log/part-0.parquet, rule_catalogue/part-0.parquet   (small, whole)
    <warehouse>/_retention.json                      table → detail | keep | latest
    <warehouse>/_publishing.json                     a publication in progress (the journal)
    <warehouse>.work/  lease.json, scratch/<relation>/ (kept between steps), pending/<dataset
                       path>/ (tonight's partitions), catalog.json (partitions tonight removes)
    <warehouse>.trash/<run>/…  replaced or pruned partitions, deleted after the grace period
    <warehouse>.staging/, <warehouse>.out/           as with DuckDB (same staging, same writers)

Guarantees on a local or shared POSIX file system (NFS, a cluster file system mounted on the
driver and the executors):
  * readers never wait: nothing is locked for them; a night's partitions are written under
    .work/pending/ (invisible) and renamed into the dataset folders only at publication;
  * one writer: the same lease as DuckDB's (<warehouse>.lock flock + .work/lease.json);
  * a crash loses nothing: before publication nothing under <warehouse>/ changed and the next
    run starts over; the publication's commit point is the rename of its journal to
    <warehouse>/_publishing.json, after which the next run (or this one) finishes the renames;
  * replaced and pruned partitions move to <warehouse>.trash/ and are deleted after
    superseded_grace_hours (config/warehouse.yaml).
What does NOT hold: tables are published one rename after the other (a reader listing folders
in the same milliseconds may see tonight's warnings before tonight's warning_status; DuckDB's
single-file swap has no such window), and a reader's job that listed a partition just replaced
fails with a missing file and must be retried. On an object store (s3a://, oss://) renames are
copies and there is no flock: none of the above holds; use a table format (Iceberg, Delta) there.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import polars as pl

from pipelines import paths
from pipelines.engine.base import Engine, ident
from pipelines.faults import checkpoint
from pipelines.fileperms import remove_stale_temp_files, secure_dir, temp_path
from pipelines.store.layout import Layout, fsync_dir

log = logging.getLogger(__name__)
JOURNAL = "_publishing.json"
RETENTION = "_retention.json"
PARTITIONED = {   # bookkeeping table → its partition columns (the others are small and whole)
    "rejects": ("source", "delivery_date"), "data_issues": ("source", "delivery_date"),
    "run_sources": ("as_of",), "run_ignored": ("as_of",), "_publications": ("as_of",),
}
WHOLE = ("delivery_log", "rule_catalogue")
SCHEMAS = {
    "delivery_log": {"source": pl.String, "delivery_date": pl.Date, "fingerprint": pl.String, "status": pl.String,
                     "files": pl.List(pl.String), "encodings": pl.List(pl.String),
                     "unknown_headers": pl.List(pl.String), "rows_read": pl.Int64, "rows_loaded": pl.Int64,
                     "rows_rejected": pl.Int64, "value_issues": pl.Int64, "message": pl.String,
                     "staged_seconds": pl.Float64, "loaded_at": pl.Datetime("us"), "data_path": pl.String},
    "rejects": {"file": pl.String, "row": pl.Int64, "record_no": pl.String, "reason": pl.String},
    "data_issues": {"file": pl.String, "row": pl.Int64, "column": pl.String, "problem": pl.String,
                    "value": pl.String},
    "run_sources": {"source": pl.String, "delivery_date": pl.Date, "status": pl.String, "message": pl.String},
    "run_ignored": {"path": pl.String, "reason": pl.String},
    "_publications": {"run_id": pl.String, "published_at": pl.Datetime("us"), "files": pl.List(pl.String)},
    "rule_catalogue": {"rule_code": pl.String, "title": pl.String, "category_rule": pl.String,
                       "department": pl.String, "subject": pl.String},
}
TYPES = {"source": pl.String, "delivery_date": pl.Date, "as_of": pl.Date}


def _cfg() -> dict:
    from pipelines.store.night import warehouse_config

    return warehouse_config()


def trash_root(lay: Layout) -> Path:
    return lay.path.with_name(lay.path.stem + ".trash")


def _part(keys: dict) -> str:
    return "/".join(f"{k}={v.isoformat() if isinstance(v, date) else v}" for k, v in keys.items())


def _write(frame: pl.DataFrame, folder: Path) -> None:
    """A small frame as folder/part-0.parquet (through a temporary name)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "part-0.parquet"
    tmp = temp_path(target)
    frame.write_parquet(tmp, compression="zstd")
    os.replace(tmp, target)


def _read(folder: Path, schema: dict, partition: tuple[str, ...] = ()) -> pl.DataFrame:
    """Every part of a dataset folder (hive partitions as columns), in the table's shape."""
    files = sorted(p for p in folder.rglob("*.parquet") if not any(s.startswith((".", "_")) for s in
                                                                   p.relative_to(folder).parts)) \
        if folder.exists() else []
    full = {**{k: TYPES[k] for k in partition}, **schema}
    if not files:
        return pl.DataFrame(schema=full)
    frames = []
    for f in files:
        keys = dict(s.split("=", 1) for s in f.relative_to(folder).parts[:-1] if "=" in s)
        part = pl.read_parquet(f)
        frames.append(part.with_columns([_key(k, keys.get(k)) for k in partition]))
    return _shaped(pl.concat(frames, how="diagonal_relaxed"), full)


def _key(name: str, text: str | None) -> pl.Expr:
    """A partition folder's value (`as_of=2026-11-28`) as its column."""
    if text is None:
        return pl.lit(None, TYPES[name]).alias(name)
    value = date.fromisoformat(text) if TYPES[name] == pl.Date else text
    return pl.lit(value, TYPES[name]).alias(name)


def _shaped(frame: pl.DataFrame, full: dict) -> pl.DataFrame:
    return frame.select([pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c)
                         for c, t in full.items()])


# --------------------------------------------------------------------------- one warehouse
class SparkWarehouse:
    """A run's view of a Spark warehouse: the published datasets and tonight's pending ones."""

    def __init__(self, lay: Layout):
        self.lay = lay
        self.root = lay.published
        self.pending = lay.work / "pending"
        self.scratch = lay.work / "scratch"
        self.removals_file = lay.work / "catalog.json"

    # ---------------------------------------------------------------- tonight's changes
    def removals(self) -> set[str]:
        try:
            return set(json.loads(self.removals_file.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return set()

    def remove(self, rel: str) -> None:
        """A published partition (path under the warehouse) that tonight's publication deletes."""
        items = self.removals() | {rel}
        self.removals_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_path(self.removals_file)
        tmp.write_text(json.dumps(sorted(items)), encoding="utf-8")
        os.replace(tmp, self.removals_file)

    def pending_parts(self, table: str) -> list[str]:
        """Tonight's partitions of a table (paths under the warehouse)."""
        base = self.pending / table
        if not base.exists():
            return []
        if table in WHOLE or not any(p.is_dir() and "=" in p.name for p in base.iterdir()):
            return [table]
        depth = len(PARTITIONED.get(table, ("as_of",)))
        out = []
        for p in base.glob("/".join(["*"] * depth)):
            if p.is_dir() and all("=" in s for s in p.relative_to(base).parts):
                out.append(p.relative_to(self.pending).as_posix())
        return sorted(out)

    def published_parts(self, table: str) -> list[str]:
        base = self.root / table
        if not base.exists():
            return []
        depth = len(PARTITIONED.get(table, ("as_of",)))
        return sorted(p.relative_to(self.root).as_posix() for p in base.glob("/".join(["*"] * depth))
                      if p.is_dir() and all("=" in s for s in p.relative_to(base).parts))

    def pending_tables(self) -> list[str]:
        return sorted(p.name for p in self.pending.iterdir() if p.is_dir()) if self.pending.exists() else []

    def tables(self) -> list[str]:
        """Night tables published (folders partitioned by as_of)."""
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
                      and p.name not in WHOLE and p.name not in PARTITIONED)

    # ---------------------------------------------------------------- small tables on the driver
    def bookkeeping(self, table: str) -> pl.DataFrame:
        """A bookkeeping table as tonight sees it: published, less what tonight replaces or
        removes, plus tonight's."""
        schema, partition = SCHEMAS[table], PARTITIONED.get(table, ())
        if table in WHOLE:
            folder = self.pending / table if (self.pending / table).exists() else self.root / table
            return _read(folder, schema)
        gone = self.removals() | set(self.pending_parts(table))
        full = {**{k: TYPES[k] for k in partition}, **schema}
        frames = [_read(self.pending / table, schema, partition)]
        for rel in self.published_parts(table):
            if rel not in gone:
                keys = dict(s.split("=", 1) for s in rel.split("/")[1:])
                part = _read(self.root / rel, schema)
                frames.append(part.with_columns([_key(k, keys[k]) for k in partition]))
        return _shaped(pl.concat(frames, how="diagonal_relaxed"), full)

    def put_whole(self, table: str, frame: pl.DataFrame) -> None:
        _write(frame.select(list(SCHEMAS[table])).cast(SCHEMAS[table]), self.pending / table)

    def put_part(self, table: str, keys: dict, frame: pl.DataFrame) -> None:
        schema = SCHEMAS[table]
        _write(frame.select(list(schema)).cast(schema), self.pending / table / _part(keys))

    # ---------------------------------------------------------------- views for a step's engine
    def register(self, engine) -> None:
        """Every table as the engine's relation: bookkeeping (tonight's state), and each night
        table over its published nights (tonight_views puts tonight's files over them)."""
        for table in (*WHOLE, *PARTITIONED):
            engine.put_frame(table, self.bookkeeping(table))
        for table in self.tables():
            engine.register_df(table, self.read_dataset(engine, self.root / table))

    def read_dataset(self, engine, folder: Path):
        return (engine.spark.read.option("basePath", str(folder)).option("mergeSchema", "true")
                .parquet(str(folder)))


def _warehouse(engine) -> SparkWarehouse:
    store = getattr(engine, "store", None)
    if store is None:
        raise RuntimeError("this Spark engine was not opened on a warehouse (pipelines.store.night.open_engine)")
    return store


# --------------------------------------------------------------------------- night.py's functions
def begin(lay: Layout, run_id: str) -> None:
    """Start a night: finish a publication a crash interrupted, drop what a dead run left,
    delete what is past its grace period."""
    from pipelines.store.night import finish_files

    wh = SparkWarehouse(lay)
    if lay.published.exists() and not lay.published.is_dir():
        raise ValueError(f"{lay.published} is a file: a DuckDB warehouse (run it with --engine duckdb)")
    finish_publication(lay)
    for child in lay.work.iterdir() if lay.work.exists() else []:
        if child.name != "lease.json":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    for folder in (lay.published, lay.work, lay.out, lay.staging):
        secure_dir(folder)
        remove_stale_temp_files(folder)
    published_runs = {r for r in wh.bookkeeping("_publications")["run_id"].to_list()}
    finish_files(_RunIds(published_runs), lay)
    collect_garbage(lay)


class _RunIds:
    """What night.finish_files asks of an engine: the runs whose publication is recorded."""

    def __init__(self, runs: set[str]):
        self.runs = runs

    def rows(self, sql: str, params=None) -> list[tuple]:
        return [(r,) for r in sorted(self.runs)]


def open_engine(lay: Layout) -> Engine:
    from pipelines.engine.spark_engine import SparkEngine

    if not lay.work.exists():
        raise FileNotFoundError(f"no night in progress on {lay.published} (the run's first step did not begin one)")
    engine = SparkEngine(scratch=lay.work / "scratch")
    engine.store = SparkWarehouse(lay)
    engine.store.register(engine)
    return engine


def abort(lay: Layout, run_id: str | None = None) -> None:
    from pipelines.store.night import pending_files_dir

    shutil.rmtree(lay.work, ignore_errors=True)
    if run_id:
        shutil.rmtree(pending_files_dir(lay, run_id), ignore_errors=True)


def write_night(engine, lay: Layout, table: str, as_of: date, run_id: str, retention: str) -> int:
    """The relation `table` as tonight's partition (pending); the engine reads it back from there."""
    from pipelines.engine.spark_engine import write_folder

    wh = _warehouse(engine)
    folder = wh.pending / ident(table) / f"as_of={as_of.isoformat()}"
    checkpoint(f"write.{table}")
    rows = write_folder(engine, engine.df(f"SELECT * FROM {ident(table)}"), folder)
    _remember_retention(wh, table, retention)
    engine.register_df(table, engine.spark.read.parquet(str(folder)))
    return rows


def _remember_retention(wh: SparkWarehouse, table: str, retention: str) -> None:
    path = wh.lay.work / "retention.json"
    known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    known[table] = retention
    path.write_text(json.dumps(known, sort_keys=True), encoding="utf-8")


def tonight_views(engine, lay: Layout, as_of: date) -> None:
    """Tonight's partitions written by earlier steps, under their table names, and
    history_<table>: the published nights."""
    from pipelines.store.night import HISTORY_TABLES, _history_shapes

    wh = _warehouse(engine)
    part = f"as_of={as_of.isoformat()}"
    for folder in sorted(wh.pending.glob(f"*/{part}")) if wh.pending.exists() else []:
        table = folder.parent.name
        if table not in PARTITIONED:
            engine.register_df(table, engine.spark.read.parquet(str(folder)))
    shapes = _history_shapes()
    for table in HISTORY_TABLES:
        if wh.published_parts(table):
            engine.register_df(f"history_{table}", wh.read_dataset(engine, wh.root / table))
        else:
            engine.view(f"history_{table}", shapes[table])


def record_catalogue(engine) -> None:
    wh = _warehouse(engine)
    frame = engine.frame("SELECT rule_code, title, category_rule, department, subject FROM rule_catalogue")
    wh.put_whole("rule_catalogue", frame)


def publish(engine, lay: Layout, as_of: date, run_id: str, file_dirs: list[str],
            keep_sources: list[str] | None = None) -> None:
    """Prepare the publication (the journal of renames, tonight's analyst tables, retention);
    swap() commits it."""
    wh = _warehouse(engine)
    _analyst_tables(engine, wh, as_of)
    wh.put_part("_publications", {"as_of": as_of}, pl.DataFrame(
        {"run_id": [run_id], "published_at": [datetime.now()], "files": [file_dirs]}))
    retention = _retention_map(wh)
    _apply_retention(wh, as_of, retention, keep_sources or [])
    moves = [(f"pending/{rel}", rel) for table in wh.pending_tables() for rel in wh.pending_parts(table)]
    plan = {"run_id": run_id, "as_of": as_of.isoformat(), "moves": moves, "removals": sorted(wh.removals()),
            "retention": retention}
    tmp = temp_path(lay.work / "publish.plan.json")
    tmp.write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, lay.work / "publish.plan.json")


def _retention_map(wh: SparkWarehouse) -> dict[str, str]:
    known = {}
    path = wh.root / RETENTION
    if path.exists():
        known.update(json.loads(path.read_text(encoding="utf-8")))
    tonight = wh.lay.work / "retention.json"
    if tonight.exists():
        known.update(json.loads(tonight.read_text(encoding="utf-8")))
    known.update({v: r for v, r in ANALYST_RETENTION.items()})
    return known


ANALYST_RETENTION = {"warnings": "keep", "assistance_chain": "detail", "quarantine_report": "detail"}


def _analyst_tables(engine, wh: SparkWarehouse, as_of: date) -> None:
    """The analyst views of sql/warehouse/views.sql as tables of the same names (a folder of
    Parquet has no views): a view with as_of gets tonight's partition, computed over tonight's
    relations with their as_of; one without (the latest state of something) is written whole.
    Runs on the publish step's engine as its last work: its relations are re-pointed here."""
    from pipelines.engine.spark_engine import write_folder

    statements = _views()
    needed = sorted({t for body in statements.values() for t in _relations(body)} - set(statements))
    for name in needed:
        folder = wh.pending / name / f"as_of={as_of.isoformat()}"
        if folder.exists():
            engine.register_df(name, engine.spark.read.parquet(str(folder)).withColumn("as_of", _lit(as_of)))
    for view, body in statements.items():
        missing = [t for t in _relations(body) if not engine.exists(t)]
        if missing:
            log.info("analyst table %s not written tonight: no %s", view, ", ".join(missing))
            continue
        df = engine.df(body)
        if "as_of" in df.columns:
            tonight = engine.df(f"SELECT * FROM ({body}) v WHERE as_of = $d", {"d": as_of})
            folder = wh.pending / view / f"as_of={as_of.isoformat()}"
            write_folder(engine, tonight.drop("as_of"), folder)
            engine.register_df(view, engine.spark.read.parquet(str(folder)).withColumn("as_of", _lit(as_of)))
        else:
            folder = wh.pending / view
            write_folder(engine, df, folder)
            engine.register_df(view, engine.spark.read.parquet(str(folder)))


def _lit(value):
    from pyspark.sql import functions as F

    return F.lit(value)


@cache
def _views() -> dict[str, str]:
    import re

    text = (paths.SQL / "warehouse" / "views.sql").read_text(encoding="utf-8")
    text = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("--"))
    out = {}
    for stmt in filter(str.strip, text.split(";")):
        m = re.match(r"\s*CREATE\s+OR\s+REPLACE\s+VIEW\s+(\w+)\s+AS\s+(.*)", stmt, re.S | re.I)
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def _relations(sql: str) -> set[str]:
    from pipelines.models.project import relations_read

    return relations_read(sql)


def _apply_retention(wh: SparkWarehouse, as_of: date, retention: dict[str, str], keep_sources: list[str]) -> None:
    """As night.apply_retention: detail older than detail_nights before the newest night, every
    night but the newest of a 'latest' table, and the deliveries no kept night used (their
    rejects and value issues, their staged files at the next begin)."""
    nights = {date.fromisoformat(r.split("=", 1)[1]) for t in wh.tables() for r in wh.published_parts(t)}
    newest = max(nights | {as_of})
    cutoff = newest - timedelta(days=int(_cfg()["detail_nights"]))
    for table in sorted(set(wh.tables()) | set(wh.pending_tables())):
        if table in WHOLE or table in PARTITIONED:
            continue
        kind = retention.get(table, "detail")
        tonight = set(wh.pending_parts(table))
        days = {rel: date.fromisoformat(rel.split("=", 1)[1]) for rel in {*wh.published_parts(table), *tonight}
                if rel.count("=") == 1}
        newest_of_table = max(days.values(), default=None)
        for rel, day in days.items():
            if (kind == "detail" and day < cutoff) or (kind == "latest" and day < newest_of_table):
                if rel in tonight:
                    shutil.rmtree(wh.pending / rel)   # a backfill's night already past the window
                if (wh.root / rel).exists():
                    wh.remove(rel)
    log_ = wh.bookkeeping("delivery_log")
    used = wh.bookkeeping("run_sources").filter(pl.col("as_of") >= cutoff, pl.col("delivery_date").is_not_null())
    used_keys = set(zip(used["source"].to_list(), used["delivery_date"].to_list()))
    newest_delivery = log_.group_by("source").agg(pl.col("delivery_date").max().alias("newest"))
    log_ = log_.join(newest_delivery, on="source", how="left")
    prune = [(s, d) for s, d, st, n in log_.select("source", "delivery_date", "status", "newest").iter_rows()
             if st == "loaded" and s not in keep_sources and (s, d) not in used_keys and d < n]
    if prune:
        keys = pl.DataFrame({"source": [s for s, _ in prune], "delivery_date": [d for _, d in prune]})
        log_ = log_.join(keys.with_columns(pl.lit(True).alias("_p")), on=["source", "delivery_date"], how="left")
        log_ = log_.with_columns(
            pl.when(pl.col("_p")).then(pl.lit("pruned")).otherwise(pl.col("status")).alias("status"),
            pl.when(pl.col("_p")).then(pl.lit(None, pl.String)).otherwise(pl.col("data_path")).alias("data_path"))
        wh.put_whole("delivery_log", log_)
        for s, d in prune:
            for table in ("rejects", "data_issues"):
                rel = f"{table}/{_part({'source': s, 'delivery_date': d})}"
                shutil.rmtree(wh.pending / rel, ignore_errors=True)
                if (wh.root / rel).exists():
                    wh.remove(rel)


def swap(lay: Layout) -> None:
    """The commit point: the plan becomes <warehouse>/_publishing.json; then its renames."""
    plan = lay.work / "publish.plan.json"
    lay.published.mkdir(parents=True, exist_ok=True)
    os.replace(plan, lay.published / JOURNAL)
    fsync_dir(lay.published)
    finish_publication(lay)


def finish_publication(lay: Layout) -> None:
    """Carry out a committed publication's renames (each one idempotent), then drop the journal."""
    journal = lay.published / JOURNAL
    if not journal.exists():
        return
    plan = json.loads(journal.read_text(encoding="utf-8"))
    trash = trash_root(lay) / f"{datetime.now():%Y%m%dT%H%M%S}-{plan['run_id']}"
    for rel in plan["removals"]:
        target = lay.published / rel
        if target.exists():
            (trash / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, trash / rel)
    for src, rel in plan["moves"]:
        source = lay.work / src
        if not source.exists():
            continue        # moved before a crash
        target = lay.published / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            (trash / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, trash / rel)
        os.replace(source, target)
    known = {}
    if (lay.published / RETENTION).exists():
        known = json.loads((lay.published / RETENTION).read_text(encoding="utf-8"))
    known.update(plan.get("retention", {}))
    tmp = temp_path(lay.published / RETENTION)
    tmp.write_text(json.dumps(known, sort_keys=True), encoding="utf-8")
    os.replace(tmp, lay.published / RETENTION)
    fsync_dir(lay.published)
    journal.unlink()


def collect_garbage(lay: Layout) -> None:
    """Trash past its grace period; staged folders of pruned deliveries; old spill files."""
    grace = timedelta(hours=float(_cfg()["superseded_grace_hours"]))
    trash = trash_root(lay)
    if trash.exists():
        for folder in trash.iterdir():
            if datetime.now() - datetime.fromtimestamp(folder.stat().st_mtime) > grace:
                shutil.rmtree(folder, ignore_errors=True)
    wh = SparkWarehouse(lay)
    log_ = wh.bookkeeping("delivery_log")
    for source, day in log_.filter(pl.col("status") == "pruned").select("source", "delivery_date").iter_rows():
        shutil.rmtree(lay.staging / source / day.isoformat(), ignore_errors=True)
    if lay.spill.exists():
        for f in lay.spill.iterdir():
            if time.time() - f.stat().st_mtime > 3600:
                shutil.rmtree(f, ignore_errors=True) if f.is_dir() else f.unlink(missing_ok=True)


# --------------------------------------------------------------------------- bookkeeping.py's functions
def record_delivery(engine, lay: Layout, result) -> None:
    """A delivery's rows of delivery_log, rejects and data_issues, replaced (tonight's partitions)."""
    from pipelines.store.bookkeeping import staged_name

    wh = _warehouse(engine)
    log_ = wh.bookkeeping("delivery_log")
    loaded = result.status == "staged"
    mine = log_.filter(pl.col("source") == result.source, pl.col("delivery_date") == result.delivery_date)
    wanted = "loaded" if loaded else result.status
    if mine.height and mine["fingerprint"][0] == result.fingerprint and mine["status"][0] == wanted and (
            mine["data_path"][0] is None or (lay.staging / mine["data_path"][0]).exists()):
        return
    keys = {"source": result.source, "delivery_date": result.delivery_date}
    if loaded:
        wh.put_part("rejects", keys, pl.read_parquet(result.rejects_path.resolve()))
        wh.put_part("data_issues", keys, pl.read_parquet(result.issues_path.resolve()))
    else:
        wh.put_part("rejects", keys, pl.DataFrame({"file": [",".join(result.files) or None], "row": [None],
                                                   "record_no": [None],
                                                   "reason": ["delivery quarantined: " + result.message]},
                                                  schema=SCHEMAS["rejects"]))
        wh.put_part("data_issues", keys, pl.DataFrame(schema=SCHEMAS["data_issues"]))
    row = pl.DataFrame([{
        "source": result.source, "delivery_date": result.delivery_date, "fingerprint": result.fingerprint,
        "status": "loaded" if loaded else "quarantined", "files": list(result.files),
        "encodings": list(result.encodings), "unknown_headers": list(result.unknown_headers),
        "rows_read": result.rows_read, "rows_loaded": result.rows_loaded, "rows_rejected": result.rows_rejected,
        "value_issues": result.value_issues, "message": result.message, "staged_seconds": result.seconds,
        "loaded_at": datetime.now(), "data_path": staged_name(lay, result.data_path) if loaded else None}],
        schema=SCHEMAS["delivery_log"])
    rest = log_.filter(~((pl.col("source") == result.source) & (pl.col("delivery_date") == result.delivery_date)))
    wh.put_whole("delivery_log", pl.concat([rest, row]).sort("source", "delivery_date"))
    # the engines of later steps see them (open_engine registers the bookkeeping tables)


def record_run_sources(engine, discovery, results: dict, sources: list[str]) -> None:
    wh = _warehouse(engine)
    rows = []
    for source in sources:
        res = results.get(source)
        if res is None:
            rows.append({"source": source, "delivery_date": None, "status": "missing",
                         "message": "no complete delivery on or before the logical date"})
        else:
            rows.append({"source": source, "delivery_date": res.delivery_date,
                         "status": "loaded" if res.status == "staged" else "quarantined",
                         "message": res.message or None})
    keys = {"as_of": discovery.as_of}
    wh.put_part("run_sources", keys, pl.DataFrame(rows, schema=SCHEMAS["run_sources"]))
    wh.put_part("run_ignored", keys, pl.DataFrame([{"path": str(i.path), "reason": i.reason} for i in discovery.ignored],
                                                  schema=SCHEMAS["run_ignored"]))
    engine.put_frame("run_sources", wh.bookkeeping("run_sources"))   # what the load step may read back


# --------------------------------------------------------------------------- readers without a run
def delivery_rows_read(warehouse: Path) -> dict[tuple[str, date], int]:
    """(source, delivery) → rows read, from a published Spark warehouse's delivery_log (for the
    row-count baselines of the data-quality gate; read-only, no Spark needed)."""
    frame = _read(Path(warehouse) / "delivery_log", SCHEMAS["delivery_log"])
    frame = frame.filter(pl.col("rows_read") > 0)
    return {(s, d): int(n) for s, d, n in frame.select("source", "delivery_date", "rows_read").iter_rows()}
