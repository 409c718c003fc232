"""A backfill of two business dates through the DAG (the runs `airflow backfill create
--max-active-runs 1` makes, one after the other, each with the logical date of the run that
covers its date) gives, table by table, what `lowincome run --as-of` gives on those dates; and
a date's deliveries, gates, links and findings are the same as a run of that date alone (the
order dates run in does not change a gate: the row-count bound comes from the landing zone). D2 holds a quarantined delivery and a newer vehicles delivery bounded by D1's."""

from __future__ import annotations

import json

import duckdb
import pytest

from airflow_runs import D1, D2, PLANTED, assert_same_tables, dag_runs, lowincome_run, snapshot  # noqa: F401

pytestmark = [pytest.mark.airflow, pytest.mark.slow]


@pytest.fixture
def succeeded(dag_runs):
    states = [(r["as_of"], r["state"]) for r in dag_runs["runs"]]
    assert states == [(D1.isoformat(), "success"), (D2.isoformat(), "success")], dag_runs["log"]
    return dag_runs


def test_backfill_equals_lowincome_run_on_each_date(succeeded, tmp_path):
    cli = tmp_path / "cli.duckdb"
    lowincome_run(succeeded["landing"], cli, D1, D2)
    assert_same_tables(snapshot(succeeded["warehouse"]), snapshot(cli))


# Tables that do not depend on earlier dates (warning history does, by design: first_seen,
# new/open/resolved): the date's deliveries, their gates, links and the rules' findings.
PER_DATE = ("run_sources", "run_ignored", "delivery_log", "rejects", "data_issues", "validation_results",
            "links", "review", "link_explanations", "signals", "rule_runs")


def test_each_date_is_what_a_run_of_that_date_alone_gives(succeeded, tmp_path):
    alone = tmp_path / "d2_alone.duckdb"
    lowincome_run(succeeded["landing"], alone, D2)      # D1 never ran here: no delivery of D1 loaded

    def per_date(path):
        return {t: rows for t, rows in snapshot(path, as_of=D2).items() if t in PER_DATE or t.startswith("stg_")}

    tables = per_date(succeeded["warehouse"])
    assert {"validation_results", "delivery_log", "stg_vehicles"} <= set(tables)
    assert_same_tables(tables, per_date(alone))


def test_quarantine_and_row_count_bound_in_the_backfill(succeeded):
    with duckdb.connect(succeeded["warehouse"], read_only=True) as con:
        states = dict(con.execute("SELECT as_of, status FROM run_sources WHERE source = ?", [PLANTED]).fetchall())
        assert states == {D1: "loaded", D2: "quarantined"}
        skipped = {r[0] for r in con.execute("SELECT rule_code FROM rule_runs WHERE as_of = ? AND status = 'skipped'",
                                              [D2]).fetchall()}
        assert {"DIBAO_SINGLE", "MULTI_HARDSHIP"} <= skipped
        assert con.execute("SELECT count(*) FROM rule_runs WHERE as_of = ? AND status = 'evaluated'", [D2]).fetchone()[0] >= 10
        (details,) = con.execute("SELECT details FROM validation_results WHERE as_of = ? AND source = 'vehicles' "
                                 "AND expectation = 'row_count.critical'", [D2]).fetchone()
        bound = json.loads(details)
        assert bound["previous_delivery"] == D1.isoformat() and bound["min_value"] <= bound["previous_rows"]
