"""The rules step's account of a night: which rules were evaluated and found how many warnings,
which were skipped and why (a source missing or quarantined), as the `rule_runs` night table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from pipelines.engine.base import Engine
from pipelines.models.project import Project
from pipelines.models.runner import StepReport

RULE_FOLDER = "rules"
RULE_RUNS_SCHEMA = {"rule_code": pl.String, "status": pl.String, "reason": pl.String, "found": pl.Int64}


@dataclass
class RulesSummary:
    as_of: date
    found: dict[str, int] = field(default_factory=dict)     # rule → warnings found
    skipped: dict[str, str] = field(default_factory=dict)   # rule → why it was skipped
    seconds: dict[str, float] = field(default_factory=dict)
    signals: int = 0


def rule_models(project: Project) -> list:
    return sorted((m for m in project.models.values() if m.folder == RULE_FOLDER), key=lambda m: m.code)


def summarise(engine: Engine, project: Project, report: StepReport, as_of: date) -> RulesSummary:
    """Found per rule (from warnings_found), skipped with their reasons; checks one warning per
    rule and subject (a rule SQL that breaks it is a bug, and publishing it would double-push)."""
    s = RulesSummary(as_of)
    found = dict(engine.rows("SELECT rule_code, count(*) FROM warnings_found GROUP BY rule_code")) \
        if "warnings_found" in report.ran else {}
    dup = engine.rows("SELECT rule_code, subject_key, count(*) FROM warnings_found GROUP BY rule_code, subject_key "
                      "HAVING count(*) > 1 LIMIT 3") if "warnings_found" in report.ran else []
    if dup:
        raise RuntimeError(f"rule SQL returned a subject twice: {[(r, n) for r, _, n in dup]}")
    for m in rule_models(project):
        if m.name in report.skipped:
            s.skipped[m.code] = report.skipped[m.name]
        else:
            s.found[m.code] = int(found.get(m.code, 0))
            s.seconds[m.code] = report.seconds.get(m.name, 0.0)
    if "signals" in report.ran:
        s.signals = int(engine.scalar("SELECT count(*) FROM signals"))
    return s


def rule_runs_frame(summary: RulesSummary) -> pl.DataFrame:
    rows = [{"rule_code": c, "status": "evaluated", "reason": None, "found": n} for c, n in summary.found.items()]
    rows += [{"rule_code": c, "status": "skipped", "reason": r, "found": None} for c, r in summary.skipped.items()]
    return pl.DataFrame(rows, schema=RULE_RUNS_SCHEMA).sort("rule_code")
