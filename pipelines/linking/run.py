"""Link one logical date's department records to its registry, and publish links and review.

Order of tiers (each only sees records no earlier tier decided):
exact number → 15→18 converted → repaired number → disability card → fuzzy name.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date

import yaml

from pipelines import paths
from pipelines.contracts import load_contracts, registry_sources
from pipelines.linking.fuzzy import decide, fit_model, score_candidates
from pipelines.linking.records import link_records_sql
from pipelines.linking.sqlfiles import render
from pipelines.timing import Clock
from pipelines.warehouse import Warehouse

log = logging.getLogger(__name__)


def linking_config() -> dict:
    return yaml.safe_load((paths.CONFIG / "linking.yaml").read_text(encoding="utf-8"))


@dataclass
class LinkSummary:
    as_of: date
    by_source: dict[str, dict[str, int]] = field(default_factory=dict)  # source → method → count
    seconds: dict[str, float] = field(default_factory=dict)
    model: dict = field(default_factory=dict)
    skipped: str = ""

    def total(self, key: str) -> int:
        return sum(v.get(key, 0) for v in self.by_source.values())


def link_run(wh: Warehouse, as_of: date, contracts: dict | None = None) -> LinkSummary:
    """Run every tier for the date and replace its rows in links / review / link_explanations."""
    contracts = contracts or load_contracts()
    cfg = linking_config()
    summary = LinkSummary(as_of)
    usable = wh.create_current_views(as_of, contracts)
    con = wh.con
    con.execute(render("outputs"))
    registry = set(registry_sources())
    if not registry <= set(usable):
        summary.skipped = "the registry is missing or quarantined for this date: nothing can be linked"
        with wh.transaction():
            for table in ("links", "link_explanations", "review", "link_models"):
                con.execute(f"DELETE FROM {table} WHERE as_of = ?", [as_of])
        return summary
    departments = [contracts[s] for s in sorted(usable) if s not in registry and contracts[s].subject]
    con.execute(f"SET VARIABLE name_agreement_jaro_winkler = {float(cfg['name_agreement_jaro_winkler'])}")

    clock = Clock(summary.seconds)

    def step(name: str, *sql: str) -> None:
        with clock(name):
            for s in sql:
                con.execute(s)

    step("prepare", render("decisions"), render("registry_identities"), link_records_sql(departments),
         render("known_identities"), render("frequencies"))
    if departments:
        step("exact", render("tier_exact"))
        step("repair", render("check_digits"), render("tier_repair"),
             render("repair_scores", province_population=int(cfg["province_population"])))
        step("card", render("tier_card"))
        with clock("fuzzy"):
            model = fit_model(con, cfg)
            scored = score_candidates(con, model, cfg)
            decide(con, scored, cfg)
        summary.model = model.describe()
    with wh.transaction():
        con.execute(render("publish", as_of=f"DATE '{as_of}'"))
        con.execute("DELETE FROM link_models WHERE as_of = ?", [as_of])
        con.execute("INSERT INTO link_models VALUES (?, ?)", [as_of, json.dumps(summary.model, ensure_ascii=False, sort_keys=True)])
    summary.by_source = _counts(wh, as_of)
    return summary


def _counts(wh: Warehouse, as_of: date) -> dict[str, dict[str, int]]:
    rows = wh.execute(
        """
        SELECT source, method, count(*) FROM links WHERE as_of = ? GROUP BY ALL
        UNION ALL SELECT source, 'review', count(*) FROM review WHERE as_of = ? GROUP BY ALL
        UNION ALL SELECT source, 'records', count(*) FROM link_records GROUP BY ALL
        """,
        [as_of, as_of],
    ).fetchall()
    out: dict[str, dict[str, int]] = {}
    for source, method, n in rows:
        out.setdefault(source, {})[method] = int(n)
    return out
