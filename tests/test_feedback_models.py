"""The feedback models on rows written in the test (tests/modelkit.py run_models): every row of
every reply delivery accounted for (accepted, rejected with its reasons, empty), the standing reply
of a warning episode, and the ties a standing false alarm refuses (overrides/feedback_refusals)."""

from __future__ import annotations

from datetime import date

import polars as pl

from modelkit import run_models
from pipelines.store.night import _declared_shapes

AS_OF = date(2026, 11, 28)
W1, W2, W3 = "MS-AAAAAAAA", "VH-BBBBBBBB", "VH-CCCCCCCC"
TYPES = {"VARCHAR": pl.String, "DATE": pl.Date, "BOOLEAN": pl.Boolean, "INTEGER": pl.Int32, "BIGINT": pl.Int64}
FEEDBACK = {"delivery_date": pl.Date, "_file": pl.String, "_row": pl.Int64, "row_no": pl.String,
            "warning_id": pl.String, "result": pl.String, "action": pl.String, "handler": pl.String,
            "done_on": pl.Date, "note": pl.String, "department": pl.String}


def frame(schema: dict, rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema, orient="row")


def history(rows: list[dict]) -> pl.DataFrame:
    """history_warning_status rows (the declared shape, sql/warehouse/history_shapes.yaml)."""
    schema = {c: TYPES[t] for c, t in _declared_shapes()["warning_status"].items()}
    base = {"status": "open", "pushed": True, "category": 4}
    return frame(schema, [{**base, **r} for r in rows])


def night(as_of, wid, dept, first_seen, condition="c1", **more) -> dict:
    return {"as_of": as_of, "warning_id": wid, "department": dept, "first_seen": first_seen, "condition": condition,
            "rule_code": {"MS": "MED_SUBSIDY", "VH": "VEHICLE_OWNER"}[wid[:2]], "subject_key": "S" + wid[-1],
            "person_id": "P" + wid[-1], "household_id": "H" + wid[-1], "name": "某某", **more}


HISTORY = history([
    night(date(2026, 11, 1), W1, "医保局", date(2026, 11, 1), "c1"),
    night(date(2026, 11, 5), W1, "医保局", date(2026, 11, 1), "c2"),
    night(date(2026, 11, 3), W2, "民政厅", date(2026, 11, 3),
          ties='[{"source":"vehicles","signature":"sig-fuzzy","person_id":"PB","method":"fuzzy_name","role":"record"},'
               '{"source":"vehicles","signature":"sig-exact","person_id":"PB","method":"exact_id","role":"record"},'
               '{"source":"staff_roster","signature":"sig-rel","person_id":"PB","method":"exact_id",'
               '"role":"relative"}]'),
    night(date(2026, 11, 20), W3, "民政厅", date(2026, 11, 20)),
])


def reply(n: int, wid, file="医保局_2026-11-05.xlsx", delivered=date(2026, 11, 10), **values) -> dict:
    return {"delivery_date": delivered, "_file": file, "_row": n, "warning_id": wid, **values}


FILLED = {"result": "属实", "action": "已落实救助", "handler": "王某", "done_on": date(2026, 11, 9)}
REPLIES = [
    reply(4, " ms-aaaaaaaa ", **FILLED),                                    # typed in lower case, spaced
    reply(5, W2, **FILLED),                                                  # 民政厅's warning in 医保局's file
    reply(6, "ZZ-00000000", **FILLED),
    reply(7, W1, **{**FILLED, "done_on": date(2026, 11, 12)}),              # after the delivery date
    reply(8, W1, **{**FILLED, "result": "已核实"}),
    reply(9, W1, handler="王某", note="已电话联系"),                          # neither result nor action
    reply(10, W1),                                                           # the row as it was sent
    reply(11, None, **FILLED),
    reply(2, W2, file="民政厅_反馈.csv", result="不属实", handler="李四", done_on=date(2026, 11, 8)),
    reply(3, W2, file="医保局_x.xlsx", department="民政厅", result="属实"),   # the 部门 column wins
    reply(12, W3, **FILLED),                                                 # issued after the delivery
    reply(13, W1, **{**FILLED, "action": "办好了"}, delivered=date(2026, 11, 12)),
]


def feedback_night(replies=REPLIES, hist=HISTORY, names=("feedback_rows", "standing_replies", "feedback_refusals")):
    return run_models({"all_feedback": frame(FEEDBACK, replies), "history_warning_status": hist}, list(names),
                      as_of=AS_OF)


def test_every_row_is_accounted_for_with_its_reasons():
    eng = feedback_night()
    rows = {r["row_in_file"]: r for r in eng.frame("SELECT * FROM feedback_rows").to_dicts()}
    assert len(rows) == len(REPLIES)
    outcome = {n: (r["outcome"], r["reason_code"]) for n, r in rows.items()}
    assert outcome == {
        4: ("accepted", None), 5: ("rejected", "not_pushed"), 6: ("rejected", "unknown_id"),
        7: ("rejected", "done_after_delivery"), 8: ("rejected", "bad_result"), 9: ("rejected", "no_result"),
        10: ("empty", None), 11: ("rejected", "blank_id"), 2: ("accepted", None), 3: ("accepted", None),
        12: ("rejected", "unknown_id"), 13: ("rejected", "bad_action")}
    assert rows[5]["reason"] == "该预警未推送给医保局" and rows[5]["department"] == "医保局"
    assert rows[7]["reason"] == "办结日期晚于报送日期"
    assert rows[6]["reason"].startswith("预警编号不存在")
    # the accepted row refers to the latest night the warning was pushed to that department before
    # the delivery: its episode, its condition then, its subject
    r = rows[4]
    assert (r["warning_id"], r["followup"], r["reply_night"], r["episode_first_seen"], r["reply_condition"]) == (
        W1, "handled", date(2026, 11, 5), date(2026, 11, 1), "c2")
    assert (r["rule_code"], r["person_id"], r["household_id"]) == ("MED_SUBSIDY", "PA", "HA")
    assert (rows[2]["department"], rows[2]["followup"]) == ("民政厅", "false_alarm")   # from the CSV's name
    assert (rows[3]["department"], rows[3]["followup"]) == ("民政厅", "verified")
    rejects = eng.frame("SELECT * FROM feedback_rows WHERE outcome = 'rejected'")
    assert rejects["reason"].null_count() == 0


def test_several_reasons_are_all_named():
    eng = feedback_night([reply(1, W2, result="对", action="办了", done_on=date(2026, 11, 30))])
    (r,) = eng.frame("SELECT reason_code, reason FROM feedback_rows").to_dicts()
    assert r["reason_code"] == "not_pushed"
    assert r["reason"].split("；") == ["该预警未推送给医保局", "办结日期晚于报送日期", "核查结果应为 属实、不属实 或 无法核实",
                                       "处理情况应为 已落实救助、已终止救助、已转介、无需处理 或 其他"]


def test_the_standing_reply_has_the_latest_date_then_the_latest_delivery():
    replies = [
        reply(1, W2, file="民政厅_a.xlsx", result="不属实", done_on=date(2026, 11, 8)),
        reply(1, W2, file="民政厅_b.xlsx", result="属实", delivered=date(2026, 11, 15)),    # undated: yields
        reply(1, W1, result="属实", done_on=date(2026, 11, 9)),
        reply(1, W1, result="属实", action="已转介", done_on=date(2026, 11, 9), delivered=date(2026, 11, 12)),
    ]
    eng = feedback_night(replies)
    standing = {r["warning_id"]: r for r in eng.frame("SELECT * FROM standing_replies").to_dicts()}
    assert (standing[W2]["followup"], standing[W2]["followup_date"], standing[W2]["file"]) == (
        "false_alarm", date(2026, 11, 8), "民政厅_a.xlsx")
    assert (standing[W1]["followup"], standing[W1]["delivery_date"]) == ("handled", date(2026, 11, 12))


def test_a_false_alarm_refuses_the_ties_made_without_a_valid_number():
    replies = [reply(2, W2, file="民政厅_反馈.csv", result="不属实", handler="李四", done_on=date(2026, 11, 8))]
    (r,) = feedback_night(replies).frame("SELECT * FROM feedback_refusals").to_dicts()
    assert (r["signature"], r["person_id"], r["decision"]) == ("sig-fuzzy", "PB", "refuse")
    assert (r["decided_by"], r["decided_on"]) == ("民政厅 李四", date(2026, 11, 8))
    assert r["origin"] == f"feedback 2026-11-10 民政厅_反馈.csv 第2行 预警编号 {W2}"


def test_no_refusal_once_a_later_reply_stands_or_for_a_true_warning():
    later = reply(3, W2, file="民政厅_反馈2.csv", result="属实", action="已终止救助", done_on=date(2026, 11, 20),
                  delivered=date(2026, 11, 21))
    first = reply(2, W2, file="民政厅_反馈.csv", result="不属实", done_on=date(2026, 11, 8))
    assert feedback_night([first, later]).frame("SELECT * FROM feedback_refusals").is_empty()
    assert feedback_night([reply(2, W2, file="民政厅_反馈.csv", result="无法核实")]).frame(
        "SELECT * FROM feedback_refusals").is_empty()


def test_the_refusal_stays_when_the_warning_resolved_and_came_back():
    """A refusal rests on the episode the department answered; a new episode of the same warning
    (found again after resolving) with its own reply does not revoke it."""
    hist = history([*HISTORY.to_dicts(), night(date(2026, 11, 22), W2, "民政厅", date(2026, 11, 22))])
    first = reply(2, W2, file="民政厅_反馈.csv", result="不属实", done_on=date(2026, 11, 8))
    again = reply(5, W2, file="民政厅_c.xlsx", result="属实", done_on=date(2026, 11, 25), delivered=date(2026, 11, 26))
    eng = feedback_night([first, again], hist)
    assert eng.frame("SELECT signature FROM feedback_refusals")["signature"].to_list() == ["sig-fuzzy"]
    episodes = eng.frame("SELECT episode_first_seen, followup FROM standing_replies ORDER BY 1").rows()
    assert episodes == [(date(2026, 11, 3), "false_alarm"), (date(2026, 11, 22), "verified")]


def test_the_same_reply_sent_again_counts_once():
    """A list that shows the standing reply prefilled comes back with it: a repeat, not a new reply
    (the assistance chain would list it twice); a changed reply is a new one."""
    same = dict(result="不属实", handler="李四", done_on=date(2026, 11, 8))
    replies = [reply(2, W2, file="民政厅_a.xlsx", **same),
               reply(7, W2, file="民政厅_b.xlsx", delivered=date(2026, 11, 21), **same),
               reply(8, W2, file="民政厅_b.xlsx", delivered=date(2026, 11, 21), **{**same, "note": "已核"})]
    outcomes = feedback_night(replies).frame("SELECT row_in_file, outcome FROM feedback_rows ORDER BY 1").rows()
    assert outcomes == [(2, "accepted"), (7, "repeated"), (8, "accepted")]
