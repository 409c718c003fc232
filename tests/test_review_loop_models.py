"""The review loop's models on rows written here (tests/modelkit.run_models): what was offered is kept
across nights (review_offers, in the declared history shape), and a returned decision counts only
about a question offered on an earlier night than its delivery."""

from __future__ import annotations

from datetime import date

import polars as pl

from modelkit import run_models
from pipelines.store.night import HISTORY_TABLES, _declared_shapes

TYPES = {"VARCHAR": pl.String, "DATE": pl.Date}


def offers(rows: list[tuple]) -> pl.DataFrame:
    """history_review_offers rows (as_of, review_id, signature, person_id, source, first, last)."""
    schema = {c: TYPES[t] for c, t in _declared_shapes()["review_offers"].items()}
    return pl.DataFrame(rows, schema=schema, orient="row")


def items(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"review_id": pl.String, "signature": pl.String, "person_id": pl.String,
                                      "source": pl.String}, orient="row")


def test_offers_are_kept_across_nights_in_their_declared_shape():
    assert "review_offers" in HISTORY_TABLES
    before = offers([(date(2026, 11, 30), "KAAA", "sa", "P1", "agri_monitoring", date(2026, 11, 20), date(2026, 11, 30)),
                     (date(2026, 11, 30), "KBBB", "sb", "P2", "housing", date(2026, 11, 25), date(2026, 11, 25))])
    tonight = items([("KAAA", "sa", "P1", "agri_monitoring"), ("KCCC", "sc", "P3", "medins_burden"),
                     ("KCCC", "sc", None, "medins_burden")])
    eng = run_models({"history_review_offers": before, "review_items": tonight}, ["review_offers"],
                     as_of=date(2026, 12, 1))
    got = eng.frame("SELECT * FROM review_offers ORDER BY review_id")
    declared = [c for c in _declared_shapes()["review_offers"] if c != "as_of"]
    assert got.columns == declared
    assert got.rows() == [
        ("KAAA", "sa", "P1", "agri_monitoring", date(2026, 11, 20), date(2026, 12, 1)),
        ("KBBB", "sb", "P2", "housing", date(2026, 11, 25), date(2026, 11, 25)),
        ("KCCC", "sc", "P3", "medins_burden", date(2026, 12, 1), date(2026, 12, 1))]


def decisions(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"delivery_date": pl.Date, "_file": pl.String, "_row": pl.Int64,
                                      "review_id": pl.String, "person_id": pl.String, "decision": pl.String,
                                      "decided_by": pl.String, "decided_on": pl.Date, "note": pl.String},
                        orient="row")


def test_a_decision_counts_only_about_what_was_offered_before_its_delivery():
    """A rerun of the night an offer was made must not accept a reply it could not have had: an
    offer counts for deliveries dated after the night it was made."""
    offered = offers([(date(2026, 12, 1), "KAAA", "sa", "P1", "x", date(2026, 11, 28), date(2026, 12, 1)),
                      (date(2026, 12, 1), "KBBB", "sb", "P2", "x", date(2026, 12, 1), date(2026, 12, 1))])
    d = date(2026, 12, 1)
    rows = decisions([
        (d, "a.xlsx", 4, " kaaa ", "p1", "是同一人", "张三", date(2026, 11, 30), None),   # typed loosely: counts
        (d, "a.xlsx", 5, "KBBB", "P2", "是同一人", "张三", date(2026, 12, 1), None),      # offered that same night
        (d, "a.xlsx", 6, "KAAA", "P1", None, None, None, "看过了"),                      # not a decision: not listed
        (d, "a.xlsx", 7, "KAAA", "P1", "不是同一人", None, date(2026, 11, 30), None),     # nobody decided
    ])
    eng = run_models({"history_review_offers": offered, "all_review_decisions": rows}, ["review_decision_log"],
                     as_of=d)
    log = eng.frame("SELECT row_in_file, review_id, person_id, decision, status, reason, signature "
                    "FROM review_decision_log ORDER BY row_in_file").rows()
    assert log == [(4, "KAAA", "P1", "confirm", "accepted", None, "sa"),
                   (5, "KBBB", "P2", "confirm", "rejected", "unknown 核查编号", "sb"),
                   (7, "KAAA", "P1", "refuse", "rejected", "核实人 missing", "sa")]


def test_the_latest_accepted_decision_per_record_and_person_stands():
    log = pl.DataFrame([
        (date(2026, 12, 1), "a.xlsx", 4, "KAAA", "P1", "confirm", "张三", date(2026, 11, 30), "sa", "accepted"),
        (date(2026, 12, 3), "b.csv", 2, "KAAA", "P1", "refuse", "李四", date(2026, 12, 2), "sa", "accepted"),
        (date(2026, 12, 4), "c.csv", 2, "KAAA", "P1", "confirm", "王五", date(2026, 12, 5), "sa", "rejected"),
        (date(2026, 12, 1), "a.xlsx", 5, "KAAA", "P2", "confirm", "张三", date(2026, 11, 30), "sa", "accepted"),
    ], schema={"delivery_date": pl.Date, "file": pl.String, "row_in_file": pl.Int64, "review_id": pl.String,
               "person_id": pl.String, "decision": pl.String, "decided_by": pl.String, "decided_on": pl.Date,
               "signature": pl.String, "status": pl.String}, orient="row")
    eng = run_models({"review_decision_log": log}, ["review_decisions"])
    got = eng.frame("SELECT person_id, decision, decided_by, decided_on, origin FROM review_decisions "
                    "ORDER BY person_id").rows()
    assert got == [("P1", "refuse", "李四", date(2026, 12, 2), "review_decisions 2026-12-03 b.csv 第2行 核查编号 KAAA"),
                   ("P2", "confirm", "张三", date(2026, 11, 30), "review_decisions 2026-12-01 a.xlsx 第5行 核查编号 KAAA")]
