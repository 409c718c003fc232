"""The night's report for people (outputs.md): `report/<YYYY-MM-DD>.html`, one file that opens
offline, written by a writer of pipelines.publish.files into the run's pending folder.

    data.py      the night's counts from the publish step's relations (no person ever)
    sections.py  headings, texts, tables and charts in Chinese
    charts.py    Vega-Lite specs made with altair
    assets.py    vega / vega-lite / vega-embed, pinned, verified and inlined
    page.py      the HTML

`write(engine, pending, as_of, summary)` is the writer; it records its own wall time in
`summary.seconds["report"]` and the file's path (relative to the files-for-people folder) in
`summary.report`.
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

from typing import TYPE_CHECKING

from pipelines.engine.base import Engine
from pipelines.fileperms import temp_path

if TYPE_CHECKING:
    from pipelines.publish import PublishSummary

KIND = "report"


def report_path(root: Path, as_of: date) -> Path:
    """Where a night's report is, under the files-for-people folder (or a run's pending one)."""
    return Path(root) / KIND / f"{as_of.isoformat()}.html"


def build(engine: Engine, as_of: date, step_seconds: dict[str, float] | None = None, run_id: str = "") -> str:
    """The report's HTML for the night whose publish step `engine` belongs to."""
    from pipelines.report_html import data, page, sections

    facts = data.gather(engine, as_of, step_seconds)
    return page.render(as_of, sections.build(facts), run_id)


def write(engine: Engine, pending: Path, as_of: date, summary: "PublishSummary") -> Path:
    """The writer (pipelines.publish.files.WRITERS): the report into the pending folder, timed by
    its own clock (summary.seconds["report"])."""
    started = time.perf_counter()
    html = build(engine, as_of, summary.run_timings, summary.run_id)
    path = report_path(pending, as_of)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    summary.report = path.relative_to(pending).as_posix()
    summary.seconds[KIND] = round(time.perf_counter() - started, 3)
    return path
