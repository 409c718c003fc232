"""The feedback loop over three nights, end to end through run_for_date (issue 12, "Done when"):
night 1 pushes the warnings; 民政厅's workbook of night 1 is filled in as a clerk would (the very
file that was sent, opened with openpyxl, values typed in the reply columns found by their header
names, saved) and dropped on the landing zone as a feedback delivery; nights 2 and 3 show the
follow-up states, overdue, the assistance chain, which warnings are pushed again, the tie a false
alarm refused (and that it stays refused), and the rejected reply rows with their reasons.

    A  低保, a car                 reply 不属实 (tie by a valid number: nothing refused)  → false_alarm, not pushed
    B  低保, a car                 reply 属实 / 已终止救助                               → handled, not pushed; night 3
                                   its car changes (中型客车): the condition changed      → pushed again
    C  低保, a car, number mistyped (tie repaired_id)  reply 不属实  → the tie is refused: resolved (tie_refused)
    D  低保, a car                 reply 属实 (verified); night 2's list: 已落实救助         → handled on night 3
    E  低保, a car                 reply with 办结日期 after the delivery: rejected         → overdue
    F  低保, house collapsed 10 days before night 1 (应急管理厅, urgent, 7 days)         → overdue on night 2
    G  低保, a car on night 1 only                                                      → resolved (record_gone)
    H  低保, a car; household 已终止 on night 3                                         → resolved (no_longer_low_income)
    M  返贫监测, 参保资助 无 (医保局)   reply by a CSV named 医保局_反馈.csv on night 3   → handled
    S  低保, a 村委会委员 in the staff roster (STAFF_RELATIVE)                          → 民政厅's files only
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.orchestrate import run_for_date
from pipelines.store.layout import outputs_root_for

from conftest import add_delivery, csv_bytes
from rulezone import Person, write_registry, write_source

D1, D2, D3 = date(2026, 11, 2), date(2026, 11, 20), date(2026, 11, 28)
REPLY_1, REPLY_2 = date(2026, 11, 10), date(2026, 11, 24)
A, B, D, E, F, G, H, M, S = (Person("a", 1), Person("b", 2), Person("d", 4), Person("e", 5), Person("f", 6),
                             Person("g", 7), Person("h", 8), Person("m", 9, category="返贫监测"), Person("s", 10))
C = Person("c", 3, name="尉迟敬德")
MISTYPED = C.id_number[:10] + str((int(C.id_number[10]) + 3) % 10) + C.id_number[11:]
REPLY_HEADERS = ("预警编号", "核查结果", "处理情况", "经办人", "办结日期", "备注")


def landing_zone(root: Path) -> Path:
    landing = root / "landing"
    people = [A, B, C, D, E, F, G, H, M, S]
    write_registry(landing, D1.isoformat(), people)
    write_registry(landing, D3.isoformat(), [p if p is not H else Person("h", 8, status="已终止") for p in people])
    car = {"registered_on": date(2022, 3, 1)}     # the same car in every delivery
    cars = [(p, car) for p in (A, B, D, E, G, H)] + [(C, {**car, "id_number": MISTYPED})]
    write_source(landing, "vehicles", D1.isoformat(), cars, D1)
    write_source(landing, "vehicles", D2.isoformat(), [(p, v) for p, v in cars if p is not G], D2)
    write_source(landing, "vehicles", D3.isoformat(),
                 [(p, {**v, "vehicle_type": "中型客车"} if p is B else v) for p, v in cars if p is not G], D3)
    write_source(landing, "emergency_victims", D1.isoformat(),
                 [(F, {"house_damage": "倒塌", "disaster_date": date(2026, 10, 23), "relief_paid": 0})], D1)
    write_source(landing, "medins_burden", D1.isoformat(), [(M, {"premium_subsidy": "无"})], D1)
    write_source(landing, "staff_roster", D1.isoformat(), [(S, {"position": "村（居）委会委员"})], D1)
    return landing


def q(wh: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def ids(wh: Path, day: date) -> dict[str, str]:
    """person_id → warning_id of the night's warning_status."""
    return dict(q(wh, "SELECT person_id, warning_id FROM warning_status WHERE as_of = ?", [day]))


def push_list(wh: Path, day: date, department: str) -> Path:
    return outputs_root_for(wh) / "push" / day.isoformat() / f"{department}_{day.isoformat()}.xlsx"


def fill_in(sent: Path, returned: Path, answers: dict[str, dict[str, object]], extra: list[dict] = ()) -> None:
    """What a clerk does: open the very workbook that was sent, type into the reply columns of the
    rows of some 预警编号 (columns found by their header names), add rows, save it."""
    book = openpyxl.load_workbook(sent)
    ws = book.worksheets[0]
    header_row = next(r for r in ws.iter_rows(min_row=1, max_row=10) if any(c.value == "预警编号" for c in r))
    col = {c.value: c.column for c in header_row if c.value}
    assert set(REPLY_HEADERS) <= set(col), f"the sent list lacks reply columns: {sorted(col)}"
    start = header_row[0].row + 1
    filled = set()
    for row in range(start, ws.max_row + 1):
        wid = ws.cell(row, col["预警编号"]).value
        for header, value in answers.get(wid, {}).items():
            ws.cell(row, col[header]).value = value
            filled.add(wid)
    assert filled == set(answers), f"rows not found in the sent list: {set(answers) - filled}"
    for values in extra:
        row = ws.max_row + 1
        for header, value in values.items():
            ws.cell(row, col[header]).value = value
    returned.parent.mkdir(parents=True, exist_ok=True)
    book.save(returned)


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    root = tmp_path_factory.mktemp("loop")
    landing = landing_zone(root)
    wh = root / "wh.duckdb"
    run_for_date(landing, wh, D1)
    night1 = ids(wh, D1)
    # 民政厅 returns night 1's list on 11-10 (a clerk's answers, and three rows that cannot count)
    sent = push_list(wh, D1, "民政厅")
    folder = landing / "feedback" / REPLY_1.isoformat()
    fill_in(sent, folder / sent.name, {
        night1[A.person_id]: {"核查结果": "不属实", "经办人": "李四", "办结日期": datetime(2026, 11, 8),
                              "备注": "车辆已过户"},
        night1[B.person_id]: {"核查结果": "属实", "处理情况": "已终止救助", "经办人": "李四", "办结日期": datetime(2026, 11, 9)},
        night1[C.person_id]: {"核查结果": "不属实", "经办人": "王五", "办结日期": datetime(2026, 11, 9),
                              "备注": "登记的不是本人"},
        night1[D.person_id]: {"核查结果": "属实", "经办人": "王五"},
        night1[E.person_id]: {"核查结果": "属实", "处理情况": "已终止救助", "经办人": "王五",
                              "办结日期": datetime(2026, 11, 15)},
    }, extra=[{"预警编号": "VH-ZZZZZZZZ", "核查结果": "属实", "经办人": "王五"},
              {"预警编号": night1[M.person_id], "核查结果": "属实", "经办人": "王五"}])
    (folder / "_SUCCESS").write_text("")
    run_for_date(landing, wh, D2)
    # night 2's list of 民政厅 comes back on 11-24 (D done), and 医保局 answers by a CSV
    night2 = ids(wh, D2)
    sent = push_list(wh, D2, "民政厅")
    folder = landing / "feedback" / REPLY_2.isoformat()
    fill_in(sent, folder / sent.name, {night2[D.person_id]: {"处理情况": "已落实救助", "核查结果": "属实",
                                                              "办结日期": datetime(2026, 11, 23), "经办人": "王五"}})
    add_delivery(landing, "feedback", REPLY_2.isoformat(), {"医保局_反馈.csv": csv_bytes(
        [list(REPLY_HEADERS), [night2[M.person_id], "属实", "已落实救助", "赵六", "2026-11-22", ""]], "gb18030")})
    runs = {D3: run_for_date(landing, wh, D3)}
    return landing, wh, runs


def states(wh: Path, day: date) -> dict[str, tuple]:
    rows = q(wh, "SELECT person_id, rule_code, status, followup, overdue, pushed, resolved_reason "
                 "FROM warning_status WHERE as_of = ?", [day])
    return {p: tuple(r) for p, *r in rows}


def test_night_one_pushes_every_warning(loop):
    _, wh, _ = loop
    got = states(wh, D1)
    assert {p: (r[0], r[1], r[4]) for p, r in got.items()} == {
        **{p.person_id: ("VEHICLE_OWNER", "new", True) for p in (A, B, C, D, E, G, H)},
        F.person_id: ("DISASTER_AID", "new", True), M.person_id: ("MED_SUBSIDY", "new", True),
        S.person_id: ("STAFF_RELATIVE", "new", True)}
    (urgent, deadline), = q(wh, "SELECT urgent, deadline FROM warnings WHERE as_of = ? AND person_id = ?",
                            [D1, F.person_id])
    assert urgent and deadline == date(2026, 11, 9)
    assert q(wh, "SELECT match FROM warnings WHERE as_of = ? AND person_id = ?", [D1, C.person_id]) == [("repaired_id",)]


def test_night_two_follow_up_overdue_refusal_and_resolutions(loop):
    _, wh, _ = loop
    assert states(wh, D2) == {
        A.person_id: ("VEHICLE_OWNER", "open", "false_alarm", False, False, None),
        B.person_id: ("VEHICLE_OWNER", "open", "handled", False, False, None),
        C.person_id: ("VEHICLE_OWNER", "resolved", "false_alarm", False, True, "tie_refused"),
        D.person_id: ("VEHICLE_OWNER", "open", "verified", False, True, None),
        E.person_id: ("VEHICLE_OWNER", "open", None, True, True, None),
        F.person_id: ("DISASTER_AID", "open", None, True, True, None),
        G.person_id: ("VEHICLE_OWNER", "resolved", None, False, True, "record_gone"),
        H.person_id: ("VEHICLE_OWNER", "open", None, True, True, None),
        M.person_id: ("MED_SUBSIDY", "open", None, True, True, None),
        S.person_id: ("STAFF_RELATIVE", "open", None, True, True, None)}
    # the false alarm about C rested on a tie without a valid number: refused from night 2 on
    (sig, person, by, on, origin), = q(wh, "SELECT signature, person_id, decided_by, decided_on, origin "
                                          "FROM feedback_refusals WHERE as_of = ?", [D2])
    (ties,), = q(wh, "SELECT ties FROM warning_status WHERE as_of = ? AND person_id = ?", [D1, C.person_id])
    assert sig in ties and person == C.person_id and by == "民政厅 王五" and on == date(2026, 11, 9)
    assert origin.startswith("feedback 2026-11-10 民政厅_2026-11-02.xlsx 第") and ids(wh, D1)[C.person_id] in origin
    linked = "SELECT method FROM links WHERE as_of = ? AND source = 'vehicles' AND person_id = ?"
    assert q(wh, linked, [D1, C.person_id]) == [("repaired_id",)]
    assert q(wh, linked, [D2, C.person_id]) == []
    # A's false alarm rested on a valid number: nothing refused, its warning stays (not pushed)
    assert q(wh, "SELECT count(*) FROM feedback_refusals WHERE person_id = ?", [A.person_id]) == [(0,)]


def test_rejected_rows_say_why_and_every_row_is_accounted_for(loop):
    _, wh, _ = loop
    night1 = ids(wh, D1)
    rejects = {r[0]: r[1:] for r in q(wh, "SELECT warning_id, reason_code, reason FROM feedback_rejects "
                                          "WHERE as_of = ?", [D2])}
    assert rejects == {
        night1[E.person_id]: ("done_after_delivery", "办结日期晚于报送日期"),
        "VH-ZZZZZZZZ": ("unknown_id", "预警编号不存在（报送日期前未发布过）"),
        night1[M.person_id]: ("not_pushed", "该预警未推送给民政厅")}
    outcomes = dict(q(wh, "SELECT outcome, count(*) FROM feedback_rows WHERE as_of = ? GROUP BY 1", [D2]))
    assert outcomes == {"accepted": 4, "rejected": 3, "empty": 3}     # 8 rows sent + 2 typed in
    assert q(wh, "SELECT count(*) FROM feedback_rejects WHERE as_of = ?", [D3]) == [(3,)]   # every delivery counts
    # night 2's list showed C's standing reply prefilled (a resolved row): it came back, counted once
    outcomes = dict(q(wh, "SELECT outcome, count(*) FROM feedback_rows WHERE as_of = ? GROUP BY 1", [D3]))
    assert outcomes == {"accepted": 6, "repeated": 1, "rejected": 3, "empty": 7}


def test_night_three_repush_handled_and_resolutions(loop):
    _, wh, _ = loop
    assert states(wh, D3) == {
        A.person_id: ("VEHICLE_OWNER", "open", "false_alarm", False, False, None),
        B.person_id: ("VEHICLE_OWNER", "open", "handled", False, True, None),        # its car changed
        D.person_id: ("VEHICLE_OWNER", "open", "handled", False, False, None),
        E.person_id: ("VEHICLE_OWNER", "open", None, True, True, None),
        F.person_id: ("DISASTER_AID", "open", None, True, True, None),
        H.person_id: ("VEHICLE_OWNER", "resolved", None, False, True, "no_longer_low_income"),
        M.person_id: ("MED_SUBSIDY", "open", "handled", False, False, None),
        S.person_id: ("STAFF_RELATIVE", "open", None, True, True, None)}
    # C's tie stays refused on the later nights: C is not linked, has no warning
    assert q(wh, "SELECT count(*) FROM links WHERE as_of = ? AND person_id = ?", [D3, C.person_id]) == [(0,)]
    assert q(wh, "SELECT count(*) FROM feedback_refusals WHERE as_of = ?", [D3]) == [(1,)]
    # F is no longer urgent (36 days) but keeps the shorter deadline it had
    assert q(wh, "SELECT urgent, deadline FROM warnings WHERE as_of = ? AND person_id = ?", [D3, F.person_id]) == [
        (False, date(2026, 11, 9))]
    assert q(wh, "SELECT followup_date FROM warnings WHERE as_of = ? AND person_id = ?", [D3, M.person_id]) == [
        (date(2026, 11, 22),)]


def test_the_workbooks_push_again_only_what_changed(loop):
    _, wh, _ = loop
    night3 = ids(wh, D3)
    book = openpyxl.load_workbook(push_list(wh, D3, "民政厅"), read_only=True)
    listed = {c for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c in set(night3.values())}
    assert listed == {night3[p.person_id] for p in (B, E, H, S)}        # A and D answered, unchanged: not again


def test_replies_enter_the_assistance_chain(loop):
    _, wh, _ = loop
    rows = q(wh, "SELECT household_id, code, item, received, event_date FROM assistance_chain "
                 "WHERE as_of = ? AND entry_type = 'reply' ORDER BY household_id, event_date", [D3])
    assert rows == [
        (A.household_id, "false_alarm", "民政厅反馈：不属实", False, date(2026, 11, 8)),
        (B.household_id, "handled", "民政厅反馈：属实，已终止救助", False, date(2026, 11, 9)),
        (C.household_id, "false_alarm", "民政厅反馈：不属实", False, date(2026, 11, 9)),
        (D.household_id, "verified", "民政厅反馈：属实", False, REPLY_1),
        (D.household_id, "handled", "民政厅反馈：属实，已落实救助", True, date(2026, 11, 23)),
        (M.household_id, "handled", "医保局反馈：属实，已落实救助", True, date(2026, 11, 22))]


def test_staff_relative_stays_in_minzhengs_files(loop):
    _, wh, _ = loop
    wid = ids(wh, D1)[S.person_id]
    assert wid.startswith("SR-")
    seen = Counter()
    for path in sorted(outputs_root_for(wh).rglob("*.xlsx")):
        book = openpyxl.load_workbook(path, read_only=True)
        if any(wid in str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c):
            seen[path.parent.parent.name, path.name.split("_")[0]] += 1
    assert set(seen) == {("push", "民政厅")} and sum(seen.values()) == 3      # one list a night


def test_figures(loop, capsys):
    """Rows per state per night (printed for the note; -s shows them)."""
    _, wh, _ = loop
    figures = q(wh, "SELECT as_of, status, coalesce(followup, '-'), overdue, pushed, count(*) FROM warning_status "
                    "GROUP BY ALL ORDER BY ALL")
    feedback = q(wh, "SELECT as_of, outcome, count(*) FROM feedback_rows GROUP BY ALL ORDER BY ALL")
    with capsys.disabled():
        print("\nas_of status followup overdue pushed rows")
        for row in figures:
            print(*row)
        print("as_of outcome rows")
        for row in feedback:
            print(*row)
    assert sum(n for *_, n in figures) == 10 + 10 + 8
