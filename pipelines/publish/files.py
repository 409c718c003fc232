"""The files for people a night publishes, each written by one writer into the run's pending
folder (pipelines.store.night swaps them in right after the catalog).

A writer is `write(engine, pending, as_of, summary)`: `engine` holds the night's relations
(warning_status, push_rows, registry_facts ...), `pending` is the run's folder of files to swap
in, where the writer makes `<kind>/<YYYY-MM-DD>/…` (a folder per night) or `<kind>/<YYYY-MM-DD>.<ext>`
(one file per night). A new kind of file is a writer and one line in WRITERS.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

from pipelines.engine.base import Engine
from pipelines.publish import PublishSummary

Writer = Callable[[Engine, Path, date, PublishSummary], None]


def _push_lists(engine: Engine, pending: Path, as_of: date, summary: PublishSummary) -> None:
    from pipelines.publish import write_push_lists

    write_push_lists(engine.frame("SELECT * FROM push_rows"), pending / "push" / as_of.isoformat(), as_of, summary)


WRITERS: list[tuple[str, Writer]] = [
    ("push", _push_lists),
]


def write_all(engine: Engine, pending: Path, as_of: date, summary: PublishSummary) -> None:
    for _, writer in WRITERS:
        writer(engine, pending, as_of, summary)
