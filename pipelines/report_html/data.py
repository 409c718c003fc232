"""What the night's report shows, read from the publish step's relations as small aggregates.

Every query here counts; none returns a person. The report is for people across departments,
so no name, identity number, person or household id ever leaves this module: the frames are
counts by category, department, county, rule, source, method and night. Free text that reaches
the page (quarantine messages, reject reasons, skip reasons) goes through masking.safe_message.

Parts that depend on later work (follow-up columns of warning_status, the divisions table,
review decisions) are read when the relations have them; otherwise the part is None and the
page says plainly that there is no data yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from pipelines.engine.base import Engine
from pipelines.masking import safe_message

TREND_NIGHTS = 90          # nights shown in the trend charts (the history is kept for every night)
STATUSES = ("new", "open", "resolved")
FOLLOWUP_COLUMNS = ("followup", "overdue")                 # issue 12a: the feedback loop
OPTIONAL_COLUMNS = ("urgent", "overdue", "followup", "match", "resolved_reason")


@dataclass
class NightFacts:
    as_of: date
    warnings: pl.DataFrame                 # category, department, county_code, rule_code, status [+ optional], n
    trend: pl.DataFrame                    # as_of, category, department, status, n [, overdue]
    sources: pl.DataFrame                  # one row per source: state, delivery, rows, issues, seconds
    rejects: pl.DataFrame                  # source, reason, n
    issues: pl.DataFrame                   # source, column, problem, n
    expectations: pl.DataFrame             # failed expectations: source, expectation, severity, action, ...
    rules: pl.DataFrame                    # rule_code, title, department, status, reason, found
    ignored: pl.DataFrame                  # reason, n (what discovery did not use)
    links: pl.DataFrame                    # source, method, n
    review: pl.DataFrame                   # source, reason, n
    linking_trend: pl.DataFrame            # as_of, table (links | review), n
    county_names: dict[str, str] = field(default_factory=dict)    # county code → name (divisions)
    divisions_known: bool = False
    columns: frozenset[str] = frozenset()  # the warning_status columns tonight (what 12a added)
    replies: pl.DataFrame | None = None            # department, outcome, n (feedback_rows), when it exists
    reply_rejects: pl.DataFrame | None = None      # reason, n (feedback rows sent back)
    review_backlog: pl.DataFrame | None = None     # kind (review | identity), county_code, questions
    review_decisions: pl.DataFrame | None = None   # status, decision, n (review_decision_log)
    tie_decisions: pl.DataFrame | None = None      # decision, origin, n (standing decisions honoured tonight)
    step_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def has_followup(self) -> bool:
        return set(FOLLOWUP_COLUMNS) <= self.columns

    def current(self) -> pl.DataFrame:
        """Tonight's warnings that are open (new or still open)."""
        return self.warnings.filter(pl.col("status") != "resolved")


def _cols(engine: Engine, relation: str) -> set[str]:
    return {c for c, _ in engine.columns(relation)} if engine.exists(relation) else set()


def _warnings(engine: Engine, columns: set[str]) -> pl.DataFrame:
    extra = [c for c in OPTIONAL_COLUMNS if c in columns]
    keys = ", ".join(["category", "department", "county_code", "rule_code", "status", *extra])
    return engine.frame(f"SELECT {keys}, count(*) AS n FROM warning_status GROUP BY ALL")


def _trend(engine: Engine, as_of: date, columns: set[str]) -> pl.DataFrame:
    """Counts per night, tonight and the published nights before it (a backfill's report shows
    the nights up to its date, not later ones)."""
    history = _cols(engine, "history_warning_status")
    with_overdue = "overdue" in columns and "overdue" in history
    overdue = ", count(*) FILTER (WHERE overdue) AS overdue" if with_overdue else ""
    tonight = engine.frame(f"SELECT CAST($as_of AS DATE) AS as_of, category, department, status, count(*) AS n"
                           f"{overdue} FROM warning_status GROUP BY ALL", {"as_of": as_of})
    earlier = engine.frame(f"SELECT as_of, category, department, status, count(*) AS n{overdue} "
                           "FROM history_warning_status WHERE as_of < $as_of AND as_of >= $since GROUP BY ALL",
                           {"as_of": as_of, "since": as_of - timedelta(days=TREND_NIGHTS)})
    out = pl.concat([earlier, tonight], how="vertical_relaxed")
    out = out.with_columns(pl.col("category").cast(pl.Int64), pl.col("n").cast(pl.Int64))
    return out.sort(["as_of", "category", "department", "status"], nulls_last=True)


def _sources(engine: Engine, as_of: date) -> pl.DataFrame:
    frame = engine.frame(
        "SELECT r.source, r.status, r.delivery_date, r.message, l.rows_read, l.rows_loaded, l.rows_rejected, "
        "l.value_issues, l.staged_seconds "
        "FROM run_sources r LEFT JOIN delivery_log l USING (source, delivery_date) "
        "WHERE r.as_of = $as_of ORDER BY r.source", {"as_of": as_of})
    return frame.with_columns(pl.col("message").map_elements(safe_message, return_dtype=pl.String))


def _per_source(engine: Engine, as_of: date, table: str, keys: str) -> pl.DataFrame:
    """Rows of rejects / data_issues of the deliveries the night used, counted by `keys`."""
    return engine.frame(
        f"SELECT t.source, {keys}, count(*) AS n FROM {table} t "
        "JOIN run_sources r ON r.source = t.source AND r.delivery_date = t.delivery_date AND r.as_of = $as_of "
        f"GROUP BY ALL ORDER BY n DESC, t.source, {keys}", {"as_of": as_of})


def _masked(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).map_elements(safe_message, return_dtype=pl.String) for c in columns)


def _linking_trend(engine: Engine, as_of: date, links: pl.DataFrame, review: pl.DataFrame) -> pl.DataFrame:
    """Links and review records per night: the published nights' row counts (the night datasets'
    bookkeeping, kept for the detail window), and tonight's."""
    earlier = pl.DataFrame(schema={"as_of": pl.Date, "table": pl.String, "n": pl.Int64})
    if engine.exists("_datasets"):
        earlier = engine.frame(
            "SELECT as_of, table_name AS \"table\", sum(rows) AS n FROM _datasets "
            "WHERE state = 'published' AND table_name IN ('links', 'review') AND as_of < $as_of AND as_of >= $since "
            "GROUP BY ALL", {"as_of": as_of, "since": as_of - timedelta(days=TREND_NIGHTS)})
    tonight = pl.DataFrame({"as_of": [as_of, as_of], "table": ["links", "review"],
                            "n": [int(links["n"].sum()), int(review["n"].sum())]})
    return pl.concat([earlier, tonight], how="vertical_relaxed").with_columns(pl.col("n").cast(pl.Int64)).sort(
        "as_of", "table")


def _county_names(engine: Engine) -> tuple[dict[str, str], bool]:
    """County code → name from the divisions table (a name repeated in the province carries its
    prefecture, as in the push lists); ({}, False) before the table exists."""
    if not engine.exists("divisions"):
        return {}, False
    from pipelines.publish.divisions import name_maps

    frame = engine.frame("SELECT level, code, name, parent_code FROM divisions WHERE level IN ('county', 'prefecture')")
    return name_maps(frame).get("county", {}), True


def _if_exists(engine: Engine, relation: str, needs: set[str], sql: str, params: dict | None = None):
    """The counts of `sql` when `relation` exists tonight with the columns `needs`, else None."""
    return engine.frame(sql, params) if needs <= _cols(engine, relation) else None


def _followup_and_review(engine: Engine) -> dict:
    """The feedback loop's replies (issue 12a) and the county review of ties (issue 13), where
    tonight's relations have them."""
    return {
        "replies": _if_exists(engine, "feedback_rows", {"department", "outcome"},
                              "SELECT coalesce(department, '（未知）') AS department, outcome, count(*) AS n "
                              "FROM feedback_rows GROUP BY ALL ORDER BY department, outcome"),
        "reply_rejects": _if_exists(engine, "feedback_rejects", {"reason"},
                                    "SELECT reason, count(*) AS n FROM feedback_rejects GROUP BY ALL ORDER BY n DESC, reason"),
        "review_backlog": _if_exists(engine, "review_items", {"kind", "county_code", "review_id"},
                                     "SELECT kind, county_code, count(DISTINCT review_id) AS n FROM review_items "
                                     "GROUP BY ALL ORDER BY n DESC, county_code"),
        "review_decisions": _if_exists(engine, "review_decision_log", {"status", "decision"},
                                       "SELECT status, decision, count(*) AS n FROM review_decision_log "
                                       "GROUP BY ALL ORDER BY status, decision"),
        "tie_decisions": _if_exists(engine, "tie_decisions", {"decision", "origin"},
                                    "SELECT decision, origin, count(*) AS n FROM tie_decisions GROUP BY ALL "
                                    "ORDER BY n DESC, decision, origin"),
    }


def gather(engine: Engine, as_of: date, step_seconds: dict[str, float] | None = None) -> NightFacts:
    """Everything the report shows, from the publish step's engine (after its models ran)."""
    columns = _cols(engine, "warning_status")
    links = engine.frame("SELECT source, method, count(*) AS n FROM links GROUP BY ALL ORDER BY source, method") \
        if engine.exists("links") else pl.DataFrame(schema={"source": pl.String, "method": pl.String, "n": pl.Int64})
    review = engine.frame("SELECT source, reason, count(*) AS n FROM review GROUP BY ALL ORDER BY n DESC, source, reason") \
        if engine.exists("review") else pl.DataFrame(schema={"source": pl.String, "reason": pl.String, "n": pl.Int64})
    rules = engine.frame(
        "SELECT r.rule_code, coalesce(c.title, r.rule_code) AS title, c.department, r.status, r.reason, r.found "
        "FROM rule_runs r LEFT JOIN rule_catalogue c USING (rule_code) ORDER BY r.status DESC, r.rule_code")
    expectations = engine.frame(
        "SELECT source, delivery_date, expectation, \"column\", severity, action, observed_value, unexpected_count, "
        "element_count FROM validation_results WHERE NOT success ORDER BY severity, source, expectation") \
        if engine.exists("validation_results") else pl.DataFrame()
    ignored = engine.frame("SELECT reason, count(*) AS n FROM run_ignored WHERE as_of = $as_of GROUP BY ALL "
                           "ORDER BY n DESC, reason", {"as_of": as_of})
    names, known = _county_names(engine)
    facts = NightFacts(
        as_of=as_of,
        warnings=_warnings(engine, columns).with_columns(pl.col("category").cast(pl.Int64), pl.col("n").cast(pl.Int64)),
        trend=_trend(engine, as_of, columns),
        sources=_sources(engine, as_of),
        rejects=_masked(_per_source(engine, as_of, "rejects", "t.reason"), "reason"),
        issues=_per_source(engine, as_of, "data_issues", "t.\"column\", t.problem"),
        expectations=expectations,
        rules=_masked(rules, "reason"),
        ignored=_masked(ignored, "reason"),
        links=links,
        review=_masked(review, "reason"),
        linking_trend=_linking_trend(engine, as_of, links, review),
        county_names=names,
        divisions_known=known,
        columns=frozenset(columns),
        step_seconds=dict(step_seconds or {}),
        **_followup_and_review(engine),
    )
    if facts.reply_rejects is not None:
        facts.reply_rejects = _masked(facts.reply_rejects, "reason")
    return facts
