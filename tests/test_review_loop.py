"""The clerical review loop over three nights (issue 13), through the real command's steps and real
files: night 1 sends each county its review list and 身份待核实 list (workbooks); a clerk opens a
sent workbook with openpyxl, types decisions in its drop-down column, saves it, and it is delivered
to the landing zone's review_decisions folder; night 2 honours the decisions (是同一人 links with
method clerk_confirmed, 不是同一人 forbids the tie), rejects the bad rows with their reasons, and
records who decided and when; night 3 sees a later decision revoke an earlier one."""

from __future__ import annotations

import json
import random
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.orchestrate import run_for_date

from conftest import add_delivery, csv_bytes
from linkcases import HEALTH_HEADER, MEDINS_HEADER, Person, filler, health_row, make_id, medins_row, write_registry

pytestmark = pytest.mark.slow
NIGHTS = [date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30)]
AGRI_HEADER = ["序号", "户主姓名", "户主身份证号", "成员姓名", "成员身份证号", "区划代码", "监测类型", "风险类型", "风险消除"]


def person(pid: str, name: str, sex: str, birth: date, county: str, seq: int) -> Person:
    return Person(pid, "HH" + pid, name, make_id(county, birth, seq, sex == "男"), sex, birth, county)


def landing_zone(root: Path) -> tuple[Path, dict[str, Person]]:
    landing = root / "landing"
    people = filler(400, seed=21)
    cases = {
        "twin_a": person("PT1", "李娜", "女", date(1990, 1, 1), "230103", 81),
        "twin_b": person("PT2", "李娜", "女", date(1990, 1, 1), "230103", 92),
        "other_name": person("PO1", "钱学林", "男", date(1969, 10, 10), "230108", 111),
        "namesake": person("PN1", "韩梅梅", "女", date(1972, 4, 4), "230124", 131),
    }
    write_registry(landing, people + list(cases.values()), "2026-11-28")
    rng = random.Random(3)
    medins = [MEDINS_HEADER] + [medins_row(i + 1, p.name, p.id_number) for i, p in enumerate(rng.sample(people, 250))]
    medins.append(medins_row(9001, "欧文斯", cases["other_name"].id_number))        # a number, another name: review
    add_delivery(landing, "medins_burden", "2026-11-28", {"医保.csv": csv_bytes(medins)})
    health = [HEALTH_HEADER] + [health_row(i + 1, p.name, p.id_number, p.sex, p.birth)
                                for i, p in enumerate(rng.sample(people, 120))]
    health.append(health_row(9002, "李娜", "", "女", date(1990, 1, 1)))              # two 李娜 born that day: review
    add_delivery(landing, "health_serious_illness", "2026-11-28", {"重病.csv": csv_bytes(health)})
    agri = [AGRI_HEADER, [1, "韩建国", "", "韩梅梅", "", "230124003004", "边缘易致贫户", "因病", "否"]]
    add_delivery(landing, "agri_monitoring", "2026-11-28", {"监测.csv": csv_bytes(agri)})
    return landing, cases


def sent_rows(path: Path) -> tuple[openpyxl.Workbook, object, dict[str, int], list[int]]:
    """The workbook, its sheet, header → column number, and the data rows (below the header)."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    header_row = next(r for r in range(1, 11) if ws.cell(r, 1).value == "核查编号")
    cols = {ws.cell(header_row, c).value: c for c in range(1, ws.max_column + 1)}
    return wb, ws, cols, list(range(header_row + 1, ws.max_row + 1))


def decide(sent: Path, delivered: Path, decisions: dict[tuple[str, str], tuple[str, str, object]]) -> dict[str, str]:
    """Type decisions into a sent workbook as a clerk would (核查编号, 候选成员编号) → (核查结论, 核实人,
    核实日期) and save it into a delivery folder; returns {person_id: 核查编号} of what it offered."""
    wb, ws, cols, rows = sent_rows(sent)
    offered = {}
    for r in rows:
        rid, pid = ws.cell(r, cols["核查编号"]).value, ws.cell(r, cols["候选成员编号"]).value
        if pid is None:
            continue   # a question's group line
        offered[pid] = rid
        if (rid, pid) in decisions:
            verdict, who, when = decisions[(rid, pid)]
            ws.cell(r, cols["核查结论"]).value = verdict
            ws.cell(r, cols["核实人"]).value = who
            ws.cell(r, cols["核实日期"]).value = when
    delivered.parent.mkdir(parents=True, exist_ok=True)
    wb.save(delivered)
    (delivered.parent / "_SUCCESS").write_text("")
    return offered


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    root = tmp_path_factory.mktemp("review-loop")
    landing, cases = landing_zone(root)
    wh = root / "wh.duckdb"
    out = root / "wh.out"
    run_for_date(landing, wh, NIGHTS[0])
    first = _night(wh, NIGHTS[0])
    sent = {kind: sorted(p.name for p in (out / kind / "2026-11-28").glob("*.xlsx")) for kind in ("review", "identity")}
    keep = root / "sent"
    shutil.copytree(out, keep)   # what the counties received on night 1

    # night 2: three counties answer, on 2026-11-29
    day = "2026-11-29"
    twins = _offered(keep / "review" / "2026-11-28" / "230103_2026-11-28.xlsx")
    other = _offered(keep / "review" / "2026-11-28" / "230108_2026-11-28.xlsx")
    held = _offered(keep / "identity" / "2026-11-28" / "230124_2026-11-28.xlsx")
    folder = landing / "review_decisions" / day
    decide(keep / "review" / "2026-11-28" / "230103_2026-11-28.xlsx", folder / "230103_2026-11-28.xlsx",
           {(twins["PT2"], "PT2"): ("是同一人", "王会计", datetime(2026, 11, 29)),
            (twins["PT1"], "PT1"): ("不是同一人", "王会计", datetime(2026, 11, 29))})
    decide(keep / "review" / "2026-11-28" / "230108_2026-11-28.xlsx", folder / "230108_2026-11-28.xlsx",
           {(other["PO1"], "PO1"): ("不是同一人", "赵科员", datetime(2026, 11, 28))})
    decide(keep / "identity" / "2026-11-28" / "230124_2026-11-28.xlsx", folder / "230124_2026-11-28.xlsx",
           {(held["PN1"], "PN1"): ("不是同一人", "孙站长", datetime(2026, 11, 29))})
    bad = [["核查编号", "候选成员编号", "核查结论", "核实人", "核实日期"],
           ["K00000000000", "PT1", "是同一人", "钱某", "2026-11-29"],              # unknown 核查编号
           [other["PO1"], "PT1", "是同一人", "钱某", "2026-11-29"],               # a candidate not offered for it
           [twins["PT1"], "PT1", "是同一人", "钱某", "2026-12-05"],               # 核实日期 after the delivery
           [twins["PT1"], "PT1", "可能是", "钱某", "2026-11-29"],                 # not a decision of the list
           [twins["PT1"], "PT1", "是同一人", "", "2026-11-29"]]                   # nobody decided
    (folder / "补充_2026-11-29.csv").write_bytes(csv_bytes(bad))
    run_for_date(landing, wh, NIGHTS[1])
    second = _night(wh, NIGHTS[1])

    # night 3: 230108 changes its mind (a later decision about the same record and person)
    later = landing / "review_decisions" / "2026-11-30"
    decide(keep / "review" / "2026-11-28" / "230108_2026-11-28.xlsx", later / "230108_更正.xlsx",
           {(other["PO1"], "PO1"): ("是同一人", "赵科员", datetime(2026, 11, 30))})
    run_for_date(landing, wh, NIGHTS[2])
    third = _night(wh, NIGHTS[2])
    return {"sent": sent, "keep": keep, "first": first, "second": second, "third": third, "cases": cases,
            "ids": {"twins": twins["PT1"], "other": other["PO1"], "held": held["PN1"]}}


def _offered(path: Path) -> dict[str, str]:
    _, ws, cols, rows = sent_rows(path)
    return {ws.cell(r, cols["候选成员编号"]).value: ws.cell(r, cols["核查编号"]).value
            for r in rows if ws.cell(r, cols["候选成员编号"]).value}


def _night(wh: Path, day: date) -> dict:
    with duckdb.connect(str(wh), read_only=True) as con:
        q = lambda sql: con.execute(sql, [day]).fetchall()  # noqa: E731
        return {
            "links": {(s, r): (p, m, sc) for s, r, p, m, sc in q(
                "SELECT source, record_no, person_id, method, score FROM links WHERE as_of = ?")},
            "review": {(s, r) for s, r in q("SELECT source, record_no FROM review WHERE as_of = ?")},
            "explain": {(s, r): json.loads(e) for s, r, e in q(
                "SELECT source, record_no, explanation FROM link_explanations WHERE as_of = ?")},
            "log": q("SELECT file, row_in_file, review_id, person_id, status, reason, decided_by FROM review_decision_log "
                     "WHERE as_of = ? ORDER BY file, row_in_file"),
            "ties": q("SELECT source, record_no, person_id, decision, decided_by, decided_on, effect FROM tie_decisions "
                      "WHERE as_of = ? ORDER BY source, record_no, person_id"),
            "intake": q("SELECT name FROM warnings WHERE as_of = ? AND rule_code = 'MONITORING_INTAKE'"),
            "pending": q("SELECT name FROM identity_pending WHERE as_of = ?"),
        }


def test_night_one_sends_each_county_its_lists(loop):
    assert "230103_2026-11-28.xlsx" in loop["sent"]["review"] and "230108_2026-11-28.xlsx" in loop["sent"]["review"]
    assert loop["sent"]["identity"] == ["230124_2026-11-28.xlsx"]
    first = loop["first"]
    assert {("health_serious_illness", "9002"), ("medins_burden", "9001")} <= first["review"]
    assert first["pending"] == [("韩梅梅",)] and first["intake"] == []


def test_the_sent_workbook_shows_candidates_side_by_side_masked_outside_the_county(loop):
    path = loop["keep"] / "review" / "2026-11-28" / "230103_2026-11-28.xlsx"
    _, ws, cols, rows = sent_rows(path)
    for needed in ("核查编号", "记录姓名", "记录身份证号", "候选成员编号", "候选姓名", "候选身份证号", "出生日期",
                   "家庭编号", "核查结论", "核实人", "核实日期"):
        assert needed in cols, needed
    twins = {ws.cell(r, cols["候选成员编号"]).value: ws.cell(r, cols["候选身份证号"]).value for r in rows}
    cases = loop["cases"]
    assert twins["PT1"] == cases["twin_a"].id_number        # 230103's own people: in full
    assert twins["PT2"] == cases["twin_b"].id_number
    lists = [v.formula1 for v in ws.data_validations.dataValidation]
    assert '"是同一人,不是同一人"' in lists
    # the same question in another county's list shows this county's people masked
    other = loop["keep"] / "review" / "2026-11-28" / "230108_2026-11-28.xlsx"
    _, ws2, cols2, rows2 = sent_rows(other)
    shown = [ws2.cell(r, cols2["候选身份证号"]).value for r in rows2 if ws2.cell(r, cols2["候选成员编号"]).value]
    assert shown == [cases["other_name"].id_number]        # 230108's own candidate
    assert not any(cases["twin_a"].id_number in str(c.value) for row in ws2.iter_rows() for c in row)


def test_confirmed_ties_are_linked_and_say_who_decided_and_when(loop):
    second = loop["second"]
    assert second["links"][("health_serious_illness", "9002")] == ("PT2", "clerk_confirmed", 1.0)
    why = second["explain"][("health_serious_illness", "9002")]
    assert why["decided_by"] == "王会计" and why["decided_on"] == "2026-11-29" and "230103_2026-11-28.xlsx" in why["origin"]
    assert ("health_serious_illness", "9002") not in second["review"]
    assert ("health_serious_illness", "9002", "PT2", "confirm", "王会计", date(2026, 11, 29),
            "linked (clerk_confirmed)") in second["ties"]


def test_a_refused_tie_is_never_made_and_the_record_leaves_review(loop):
    second = loop["second"]
    assert ("medins_burden", "9001") not in second["links"]
    assert ("medins_burden", "9001") not in second["review"]
    assert ("medins_burden", "9001", "PO1", "refuse", "赵科员", date(2026, 11, 28),
            "refused: no tier ties the record to this person") in second["ties"]


def test_refusing_every_candidate_of_a_held_record_lets_the_absence_rule_fire(loop):
    second = loop["second"]
    assert second["intake"] == [("韩梅梅",)]
    assert second["pending"] == []


def test_bad_rows_are_rejected_with_their_reasons_and_the_rest_counts(loop):
    log = loop["second"]["log"]
    rejected = {(f, row): reason for f, row, _, _, status, reason, _ in log if status == "rejected"}
    csv_rows = {row: reason for (f, row), reason in rejected.items() if f.startswith("补充")}
    assert csv_rows == {2: "unknown 核查编号", 3: "candidate not offered for this 核查编号",
                        4: "核实日期 after the delivery date", 5: "核查结论 not 是同一人 or 不是同一人",
                        6: "核实人 missing"}
    accepted = [(rid, pid, who) for f, _, rid, pid, status, _, who in log if status == "accepted"]
    assert sorted(accepted) == sorted([(loop["ids"]["twins"], "PT2", "王会计"), (loop["ids"]["twins"], "PT1", "王会计"),
                                       (loop["ids"]["other"], "PO1", "赵科员"), (loop["ids"]["held"], "PN1", "孙站长")])


def test_a_later_decision_revokes_an_earlier_one(loop):
    third = loop["third"]
    assert third["links"][("medins_burden", "9001")] == ("PO1", "clerk_confirmed", 1.0)
    assert third["explain"][("medins_burden", "9001")]["decided_on"] == "2026-11-30"
    # the other decisions still stand on every later night
    assert third["links"][("health_serious_illness", "9002")] == ("PT2", "clerk_confirmed", 1.0)
    assert third["intake"] == [("韩梅梅",)]
