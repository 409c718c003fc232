"""Staging a night's deliveries on the Spark executors: one task per delivery, each running the
same polars staging as everywhere else (pipelines.deliveries.stage_step → pipelines/staging.py).

    stage_all(deliveries, warehouse, reuse, previous, on_done)   as pipelines.deliveries.stage_all

A DataFrame of one row per delivery (spark.range, one partition each, the largest first) is mapped
with mapInArrow: each task stages its delivery and returns the StageResult as JSON. The registry
goes first, in its own job, so a quarantined registry stops the night before anything else is
read. Works the same through Spark Connect (no RDD API needed).

On a cluster the landing zone and the staging folder (<warehouse>.staging/) must be shared
storage that the driver and every executor mount at the same path (NFS, a cluster file system):
a task writes its delivery's Parquet there and the driver's later steps read it. The executors'
Python must have the project installed (PYSPARK_PYTHON).
"""

from __future__ import annotations

from pathlib import Path

from pipelines.contracts import registry_sources
from pipelines.staging import StageResult


def _task(deliveries: list[dict], warehouse: str, reuse: bool):
    """The function each task runs: stage the delivery its row names, answer with its result."""

    def run(batches):
        import pyarrow as pa

        from pipelines.ingest.delivery_json import delivery_from_dict
        from pipelines.deliveries import stage_step
        from pipelines.fileperms import secure_umask
        from pipelines.masking import install_log_masking

        secure_umask()
        install_log_masking()
        for batch in batches:
            out = []
            for i in batch.column("id").to_pylist():
                item = deliveries[i]
                previous = [(delivery_from_dict(p), p.get("rows")) for p in item.get("previous") or []]
                res = stage_step(delivery_from_dict(item), Path(warehouse), reuse=reuse, previous=previous)
                out.append(res.to_json())
            yield pa.RecordBatch.from_pydict({"id": batch.column("id").to_pylist(), "result": out},
                                             schema=pa.schema([("id", pa.int64()), ("result", pa.string())]))

    return run


def _shipped(d) -> dict:
    """A delivery as a task receives it: its paths absolute (an executor's working directory is
    not the driver's: on a cluster, or local-cluster, a relative --landing would not be found)."""
    from pipelines.ingest.delivery_json import delivery_to_dict

    item = delivery_to_dict(d)
    item["folder"] = str(Path(item["folder"]).absolute())
    item["files"] = [str(Path(p).absolute()) for p in item["files"]]
    return item


def _stage_batch(spark, deliveries: list, warehouse: Path, reuse: bool, previous: dict) -> list[StageResult]:
    if not deliveries:
        return []
    items = []
    for d in deliveries:
        item = _shipped(d)
        item["previous"] = [{**_shipped(p), "rows": rows} for p, rows in previous.get(d.source) or []]
        items.append(item)
    n = len(items)
    df = spark.range(0, n, 1, numPartitions=n).mapInArrow(_task(items, str(Path(warehouse).absolute()), reuse),
                                                          "id long, result string")
    by_id = {row["id"]: StageResult.from_json(row["result"]) for row in df.collect()}
    return [by_id[i] for i in range(n)]


def stage_all(deliveries: list, warehouse: Path, reuse: bool, previous: dict, on_done=None) -> list[StageResult]:
    """Stage every delivery on the executors (the registry first); results in `deliveries`' order;
    `on_done(result, done, total)` after each (it may raise to stop the night)."""
    from pipelines.deliveries import staging_order
    from pipelines.engine.spark_engine import spark_session

    spark = spark_session()
    todo = staging_order(deliveries)
    registry = set(registry_sources())
    results: dict[int, StageResult] = {}
    done = 0
    for batch in ([d for d in todo if d.source in registry], [d for d in todo if d.source not in registry]):
        for d, r in zip(batch, _stage_batch(spark, batch, warehouse, reuse, previous)):
            results[id(d)] = r
            done += 1
            if on_done:
                on_done(r, done, len(todo))
    return [results[id(d)] for d in deliveries]
