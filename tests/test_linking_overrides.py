"""The tiers honour people's decisions about ties (issue 13, tie_overrides): a standing 是同一人
links the record to that person whatever the tiers say (method clerk_confirmed, score 1, who and
when in the explanation); a standing 不是同一人 forbids the tie in every tier, so the record goes to
its next candidate, to review, or stays unlinked; the latest decision about a record and a person
stands. Decisions arrive as review_decisions rows about questions offered on an earlier night."""

from __future__ import annotations

import json
from datetime import date

import pytest

import modelkit
from modelkit import Night, make_id
from pipelines.normalise.idnumbers import check_char

AS_OF = date(2026, 12, 5)
OFFERED = date(2026, 11, 28)
MEDINS = {"insurance_status": "参保", "premium_subsidy": "全额资助", "out_of_pocket_12m": "10", "medical_assistance": "0"}


def registry(kit: Night, people: list[tuple[str, str, str]]) -> dict[str, dict]:
    """(person_id, name, id_number or 'auto') each in a household of their own; 'auto' numbers are
    the same on every night of a test (the record carrying one is the same record)."""
    out = {}
    for pid, name, number in people:
        if number == "auto":
            number = make_id("230102", date(1980, 5, 17), sum(map(ord, pid)))
        out[pid] = kit.person(pid, name, id_number=number)
        kit.household("H" + pid, [out[pid]])
    return out


def signatures(build) -> dict[str, str]:
    """record_no → signature of the records `build(kit)` writes (a first night, no decisions)."""
    kit = Night(OFFERED)
    build(kit)
    return dict(kit.frame("SELECT record_no, signature FROM link_records").iter_rows())


def decided(build, decisions: list[tuple[str, str, str, str]], monkeypatch) -> Night:
    """A later night of the same rows, with decisions (signature, person_id, 核查结论, 核实日期) about
    questions offered on OFFERED (review_offers of an earlier night)."""
    from pipelines.linking.run import linking_config  # noqa: F401  (the kit's parameters are the real ones)

    kit = Night(AS_OF)
    build(kit)
    review_id = lambda sig: "K" + sig[:11].upper()  # noqa: E731  (macro review_code)
    kit.rows["review_decisions"] = [{"review_id": review_id(s), "person_id": p, "decision": d, "decided_by": "核实员",
                                     "decided_on": on} for s, p, d, on in decisions]
    offers = " UNION ALL ".join(
        f"SELECT DATE '{OFFERED}' AS as_of, '{review_id(s)}' AS review_id, '{s}' AS signature, '{p}' AS person_id, "
        f"'x' AS source, DATE '{OFFERED}' AS first_offered, DATE '{OFFERED}' AS last_offered"
        for s, p, _, _ in decisions)
    shapes = {**modelkit._history_shapes(), "review_offers": offers}
    monkeypatch.setattr(modelkit, "_history_shapes", lambda: shapes)
    return kit


def link(kit: Night, record_no: str = "1"):
    rows = kit.frame(f"SELECT person_id, method, score FROM links WHERE record_no = '{record_no}'").rows()
    return rows[0] if rows else None


def test_a_refused_exact_tie_is_never_made(monkeypatch):
    def build(kit):
        p = registry(kit, [("P1", "邬骁骞", "auto")])
        kit.records("medins_burden", [{**MEDINS, "name": "邬骁骞", "id_number": p["P1"]["id_number"]}])

    sig = signatures(build)["1"]
    kit = decided(build, [(sig, "P1", "不是同一人", "2026-12-01")], monkeypatch)
    assert link(kit) is None
    assert kit.frame("SELECT * FROM review").is_empty()
    assert kit.frame("SELECT effect FROM tie_decisions")["effect"].to_list() == [
        "refused: no tier ties the record to this person"]


def test_a_repair_refused_for_one_of_two_persons_goes_to_the_other(monkeypatch):
    body = make_id("230102", date(1970, 1, 1), 500)[:17]
    a = None
    for pos in (14, 15, 16):   # two valid numbers one substitution apart from one mistyped number
        for d in "0123456789":
            x = body[:pos] + d + body[pos + 1:]
            if x != body:
                a, b = body + check_char(body), x + check_char(x)
                typed = body + check_char(x)
                if typed not in (a, b) and check_char(body) != check_char(x):
                    break
        else:
            continue
        break

    def build(kit):
        registry(kit, [("PA", "赵敏", a), ("PB", "赵敏", b)])
        kit.records("medins_burden", [{**MEDINS, "name": "赵敏", "id_number": typed}])

    first = Night(OFFERED)
    build(first)
    assert link(first) is None and first.frame("SELECT * FROM review").height == 1   # two repairs fit: review
    sig = signatures(build)["1"]
    kit = decided(build, [(sig, "PA", "不是同一人", "2026-12-01")], monkeypatch)
    assert link(kit)[:2] == ("PB", "repaired_id")


def test_a_confirmation_overrides_the_tiers_and_says_who_and_when(monkeypatch):
    def build(kit):
        p = registry(kit, [("P1", "钱学林", "auto"), ("P2", "钱雪琳", "auto")])
        kit.records("medins_burden", [{**MEDINS, "name": "钱学林", "id_number": p["P1"]["id_number"]}])

    sig = signatures(build)["1"]
    kit = decided(build, [(sig, "P2", "是同一人", "2026-12-01")], monkeypatch)
    assert link(kit) == ("P2", "clerk_confirmed", 1.0)
    why = json.loads(kit.frame("SELECT explanation FROM link_explanations")["explanation"][0])
    assert why["decided_by"] == "核实员" and why["decided_on"] == "2026-12-01"
    assert why["tiers_said"] == "link exact_id P1" and "review_decisions" in why["origin"]


@pytest.mark.parametrize("later, expect", [
    ("不是同一人", None),                           # confirmed, then refused: the later decision stands
    ("是同一人", ("P1", "clerk_confirmed", 1.0)),   # refused, then confirmed
])
def test_the_latest_decision_about_a_record_and_a_person_stands(monkeypatch, later, expect):
    first = "是同一人" if later == "不是同一人" else "不是同一人"

    def build(kit):
        registry(kit, [("P1", "司马青", "auto")])
        kit.records("medins_burden", [{**MEDINS, "name": "司马青", "id_number": None}])

    sig = signatures(build)["1"]
    kit = decided(build, [(sig, "P1", later, "2026-12-03"), (sig, "P1", first, "2026-12-01")], monkeypatch)
    assert link(kit) == expect


def test_two_confirmations_of_one_record_the_later_person_wins(monkeypatch):
    def build(kit):
        registry(kit, [("P1", "王伟", "auto"), ("P2", "王伟", "auto")])
        kit.records("medins_burden", [{**MEDINS, "name": "王伟", "id_number": None}])

    sig = signatures(build)["1"]
    kit = decided(build, [(sig, "P1", "是同一人", "2026-12-01"), (sig, "P2", "是同一人", "2026-12-02")], monkeypatch)
    assert link(kit) == ("P2", "clerk_confirmed", 1.0)
    effects = dict(kit.frame("SELECT person_id, effect FROM tie_decisions").iter_rows())
    assert effects == {"P1": "not applied: a later confirmation of another person stands",
                       "P2": "linked (clerk_confirmed)"}


def test_a_confirmed_person_no_longer_in_the_registry_is_not_linked(monkeypatch):
    def build(kit):
        registry(kit, [("P1", "上官婉儿", "auto")])
        kit.records("medins_burden", [{**MEDINS, "name": "上官婉儿", "id_number": None}])

    sig = signatures(build)["1"]
    kit = decided(build, [(sig, "P9", "是同一人", "2026-12-01")], monkeypatch)
    assert link(kit) is None
    assert kit.frame("SELECT effect FROM tie_decisions")["effect"].to_list() == [
        "not applied: the person is not in tonight's registry"]
