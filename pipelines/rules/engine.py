"""Apply the catalogue's rules to one logical date and hand the results to the publish step.

    views & variables (context) → signals (sql/signals/<source>.sql) → each rule whose sources
    are usable (sql/rules/<rule>.sql) → category, department, subject key (sql/rules/_collect.sql)
    → pending_* tables (one transaction)

Why "pending": the rules step and the publish step are separate tasks (separate connections,
possibly processes); the published tables must change all at once, so this step writes only
its own hand-over tables and the publish step swaps them in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from pipelines import paths
from pipelines.contracts import load_contracts
from pipelines.rules.catalogue import Catalogue, Rule, load_catalogue, load_params
from pipelines.rules.context import prepare, sql_text
from pipelines.timing import Clock
from pipelines.warehouse import Warehouse

log = logging.getLogger(__name__)
PENDING = ("pending_warnings", "pending_rule_runs", "pending_signals")


@dataclass
class RulesSummary:
    as_of: date
    found: dict[str, int] = field(default_factory=dict)     # rule → warnings found
    skipped: dict[str, str] = field(default_factory=dict)   # rule → why it was skipped
    seconds: dict[str, float] = field(default_factory=dict)
    signals: int = 0


def _unusable_reasons(wh: Warehouse, as_of: date) -> dict[str, str]:
    """source → 'missing: …' / 'quarantined: …' for the date (run_sources)."""
    rows = wh.execute("SELECT source, status, message FROM run_sources WHERE as_of = ? AND status <> 'loaded'",
                      [as_of]).fetchall()
    return {s: f"{st}" + (f": {msg}" if msg else "") for s, st, msg in rows}


def skip_reason(catalogue: Catalogue, rule: Rule, usable: dict[str, date], unusable: dict[str, str]) -> str | None:
    missing = [s for s in catalogue.needs(rule) if s not in usable]
    if not missing:
        return None
    return "; ".join(f"{s} {unusable.get(s, 'missing: not recorded for this date')}" for s in missing)


def _load_catalogue_tables(wh: Warehouse, catalogue: Catalogue) -> None:
    con = wh.con
    con.execute("CREATE OR REPLACE TEMP TABLE tonight_catalogue (code VARCHAR, category VARCHAR, department VARCHAR,"
                " subject VARCHAR, title VARCHAR)")
    con.executemany("INSERT INTO tonight_catalogue VALUES (?, ?, ?, ?, ?)",
                    [[r.code, r.category, r.department, r.subject, r.title] for r in catalogue.rules])
    con.execute("CREATE OR REPLACE TEMP TABLE tonight_categories (category INTEGER, category_code VARCHAR)")
    con.executemany("INSERT INTO tonight_categories VALUES (?, ?)", list(catalogue.categories.items()))
    con.execute("CREATE OR REPLACE TEMP TABLE rule_hits (rule_code VARCHAR, person_id VARCHAR, id_number VARCHAR,"
                " name VARCHAR, county_code VARCHAR, evidence JSON[])")


def _run_signals(wh: Warehouse, linked: list[str]) -> None:
    """The registry's facts, then each linked source's (a file per source, when there is one)."""
    wh.con.execute(sql_text("signals/registry.sql"))
    for source in linked:
        if (paths.SQL / "signals" / f"{source}.sql").exists():
            wh.con.execute(sql_text(f"signals/{source}.sql"))


def apply_rules(wh: Warehouse, as_of: date, params: dict | None = None,
                catalogue: Catalogue | None = None) -> RulesSummary:
    """Evaluate every rule for the date; skip (and say why) those whose sources are unusable."""
    contracts = load_contracts()
    catalogue = catalogue or load_catalogue()
    params = load_params() if params is None else params
    summary = RulesSummary(as_of)
    con = wh.con
    con.execute(sql_text("rules/_pending.sql"))
    usable = wh.create_current_views(as_of, contracts)
    unusable = _unusable_reasons(wh, as_of)
    runs: list[list] = []
    registry_ok = all(s in usable for s in catalogue.registry)
    clock = Clock(summary.seconds)
    if registry_ok:
        with clock("signals"):
            linked = prepare(wh, as_of, params, usable, contracts)
            _load_catalogue_tables(wh, catalogue)
            _run_signals(wh, linked)
    for rule in catalogue.rules:
        reason = skip_reason(catalogue, rule, usable, unusable)
        if reason:
            summary.skipped[rule.code] = reason
            runs.append([as_of, rule.code, "skipped", reason, None])
            log.warning("rule %s skipped for %s: %s", rule.code, as_of, reason)
            continue
        body = sql_text(f"rules/{rule.sql}").strip().rstrip(";")
        with clock(rule.code):
            con.execute(f"INSERT INTO rule_hits BY NAME SELECT '{rule.code}' AS rule_code, * FROM (\n{body}\n)")
    if registry_ok:
        con.execute(sql_text("rules/_collect.sql"))
        _check_one_per_subject(wh)
        for code, n in con.execute("SELECT rule_code, count(*) FROM warnings_tonight GROUP BY 1").fetchall():
            summary.found[code] = int(n)
        summary.signals = int(con.execute("SELECT count(*) FROM signals_tonight").fetchall()[0][0])
    for rule in catalogue.rules:
        if rule.code not in summary.skipped:
            summary.found.setdefault(rule.code, 0)
            runs.append([as_of, rule.code, "evaluated", None, summary.found[rule.code]])
    with wh.transaction():
        for table in PENDING:
            con.execute(f"DELETE FROM {table} WHERE as_of = ?", [as_of])
        if registry_ok:
            con.execute("INSERT INTO pending_warnings BY NAME SELECT * FROM warnings_tonight")
            con.execute("INSERT INTO pending_signals BY NAME SELECT * FROM signals_tonight")
        con.executemany("INSERT INTO pending_rule_runs (as_of, rule_code, status, reason, found) "
                        "VALUES (?, ?, ?, ?, ?)", runs)
    return summary


def _check_one_per_subject(wh: Warehouse) -> None:
    """One rule gives a subject at most one warning per run (rules.md); a rule SQL that breaks
    this is a bug, and publishing it would double-push a case."""
    dup = wh.con.execute("SELECT rule_code, subject_key, count(*) FROM warnings_tonight GROUP BY ALL "
                         "HAVING count(*) > 1 LIMIT 3").fetchall()
    if dup:
        raise RuntimeError(f"rule SQL returned a subject twice: {[(r, n) for r, _, n in dup]}")
