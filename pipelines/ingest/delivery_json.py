"""A delivery as JSON and back: an Airflow XCom, a staging worker's task, a Spark task's input.

Light on purpose (no polars, no contracts): the DAG file's helpers (pipelines/dag_tasks.py) import
it when Airflow parses the DAG.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Mapping


def delivery_to_dict(d) -> dict:
    """{source, delivery_date, folder, files} of a pipelines.ingest.discovery.Delivery."""
    return {"source": d.source, "delivery_date": d.delivery_date.isoformat(), "folder": str(d.folder),
            "files": [str(p) for p in d.files]}


def delivery_from_dict(d: Mapping):
    """The Delivery `delivery_to_dict` wrote (extra keys, e.g. "previous", are ignored)."""
    from pipelines.ingest.discovery import Delivery

    return Delivery(d["source"], date.fromisoformat(d["delivery_date"]), Path(d["folder"]),
                    tuple(Path(p) for p in d["files"]))
