"""A delivery shipped to a Spark staging task names its files by absolute paths: an executor's
working directory is not the driver's (local-cluster, standalone, YARN), so a relative
`--landing` used to quarantine the registry with "cannot open the file" on any real cluster."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from pipelines.ingest.delivery_json import delivery_from_dict
from pipelines.engine.spark_staging import _shipped
from pipelines.ingest.discovery import Delivery


def test_a_relative_landing_reaches_the_executor_as_absolute_paths(tmp_path, monkeypatch):
    folder = tmp_path / "landing" / "registry_persons" / "2026-11-28"
    folder.mkdir(parents=True)
    (folder / "members.csv").write_text("x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    relative = Path("landing/registry_persons/2026-11-28")
    item = _shipped(Delivery("registry_persons", date(2026, 11, 28), relative, (relative / "members.csv",)))

    monkeypatch.chdir(os.sep)   # the executor's working directory: anywhere else
    shipped = delivery_from_dict(item)
    assert shipped.folder.is_absolute() and shipped.folder.is_dir()
    assert [p.read_text(encoding="utf-8") for p in shipped.files] == ["x\n"]
    assert (shipped.source, shipped.delivery_date) == ("registry_persons", date(2026, 11, 28))
