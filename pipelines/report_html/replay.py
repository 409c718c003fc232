"""The report of a night already published, rebuilt from the published warehouse, read-only.

Why: a report lost or mailed to the wrong place can be made again without running the night,
and the report's layout can be worked on against a real warehouse without writing to it. The
published catalog is opened read-only (never in a run's way) and the night's relations get the
names the publish step gives them: the night's rows of each night table under its own name, and
`history_warning_status`, every published night. The run's step timings are not kept in the
warehouse, so a rebuilt report shows the staging times only.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines.engine.base import ident
from pipelines.engine.duckdb_engine import DuckDBEngine

NIGHT_TABLES = ("warning_status", "links", "review", "rule_runs", "validation_results", "feedback_rows",
                "feedback_rejects", "review_items", "review_decision_log", "tie_decisions")
LATEST_TABLES = ("divisions",)   # retention latest: the newest night's rows are all there is


class NotPublished(LookupError):
    """The warehouse has no published night of that date."""


def replay(warehouse: Path, as_of: date) -> str:
    """The HTML of the published night `as_of` of `warehouse`."""
    from pipelines.report_html import build

    if not Path(warehouse).is_file():
        raise NotPublished(f"no warehouse at {warehouse}")
    with DuckDBEngine(Path(warehouse), read_only=True) as eng:
        run = eng.rows("SELECT run_id FROM _publications WHERE as_of = $d", {"d": as_of})
        if not run:
            raise NotPublished(f"{warehouse} has no published night {as_of}")
        db = eng.scalar("SELECT current_database()")
        qualified = lambda t: f'"{db}".main.{ident(t)}'  # noqa: E731  (the catalog's view, not the temp one)

        def view(name: str, body: str) -> None:   # a temp view: the only thing a read-only connection may create
            eng.run(f"CREATE TEMP VIEW {ident(name)} AS {body}")

        for table in NIGHT_TABLES:
            if eng.exists(table):
                view(table, f"SELECT * EXCLUDE (as_of) FROM {qualified(table)} WHERE as_of = DATE '{as_of.isoformat()}'")
        for table in LATEST_TABLES:
            if eng.exists(table):
                view(table, f"SELECT * EXCLUDE (as_of) FROM {qualified(table)}")
        view("history_warning_status", f"SELECT * FROM {qualified('warning_status')}")
        view("history_rule_runs", f"SELECT * FROM {qualified('rule_runs')}")
        return build(eng, as_of, None, run[0][0])
