"""The load step's writes to the catalog: what each delivery became, and what each night used.

    delivery_log   one row per delivery: loaded / quarantined / pruned, files, encodings, counts
    rejects        rows not loaded and why (a quarantined delivery: one row naming the problem)
    data_issues    values that could not be typed (the row is loaded with NULL there)
    run_sources    per night and source: the delivery used and its state (or missing)
    run_ignored    what discovery saw on the landing zone and did not use
A delivery already recorded with the same fingerprint is not recorded again (staging reuses it).
"""

from __future__ import annotations

from datetime import date, datetime

from pipelines.engine.base import Engine, path_literal
from pipelines.ingest.discovery import Discovery
from pipelines.staging import StageResult
from pipelines.store.layout import Layout
from pipelines.store.spark_dispatch import per_engine


def staged_name(lay: Layout, data_path) -> str:
    """What delivery_log keeps: the path under the staging folder, so a warehouse and its staging
    folder move together (and two warehouses of the same deliveries log the same rows)."""
    from pathlib import Path

    full = Path(data_path).resolve()
    try:
        return full.relative_to(lay.staging.resolve()).as_posix()
    except ValueError:
        return str(full)


def is_recorded(engine: Engine, lay: Layout, result: StageResult) -> bool:
    row = engine.rows("SELECT fingerprint, status, data_path FROM delivery_log WHERE source = $s AND delivery_date = $d",
                      {"s": result.source, "d": result.delivery_date})
    wanted = "loaded" if result.status == "staged" else result.status
    return bool(row and row[0][0] == result.fingerprint and row[0][1] == wanted
                and (row[0][2] is None or (lay.staging / row[0][2]).exists()))


@per_engine
def record_delivery(engine: Engine, lay: Layout, result: StageResult) -> None:
    """Replace a delivery's rows in delivery_log, rejects and data_issues (the run's work copy is
    private until published, so no other reader sees them half-written)."""
    if is_recorded(engine, lay, result):
        return
    loaded = result.status == "staged"
    key = {"s": result.source, "d": result.delivery_date}
    for table in ("rejects", "data_issues", "delivery_log"):
        engine.run(f"DELETE FROM {table} WHERE source = $s AND delivery_date = $d", key)
    if loaded:
        engine.run("INSERT INTO rejects SELECT $s, $d, file, \"row\", record_no, reason "
                   f"FROM read_parquet({path_literal(result.rejects_path.resolve())})", key)
        engine.run("INSERT INTO data_issues SELECT $s, $d, file, \"row\", \"column\", problem, value "
                   f"FROM read_parquet({path_literal(result.issues_path.resolve())})", key)
    else:
        engine.run("INSERT INTO rejects VALUES ($s, $d, $f, NULL, NULL, $r)",
                   {**key, "f": ",".join(result.files) or None, "r": "delivery quarantined: " + result.message})
    engine.run(
        "INSERT INTO delivery_log BY NAME SELECT $s AS source, $d AS delivery_date, $fp AS fingerprint, "
        "$status AS status, $files AS files, $enc AS encodings, $unknown AS unknown_headers, $read AS rows_read, "
        "$loaded AS rows_loaded, $rejected AS rows_rejected, $issues AS value_issues, $msg AS message, "
        "$secs AS staged_seconds, $at AS loaded_at, $path AS data_path",
        {**key, "fp": result.fingerprint, "status": "loaded" if loaded else "quarantined", "files": result.files,
         "enc": result.encodings, "unknown": result.unknown_headers, "read": result.rows_read,
         "loaded": result.rows_loaded, "rejected": result.rows_rejected, "issues": result.value_issues,
         "msg": result.message, "secs": result.seconds, "at": datetime.now(),
         "path": staged_name(lay, result.data_path) if loaded else None})


@per_engine
def record_run_sources(engine: Engine, discovery: Discovery, results: dict[str, StageResult],
                       sources: list[str]) -> None:
    as_of = discovery.as_of
    engine.run("DELETE FROM run_sources WHERE as_of = $d", {"d": as_of})
    engine.run("DELETE FROM run_ignored WHERE as_of = $d", {"d": as_of})
    for source in sources:
        res = results.get(source)
        if res is None:
            row = {"day": None, "status": "missing", "msg": "no complete delivery on or before the logical date"}
        else:
            row = {"day": res.delivery_date, "status": "loaded" if res.status == "staged" else "quarantined",
                   "msg": res.message or None}
        engine.run("INSERT INTO run_sources VALUES ($d, $s, $day, $status, $msg)", {"d": as_of, "s": source, **row})
    for ig in discovery.ignored:
        engine.run("INSERT INTO run_ignored VALUES ($d, $p, $r)", {"d": as_of, "p": str(ig.path), "r": ig.reason})


def usable_sources(engine: Engine, as_of: date) -> dict[str, date]:
    return dict(engine.rows("SELECT source, delivery_date FROM run_sources WHERE as_of = $d AND status = 'loaded'",
                            {"d": as_of}))
