"""warning_status, push_rows and charity_needs on rows written in the test (tests/modelkit.py
run_models): a warning's state across nights (new / open / resolved with the reason that stopped
holding), its deadline, follow-up, overdue and whether it is pushed again; the rows the files for
people are made from; the charity list without anything that names a family, small groups left out."""

from __future__ import annotations

import json
from datetime import date, timedelta

import polars as pl
import yaml

from modelkit import run_models
from pipelines import paths
from pipelines.engine.duckdb_engine import DuckDBEngine
from pipelines.models.inputs import night_params
from pipelines.models.runner import NightContext, seed_tables
from pipelines.store.night import _declared_shapes

from test_feedback_models import TYPES, frame, history

AS_OF = date(2026, 11, 28)
PREV = date(2026, 11, 27)
FOUND = {"rule_code": pl.String, "subject_key": pl.String, "warning_id": pl.String, "category": pl.Int32,
         "category_code": pl.String, "department": pl.String, "person_id": pl.String, "household_id": pl.String,
         "id_number": pl.String, "name": pl.String, "county_code": pl.String, "division_code": pl.String,
         "urgent": pl.Boolean, "match": pl.String, "ties": pl.String, "condition": pl.String, "evidence": pl.String}
TIES = {"rule_code": pl.String, "subject_key": pl.String, "source": pl.String, "signature": pl.String,
        "person_id": pl.String, "role": pl.String, "present": pl.Boolean, "tied": pl.Boolean, "refused": pl.Boolean}
REGISTRY = {"person_id": pl.String, "household_id": pl.String, "household_status": pl.String,
            "assistance_category": pl.String, "urban_rural": pl.String, "individually_included": pl.String,
            "address": pl.String, "household_size": pl.Int64, "age": pl.Int64}
REPLIES = {"warning_id": pl.String, "episode_first_seen": pl.Date, "followup": pl.String, "followup_date": pl.Date,
           "result": pl.String, "action": pl.String, "handler": pl.String, "note": pl.String,
           "reply_condition": pl.String}
RUNS = {"rule_code": pl.String, "status": pl.String, "reason": pl.String, "found": pl.Int64}
CODES = {1: "policy_gap", 2: "possibly_eligible", 3: "special_hardship", 4: "possibly_ineligible"}


def seeds() -> dict[str, pl.DataFrame]:
    eng = DuckDBEngine()
    seed_tables(eng, NightContext(AS_OF, night_params(), {}))
    return {"rule_catalogue": eng.frame("SELECT * FROM rule_catalogue"),
            "categories": eng.frame("SELECT * FROM categories")}


def registry_item(person: str, household: str, category: str = "低保", single: str = "否") -> dict:
    return {"source": "registry_persons", "delivery_date": "2026-11-27", "序号": None,
            "fields": {"成员编号": person, "家庭编号": household, "与户主关系": "本人", "救助类别": category,
                       "家庭状态": "有效", "城乡类别": "城市", "单独纳入": single}}


def warning(key: str, rule: str = "VEHICLE_OWNER", category: int = 4, **more) -> dict:
    """A warning about person P<key> of household H<key> (its registry entry as evidence)."""
    person, household = f"P{key}", f"H{key}"
    return {"rule_code": rule, "subject_key": person, "warning_id": f"W-{key}", "category": category,
            "category_code": CODES[category], "department": "民政厅", "person_id": person,
            "household_id": household, "id_number": f"ID{key}", "name": f"名{key}", "county_code": "230102",
            "division_code": "230102001001", "urgent": False, "match": "exact_id", "ties": "[]",
            "condition": f"c-{key}", "evidence": json.dumps([registry_item(person, household)], ensure_ascii=False),
            **more}


def prev(key: str, first_seen: date = PREV, **more) -> dict:
    w = warning(key, **more)
    return {**w, "as_of": PREV, "status": "open", "first_seen": first_seen, "last_seen": PREV,
            "deadline": more.get("deadline", first_seen + timedelta(days=15))}


def person(key: str, **more) -> dict:
    return {"person_id": f"P{key}", "household_id": f"H{key}", "household_status": "有效",
            "assistance_category": "低保", "urban_rural": "城市", "individually_included": "否",
            "address": f"地址{key}", "household_size": 2, "age": 50, **more}


def tie(key: str, present=True, tied=True, refused=False) -> dict:
    return {"rule_code": "VEHICLE_OWNER", "subject_key": f"P{key}", "source": "vehicles", "signature": f"sig-{key}",
            "person_id": f"P{key}", "role": "record", "present": present, "tied": tied, "refused": refused}


def answered(key: str, followup: str | None, first_seen: date = PREV, condition: str | None = None, **more) -> dict:
    return {"warning_id": f"W-{key}", "episode_first_seen": first_seen, "followup": followup,
            "followup_date": date(2026, 11, 20), "reply_condition": condition or f"c-{key}", **more}


FOUND_ROWS = [
    warning("new1", category=1, rule="MED_SUBSIDY", department="医保局"),
    warning("new_urgent", category=1, rule="DISASTER_AID", urgent=True, department="应急管理厅"),
    warning("new_cat3", category=3, rule="MULTI_HARDSHIP", department="县级协调机制"),
    warning("kept_deadline"), warning("overdue"), warning("handled_same"),
    warning("handled_changed", condition="c-handled_changed-v2"), warning("old_episode"), warning("false_same"),
    warning("verified"),
]
PREV_ROWS = [
    prev("kept_deadline", first_seen=date(2026, 11, 20), urgent=True, deadline=date(2026, 11, 27)),
    prev("overdue", first_seen=date(2026, 11, 1)), prev("handled_same", first_seen=date(2026, 11, 1)),
    prev("handled_changed", first_seen=date(2026, 11, 1)), prev("old_episode", first_seen=date(2026, 11, 5)),
    prev("false_same", first_seen=date(2026, 11, 1)), prev("verified", first_seen=date(2026, 11, 1)),
    prev("left"), prev("ended"), prev("recategorised"), prev("refused"), prev("gone"), prev("unlinked"),
    prev("unmet"), prev("skipped", rule="DECEASED"),
]
REGISTRY_ROWS = [person(k) for k in ("new1", "new_urgent", "new_cat3", "kept_deadline", "overdue", "handled_same",
                                     "handled_changed", "old_episode", "false_same", "verified", "refused", "gone",
                                     "unlinked", "unmet")]
REGISTRY_ROWS += [person("ended", household_status="已终止"), person("recategorised", assistance_category="低保边缘")]
TIE_ROWS = [tie("refused", refused=True, tied=False), tie("gone", present=False, tied=False),
            tie("unlinked", tied=False), tie("unmet"), tie("left"), tie("ended")]
NOV1 = date(2026, 11, 1)
REPLY_ROWS = [answered("handled_same", "handled", NOV1), answered("handled_changed", "handled", NOV1),
              answered("old_episode", "handled", first_seen=date(2026, 10, 1)),
              answered("false_same", "false_alarm", NOV1, result="不属实", handler="李四", note="车已过户"),
              answered("verified", "verified", NOV1, result="属实")]


def status_night(found=FOUND_ROWS, before=PREV_ROWS, registry=REGISTRY_ROWS, ties=TIE_ROWS, replies=REPLY_ROWS,
                 evaluated=("VEHICLE_OWNER", "MED_SUBSIDY", "DISASTER_AID", "MULTI_HARDSHIP"),
                 names=("warning_status", "push_rows")):
    inputs = {
        "previous_warnings": history(before), "warnings_found": frame(FOUND, found), "prior_ties": frame(TIES, ties),
        "registry_facts": frame(REGISTRY, registry), "standing_replies": frame(REPLIES, replies),
        "rule_runs": frame(RUNS, [{"rule_code": r, "status": "evaluated"} for r in evaluated]
                           + [{"rule_code": "DECEASED", "status": "skipped", "reason": "mps_cancellations missing"}]),
        "signals": pl.DataFrame(schema={"person_id": pl.String, "signal_type": pl.String, "label": pl.String}),
        **seeds(),
    }
    return run_models(inputs, list(names), as_of=AS_OF)


def by_key(eng, table: str = "warning_status") -> dict[str, dict]:
    return {r["person_id"][1:]: r for r in eng.frame(f"SELECT * FROM {table}").to_dicts()}


def test_states_deadlines_follow_up_and_pushes():
    rows = by_key(status_night())
    state = {k: (r["status"], r["deadline"], r["followup"], r["overdue"], r["pushed"]) for k, r in rows.items()
             if r["status"] != "resolved"}
    nov = lambda d: date(2026, 11, d)  # noqa: E731
    assert state == {
        "new1": ("new", nov(28) + timedelta(days=15), None, False, True),
        "new_urgent": ("new", nov(28) + timedelta(days=7), None, False, True),       # urgent: 7 days
        "new_cat3": ("new", nov(28) + timedelta(days=7), None, False, True),         # category 3: 7 days
        "kept_deadline": ("open", nov(27), None, True, True),        # was urgent: keeps its shorter time
        "overdue": ("open", nov(16), None, True, True),              # past 11-16, no reply
        "handled_same": ("open", nov(16), "handled", False, False),  # not pushed again: nothing changed
        "handled_changed": ("open", nov(16), "handled", False, True),   # its evidence changed: pushed again
        "old_episode": ("open", nov(20), None, True, True),          # the reply was to an earlier episode
        "false_same": ("open", nov(16), "false_alarm", False, False),
        "verified": ("open", nov(16), "verified", False, True),      # verified is not done: still pushed
    }
    assert rows["handled_same"]["followup_date"] == nov(20) and rows["new1"]["first_seen"] == AS_OF
    assert rows["overdue"]["first_seen"] == nov(1) and rows["overdue"]["last_seen"] == AS_OF


def test_a_resolution_says_what_stopped_holding():
    rows = by_key(status_night())
    resolved = {k: r["resolved_reason"] for k, r in rows.items() if r["status"] == "resolved"}
    assert resolved == {"left": "person_left_registry", "ended": "no_longer_low_income",
                        "recategorised": "registry_changed", "refused": "tie_refused", "gone": "record_gone",
                        "unlinked": "no_longer_linked", "unmet": "condition_no_longer_met"}
    # skipped tonight: neither carried nor resolved
    assert "skipped" not in rows
    r = rows["gone"]
    assert (r["first_seen"], r["last_seen"], r["pushed"], r["overdue"], r["warning_id"]) == (
        PREV, PREV, True, False, "W-gone")
    assert all(r["resolved_reason"] is None for r in rows.values() if r["status"] != "resolved")


def test_the_table_has_its_declared_shape():
    """sql/warehouse/history_shapes.yaml says what later nights read back: equal to what the model writes."""
    eng = status_night(names=("warning_status",))
    written = [(c, t) for c, t in eng.columns("warning_status")]
    declared = [(c, t) for c, t in _declared_shapes()["warning_status"].items() if c != "as_of"]
    assert written == declared


def test_push_rows_are_the_writers_interface():
    eng = status_night()
    cols = [c for c, _ in eng.columns("push_rows")]
    assert cols == ["department", "status", "warning_id", "category", "category_name", "rule_code", "rule_title",
                    "check_points", "county_code", "township_code", "village_code", "address", "name", "id_number",
                    "person_id", "household_id", "first_seen", "last_seen", "deadline", "urgent", "overdue",
                    "match", "evidence", "followup", "followup_date", "reply_result", "reply_action",
                    "reply_handler", "reply_note", "pushed", "departments_visible"]
    rows = eng.frame("SELECT * FROM push_rows").to_dicts()
    assert len(rows) == eng.scalar("SELECT count(*) FROM warning_status")
    # urgent first, then category, county, rule, subject
    assert rows[0]["person_id"] == "Pnew_urgent"
    order = [(not r["urgent"], r["category"], r["county_code"], r["rule_code"], r["person_id"]) for r in rows]
    assert order == sorted(order)
    r = {x["person_id"][1:]: x for x in rows}
    assert (r["new1"]["township_code"], r["new1"]["village_code"]) == ("230102001", "230102001001")
    assert (r["new1"]["rule_title"], r["new1"]["category_name"]) == ("医疗保险参保资助未落实", "已纳入救助范围但救助政策落实不到位")
    assert r["new1"]["check_points"].startswith("在医保系统中核对") and r["new1"]["address"] == "地址new1"
    assert (r["false_same"]["reply_result"], r["false_same"]["reply_handler"], r["false_same"]["reply_note"]) == (
        "不属实", "李四", "车已过户")
    assert r["old_episode"]["reply_result"] is None
    assert all(x["departments_visible"] is None for x in rows)


def test_division_codes_stop_where_the_code_stops():
    found = [warning("town", division_code="230102001000"), warning("county", division_code="230102000000"),
             warning("none", division_code=None)]
    eng = status_night(found=found, before=[], registry=[person(k) for k in ("town", "county", "none")], ties=[],
                       replies=[])
    codes = {r["person_id"][1:]: (r["township_code"], r["village_code"])
             for r in eng.frame("SELECT * FROM push_rows").to_dicts()}
    assert codes == {"town": ("230102001", None), "county": (None, None), "none": (None, None)}


def test_staff_relative_rows_are_for_minzheng_alone():
    found = [warning("staff", rule="STAFF_RELATIVE"), warning("car")]
    eng = status_night(found=found, before=[], registry=[person("staff"), person("car")], ties=[], replies=[])
    rows = {r["rule_code"]: r for r in eng.frame("SELECT * FROM push_rows").to_dicts()}
    assert (rows["STAFF_RELATIVE"]["department"], rows["STAFF_RELATIVE"]["departments_visible"]) == ("民政厅", "民政厅")
    assert rows["VEHICLE_OWNER"]["departments_visible"] is None


def _hardship(keys, county, rule="MULTI_HARDSHIP", **more):
    return [warning(k, rule=rule, category=3, department="县级协调机制", county_code=county, **more) for k in keys]


def test_the_charity_list_names_no_family_and_leaves_small_groups_out():
    big = [f"b{i}" for i in range(5)]                       # five households of 230102: listed
    small = [f"s{i}" for i in range(4)]                    # four of 230123: left out
    found = _hardship(big, "230102") + _hardship(small, "230123") + _hardship(["done"], "230102")
    registry = [person(k, age=a, household_size=3) for k, a in zip(big, (8, 17, 18, 70, 80))]
    registry += [person(k) for k in [*small, "done"]]
    signals = pl.DataFrame({"person_id": ["Pb0", "Pb0", "Pb0", "Pb1"], "signal_type": ["hardship"] * 3 + ["assistance"],
                            "label": ["重特大疾病", "登记失业", "重特大疾病", "低保"]})
    replies = [answered("done", "handled", first_seen=AS_OF)]
    eng = run_models({"warning_status": status_night(found=found, before=[], registry=registry, ties=[],
                                                     replies=replies, names=("warning_status",)).frame(
                          "SELECT * FROM warning_status"),
                      "registry_facts": frame(REGISTRY, registry), "signals": signals, **seeds()},
                     ["charity_needs"], as_of=AS_OF)
    rows = eng.frame("SELECT * FROM charity_needs").to_dicts()
    assert set(rows[0]) == {"county_code", "need_type", "household_size", "age_band", "signals", "households"}
    assert {r["county_code"] for r in rows} == {"230102"}
    assert len(rows) == 5                                    # the handled need is not listed
    assert sorted(r["age_band"] for r in rows) == sorted(["0-17岁", "0-17岁", "18-44岁", "60-74岁", "75岁及以上"])
    assert {r["signals"] for r in rows} == {"登记失业、重特大疾病", ""}
    assert {(r["need_type"], r["households"], r["household_size"]) for r in rows} == {("多重困难叠加", 5, 3)}
    # one household more in 230123 and it is listed
    eng = run_models({"warning_status": status_night(found=found + _hardship(["s4"], "230123"), before=[],
                                                     registry=registry + [person("s4")], ties=[], replies=replies,
                                                     names=("warning_status",)).frame("SELECT * FROM warning_status"),
                      "registry_facts": frame(REGISTRY, registry + [person("s4")]), "signals": signals, **seeds()},
                     ["charity_needs"], as_of=AS_OF)
    assert eng.scalar("SELECT count(*) FROM charity_needs WHERE county_code = '230123'") == 5


def test_the_threshold_is_configuration():
    rules = yaml.safe_load((paths.CONFIG / "rules.yaml").read_text(encoding="utf-8"))
    assert rules["charity_min_households"] == 5 and rules["deadline_days"] == 15
    assert rules["deadline_days_urgent"] == 7 and rules["urgent_window_days"] == 30
    found = _hardship([f"b{i}" for i in range(3)], "230102")
    registry = [person(f"b{i}") for i in range(3)]
    ws = status_night(found=found, before=[], registry=registry, ties=[], replies=[],
                      names=("warning_status",)).frame("SELECT * FROM warning_status")
    inputs = {"warning_status": ws, "registry_facts": frame(REGISTRY, registry),
              "signals": pl.DataFrame(schema={"person_id": pl.String, "signal_type": pl.String, "label": pl.String}),
              **seeds()}
    assert run_models(inputs, ["charity_needs"], as_of=AS_OF).scalar("SELECT count(*) FROM charity_needs") == 0
    assert run_models(inputs, ["charity_needs"], params={"charity_min_households": 3},
                      as_of=AS_OF).scalar("SELECT count(*) FROM charity_needs") == 3
