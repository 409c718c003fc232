"""The files for people a night publishes, each written by one writer into the run's pending
folder (pipelines.store.night swaps them in right after the catalog).

A writer is `write(engine, pending, as_of, summary)`: `engine` holds the night's relations
(warning_status, push_rows, divisions, charity_needs ...), `pending` is the run's folder of files
to swap in, where the writer makes `<kind>/<YYYY-MM-DD>/…` (a folder per night) or
`<kind>/<YYYY-MM-DD>.<ext>` (one file per night). A new kind of file is a writer and one line in
WRITERS. The night's prepared rows (push_rows with names and readable evidence) are made once
per engine and shared by the writers (`night_rows`).
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Callable

import polars as pl

from pipelines.engine.base import Engine
from pipelines.publish import PublishSummary

log = logging.getLogger(__name__)
Writer = Callable[[Engine, Path, date, PublishSummary], None]
_CACHE = "_publish_night_rows"


def place_names(engine: Engine) -> dict[str, dict[str, str]]:
    """level → code → name, from tonight's `divisions` (the official table alone without it)."""
    from pipelines.publish.divisions import name_maps

    return name_maps(engine.frame("SELECT level, code, name, parent_code FROM divisions")
                     if engine.exists("divisions") else None)


def night_rows(engine: Engine) -> tuple[pl.DataFrame, dict]:
    """(prepared push_rows, place names) of this engine's night, computed once."""
    from pipelines.publish.rows import prepare

    cached = getattr(engine, _CACHE, None)
    if cached is None:
        names = place_names(engine)
        cached = (prepare(engine.frame("SELECT * FROM push_rows"), names), names)
        setattr(engine, _CACHE, cached)
    return cached


def _protection():
    from pipelines.publish.encrypt import Protection

    return Protection()


def _push_lists(engine: Engine, pending: Path, as_of: date, summary: PublishSummary) -> None:
    from pipelines.publish import write_push_lists

    rows, _ = night_rows(engine)
    write_push_lists(rows, pending / "push" / as_of.isoformat(), as_of, summary, _protection())


def _county_workbooks(engine: Engine, pending: Path, as_of: date, summary: PublishSummary) -> None:
    from pipelines.publish.county import write_county_workbooks

    rows, _ = night_rows(engine)
    summary.county_files = write_county_workbooks(rows, pending / "county" / as_of.isoformat(), as_of,
                                                  _protection())


def _charity(engine: Engine, pending: Path, as_of: date, summary: PublishSummary) -> None:
    from pipelines.publish.charity import charity_file_name, write_charity

    if not engine.exists("charity_needs"):
        log.info("charity list not written: the model charity_needs did not run tonight")
        return
    rows, names = night_rows(engine)
    forbidden = {str(v) for c in ("name", "id_number", "household_id", "person_id")
                 for v in rows[c].drop_nulls().to_list()}
    path = pending / "charity" / charity_file_name(as_of)
    write_charity(path, engine.frame("SELECT * FROM charity_needs"), as_of, names.get("county", {}), forbidden)
    summary.charity_file = path.name


def _report(engine: Engine, pending: Path, as_of: date, summary: PublishSummary) -> None:
    from pipelines.report_html import write

    write(engine, pending, as_of, summary)


def _review_lists(engine: Engine, pending: Path, as_of: date, summary: PublishSummary) -> None:
    from pipelines.publish.review_files import write_review_lists

    write_review_lists(engine, pending, as_of, summary)


def _identity_lists(engine: Engine, pending: Path, as_of: date, summary: PublishSummary) -> None:
    from pipelines.publish.review_files import write_identity_lists

    write_identity_lists(engine, pending, as_of, summary)


WRITERS: list[tuple[str, Writer]] = [
    ("push", _push_lists),
    ("county", _county_workbooks),
    ("charity", _charity),
    ("report", _report),
    ("review", _review_lists),       # issue 13: 身份核查清单 per county (pipelines/publish/review_files.py)
    ("identity", _identity_lists),   # issue 13: 身份待核实清单 per county
]


def write_all(engine: Engine, pending: Path, as_of: date, summary: PublishSummary) -> None:
    from pipelines.publish.workers import file_pool

    try:
        with file_pool():   # the workbooks of every writer side by side (pipelines/publish/workers.py)
            for _, writer in WRITERS:
                writer(engine, pending, as_of, summary)
    finally:
        if hasattr(engine, _CACHE):
            delattr(engine, _CACHE)
