"""A night's way into the warehouse: a private work copy, night files, and one atomic publication.

    begin     (the run's first writing step, under a new lease) remove what a dead run left,
              delete superseded night files past their grace period, finish or drop files for
              people a crash left half-swapped, and copy the published catalog into
              warehouse.work/catalog.duckdb
    engine    a step's connection: the work catalog + the run's scratch (pipelines.engine)
    write     a night model → <warehouse>.data/<table>/as_of=<date>/part-<run>.parquet, 'pending'
    publish   the run's files 'published' (an earlier file of the same night 'superseded'),
              retention applied, views re-pointed, then the work catalog REPLACES the published
              file by rename: readers holding the old file keep reading it, complete; new readers
              see the new night. Files for people are swapped in right after (finish_files).
    abort     drop the work copy: the published night is exactly as it was
Everything the run wrote before publishing is invisible to readers; a crash at any point leaves
the published catalog intact and the next run starts again from it.
A Spark warehouse (a folder of Parquet datasets) keeps its nights in spark_store.py: each
function marked @per_engine hands a call about one to its twin there (spark_dispatch.py).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import yaml

from pipelines import paths
from pipelines.engine.base import Engine, ident, path_literal
from pipelines.engine.duckdb_engine import DuckDBEngine
from pipelines.faults import checkpoint
from pipelines.fileperms import remove_stale_temp_files, secure_dir
from pipelines.store.layout import Layout, fsync_dir
from pipelines.store.spark_dispatch import per_engine

log = logging.getLogger(__name__)
PENDING_FILES = ".pending-"      # <out>/.pending-<run>/<kind>/<date>/ … files for people not yet swapped in
HISTORY_TABLES = ("warning_status", "rule_runs", "review_offers")
VIEW_TABLES = (*HISTORY_TABLES, "feedback_rows", "divisions")   # what sql/warehouse/views.sql reads besides signals


@cache
def warehouse_config() -> dict:
    """config/warehouse.yaml; LOWINCOME_<KEY> in the environment overrides a key (e.g.
    LOWINCOME_DETAIL_NIGHTS=7 for a soak test)."""
    cfg = yaml.safe_load((paths.CONFIG / "warehouse.yaml").read_text(encoding="utf-8"))
    for key, value in list(cfg.items()):
        override = os.environ.get(f"LOWINCOME_{key.upper()}")
        if override is not None:
            cfg[key] = type(value)(override)
    return cfg


def catalog_ddl() -> str:
    return (paths.SQL / "warehouse" / "catalog.sql").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the work copy
@per_engine
def begin(lay: Layout, run_id: str) -> None:
    """Start a night from the published catalog (the caller holds a new lease)."""
    for child in lay.work.iterdir() if lay.work.exists() else []:
        if child.name != "lease.json":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    for folder in (lay.work, lay.data, lay.out, lay.staging):
        secure_dir(folder)   # owner-only (or LOWINCOME_FILE_GROUP), inherited by what is written below
        remove_stale_temp_files(folder)
    if lay.published.exists():
        shutil.copyfile(lay.published, lay.work_catalog)
    with DuckDBEngine(lay.work_catalog, direct=True, spill_dir=lay.spill) as eng:
        eng.catalog_script(catalog_ddl())
        finish_files(eng, lay)
        collect_garbage(eng, lay)
        refresh_views(eng, lay)   # a moved warehouse reads its own files from the first step on


@per_engine
def open_engine(lay: Layout) -> DuckDBEngine:
    """A step's engine on the run's work copy (begin() made it)."""
    if not lay.work_catalog.exists():
        raise FileNotFoundError(f"no night in progress on {lay.published} (the run's first step did not begin one)")
    return DuckDBEngine(lay.work_catalog, scratch=lay.scratch, spill_dir=lay.spill)


@per_engine
def abort(lay: Layout, run_id: str | None = None) -> None:
    """Forget the night in progress: its work copy and files for people not yet swapped in (its
    night files become garbage for the next run to delete)."""
    shutil.rmtree(lay.work, ignore_errors=True)
    if run_id:
        shutil.rmtree(pending_files_dir(lay, run_id), ignore_errors=True)


# --------------------------------------------------------------------------- night files
def night_path(lay: Layout, table: str, as_of: date, run_id: str) -> Path:
    return lay.data / ident(table) / f"as_of={as_of.isoformat()}" / f"part-{run_id}.parquet"


@per_engine
def write_night(engine: Engine, lay: Layout, table: str, as_of: date, run_id: str, retention: str) -> int:
    """Write the relation `table` as the night's file and register it as pending."""
    path = night_path(lay, table, as_of, run_id)
    checkpoint(f"write.{table}")
    rows = engine.write_dataset(f"SELECT * FROM {ident(table)}{_order_by(table)}", path)
    rel = path.relative_to(lay.data).as_posix()
    engine.run("DELETE FROM _datasets WHERE table_name = $t AND as_of = $d AND state = 'pending'",
               {"t": table, "d": as_of})
    engine.run("INSERT INTO _datasets VALUES ($t, $d, $p, $n, $r, $k, 'pending', NULL)",
               {"t": table, "d": as_of, "p": rel, "n": rows, "r": run_id, "k": retention})
    return rows


def _order_by(table: str) -> str:
    """The ORDER BY a night model declares for its file (`-- @sorted_by:`), if any."""
    from pipelines.models.project import load_project

    model = load_project().models.get(table)
    return f" ORDER BY {', '.join(ident(c) for c in model.sorted_by)}" if model and model.sorted_by else ""


@per_engine
def tonight_views(engine: Engine, lay: Layout, as_of: date) -> None:
    """The night files earlier steps of this run wrote, under their table names (they shadow the
    catalog's all-nights views inside the run), and history_<table>: the published nights."""
    for table, rel in engine.rows("SELECT table_name, path FROM _datasets WHERE state = 'pending' AND as_of = $d",
                                  {"d": as_of}):
        engine.view(table, f"SELECT * FROM read_parquet({path_literal(lay.data / rel)})")
    shapes = _history_shapes()
    for table in HISTORY_TABLES:
        files = _published_files(engine, lay, table)
        # every declared column, even when no published night has it yet (a column added later)
        body = f"{_dataset_select(files)}\nUNION ALL BY NAME\n{shapes[table]}" if files else shapes[table]
        engine.view(f"history_{table}", body)


@cache
def _declared_shapes() -> dict[str, dict[str, str]]:
    """The declared columns of the tables kept for every night (sql/warehouse/history_shapes.yaml)."""
    return yaml.safe_load((paths.SQL / "warehouse" / "history_shapes.yaml").read_text(encoding="utf-8"))


def _history_shapes() -> dict[str, str]:
    """An empty SELECT in the shape of each table later nights read back (before the first night)."""
    return {t: "SELECT " + ", ".join(f"CAST(NULL AS {ty}) AS {ident(c)}" for c, ty in cols.items()) + " WHERE false"
            for t, cols in _declared_shapes().items()}


def _published_files(engine: Engine, lay: Layout, table: str) -> list[Path]:
    rows = engine.rows("SELECT path FROM _datasets WHERE table_name = $t AND state = 'published' ORDER BY as_of, path",
                       {"t": table})
    return [lay.data / r[0] for r in rows]


def _dataset_select(files: list[Path]) -> str:
    listed = ", ".join(path_literal(f) for f in files)
    return (f"SELECT as_of, * EXCLUDE (as_of) FROM read_parquet([{listed}], hive_partitioning = true, "
            "hive_types = {'as_of': DATE}, union_by_name = true)")


# --------------------------------------------------------------------------- publication
@per_engine
def publish(engine: Engine, lay: Layout, as_of: date, run_id: str, file_dirs: list[str],
            keep_sources: list[str] | None = None) -> None:
    """Make the run's pending files the night's, apply retention, re-point views, record the
    publication (all in the work catalog); then `swap` puts the catalog in place."""
    now = datetime.now()
    engine.run("UPDATE _datasets SET state = 'superseded', superseded_at = $now "
               "WHERE state = 'published' AND as_of = $d AND table_name IN "
               "(SELECT table_name FROM _datasets WHERE state = 'pending' AND run_id = $r)",
               {"now": now, "d": as_of, "r": run_id})
    engine.run("UPDATE _datasets SET state = 'published' WHERE state = 'pending' AND run_id = $r", {"r": run_id})
    apply_retention(engine, now, keep_sources or [])
    engine.run("DELETE FROM _publications WHERE as_of = $d", {"d": as_of})
    engine.run("INSERT INTO _publications VALUES ($d, $r, $now, $f)",
               {"d": as_of, "r": run_id, "now": now, "f": file_dirs})
    refresh_views(engine, lay)


def apply_retention(engine: Engine, now: datetime, keep_sources: list[str]) -> None:
    """Detail older than detail_nights before the newest night, and every night but the newest of
    a 'latest' table, become superseded; so do the staged rows of deliveries no kept night used
    (never those of `keep_sources`, whose every delivery every night reads)."""
    newest = engine.scalar("SELECT max(as_of) FROM _datasets WHERE state = 'published'")
    if newest is None:
        return
    cutoff = newest - timedelta(days=int(warehouse_config()["detail_nights"]))
    engine.run("UPDATE _datasets SET state = 'superseded', superseded_at = $now WHERE state = 'published' "
               "AND ((retention = 'detail' AND as_of < $cutoff) OR (retention = 'latest' AND as_of < "
               "(SELECT max(as_of) FROM _datasets d WHERE d.table_name = _datasets.table_name "
               "AND d.state = 'published')))", {"now": now, "cutoff": cutoff})
    # deliveries no night since the cutoff used, and not the newest of their source
    engine.run("""
        UPDATE delivery_log SET status = 'pruned', data_path = NULL
        WHERE status = 'loaded' AND NOT list_contains($keep, source)
          AND (source, delivery_date) NOT IN (SELECT source, delivery_date FROM run_sources
                                              WHERE as_of >= $cutoff AND delivery_date IS NOT NULL)
          AND delivery_date < (SELECT max(delivery_date) FROM delivery_log l WHERE l.source = delivery_log.source)
    """, {"cutoff": cutoff, "keep": keep_sources})
    engine.run("DELETE FROM data_issues WHERE (source, delivery_date) IN "
               "(SELECT source, delivery_date FROM delivery_log WHERE status = 'pruned')")
    engine.run("DELETE FROM rejects WHERE (source, delivery_date) IN "
               "(SELECT source, delivery_date FROM delivery_log WHERE status = 'pruned')")


@per_engine
def record_catalogue(engine: Engine) -> None:
    """The rule catalogue of the night (its seed) as the catalog's rule_catalogue table."""
    engine.run("DELETE FROM catalog.main.rule_catalogue")
    engine.run("INSERT INTO catalog.main.rule_catalogue SELECT rule_code, title, category_rule, department, subject "
               "FROM memory.main.rule_catalogue")


def refresh_views(engine: Engine, lay: Layout) -> None:
    """One view per night dataset over its published files (absolute paths of this warehouse's
    own folder), the analyst views over them, and stg_<source> over the kept staged deliveries."""
    tables = [r[0] for r in engine.rows("SELECT DISTINCT table_name FROM _datasets WHERE state = 'published' "
                                        "ORDER BY 1")]
    shapes = _declared_shapes()
    for table in tables:
        body = _dataset_select(_published_files(engine, lay, table))
        if table in shapes:   # nights written before a column existed read it as NULL
            have = {r[0] for r in engine.rows(f"DESCRIBE {body}")}
            body = "SELECT " + ", ".join(ident(c) if c in have else f"CAST(NULL AS {t}) AS {ident(c)}"
                                         for c, t in shapes[table].items()) + f" FROM ({body}) t"
        engine.catalog_view(table, body)
    if set(VIEW_TABLES) <= set(tables):   # (a warehouse from before a table: at its first publication)
        engine.catalog_script((paths.SQL / "warehouse" / "views.sql").read_text(encoding="utf-8"))
    for source, in engine.rows("SELECT DISTINCT source FROM delivery_log ORDER BY 1"):
        files = engine.rows("SELECT delivery_date, data_path FROM delivery_log WHERE source = $s AND status = 'loaded' "
                            "AND data_path IS NOT NULL ORDER BY delivery_date", {"s": source})
        name = f"stg_{ident(source)}"
        if files:
            body = "\nUNION ALL BY NAME\n".join(
                f"SELECT DATE '{d.isoformat()}' AS delivery_date, * FROM read_parquet({path_literal(lay.staging / p)})"
                for d, p in files)
            engine.catalog_view(name, body)
        else:
            engine.catalog_script(f"DROP VIEW IF EXISTS {name}")


@per_engine
def swap(lay: Layout) -> None:
    """The commit point: the work catalog (closed, checkpointed) becomes the published file."""
    os.replace(lay.work_catalog, lay.published)
    fsync_dir(lay.published.parent)


# --------------------------------------------------------------------------- files for people
def pending_files_dir(lay: Layout, run_id: str) -> Path:
    return lay.out / f"{PENDING_FILES}{run_id}"


def swap_in_files(lay: Layout, run_id: str) -> list[str]:
    """Move every folder of the run's pending files into place (each replaces the folder of the
    same night: an old folder is renamed away, the new one renamed in, the old one removed)."""
    pending = pending_files_dir(lay, run_id)
    moved = []
    if not pending.exists():
        return moved
    for folder in sorted(p for p in pending.glob("*/*") if p.is_dir()):
        rel = folder.relative_to(pending)
        target = lay.out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        old = target.with_name(f".{target.name}.old-{run_id}")
        if target.exists():
            target.rename(old)
        folder.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        moved.append(rel.as_posix())
    for f in sorted(p for p in pending.glob("*/*") if p.is_file()):   # single files (report/<date>.html)
        rel = f.relative_to(pending)
        (lay.out / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(f, lay.out / rel)
        moved.append(rel.as_posix())
    shutil.rmtree(pending, ignore_errors=True)
    return moved


def finish_files(engine: Engine, lay: Layout) -> None:
    """Files for people a crash left between the catalog swap and their own swap: finished when the
    published catalog records their run's publication, dropped otherwise."""
    if not lay.out.exists():
        return
    published = {r[0] for r in engine.rows("SELECT run_id FROM _publications")}
    for pending in lay.out.glob(f"{PENDING_FILES}*"):
        run_id = pending.name[len(PENDING_FILES):]
        if run_id in published:
            log.warning("finishing the files for people of run %s (interrupted after publishing)", run_id)
            swap_in_files(lay, run_id)
        else:
            shutil.rmtree(pending, ignore_errors=True)
    for old in lay.out.glob("*/.*.old-*"):
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- garbage
def collect_garbage(engine: Engine, lay: Layout) -> None:
    """Delete night files nobody will read: superseded past their grace period, and files no
    catalog lists (a crashed run's); staged deliveries that were pruned; stale temporary files."""
    grace = timedelta(hours=float(warehouse_config()["superseded_grace_hours"]))
    old = engine.rows("SELECT path FROM _datasets WHERE state = 'superseded' AND superseded_at < $t",
                      {"t": datetime.now() - grace})
    for (rel,) in old:
        (lay.data / rel).unlink(missing_ok=True)
    engine.run("DELETE FROM _datasets WHERE state = 'superseded' AND superseded_at < $t", {"t": datetime.now() - grace})
    engine.run("DELETE FROM _datasets WHERE state = 'pending'")   # a dead run's
    known = {lay.data / r[0] for r in engine.rows("SELECT path FROM _datasets")}
    if lay.data.exists():
        for f in lay.data.rglob("*"):
            if f.is_file() and f not in known:
                f.unlink()
        for d in sorted((p for p in lay.data.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
            if not any(d.iterdir()):
                d.rmdir()
    for source, day in engine.rows("SELECT source, delivery_date FROM delivery_log WHERE status = 'pruned'"):
        shutil.rmtree(lay.staging / source / day.isoformat(), ignore_errors=True)
    if lay.spill.exists():
        for f in lay.spill.iterdir():
            if time.time() - f.stat().st_mtime > 3600:
                shutil.rmtree(f, ignore_errors=True) if f.is_dir() else f.unlink(missing_ok=True)
    newest = engine.scalar("SELECT max(as_of) FROM _publications")
    if newest is not None:
        prune_data_docs(lay.out / "data_docs", newest - timedelta(days=int(warehouse_config()["detail_nights"])))


def prune_data_docs(site: Path, cutoff: date) -> list[str]:
    """The Data Docs pages of nights before `cutoff`: validation detail, pruned with the nights'
    `validation_results` (about 1.6 MB a night of HTML). The quality report of each night
    (quality/<date>.*, a few KB) stays, and the site's index lists the nights still on disk."""
    removed = []
    if not site.is_dir():
        return removed
    for folder in sorted(site.iterdir()):
        try:
            day = date.fromisoformat(folder.name)
        except ValueError:          # _static, index.html
            continue
        if folder.is_dir() and day < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed
