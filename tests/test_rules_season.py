"""HEATING_AID and the heating season (config: 10-20 .. 04-20, crossing the new year): its
first and last day count, the days just outside do not; a warning found on the first day is
still the same warning on the last day and is resolved the day after."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from pipelines.orchestrate import run_for_date

from rulezone import Person, write_registry, write_source

DIBAO = Person("dibao", 1, heating="未发放")
DISPERSED = Person("dispersed", 2, category="特困分散", heating="未发放")
CENTRAL = Person("central", 3, category="特困集中", heating="未发放")      # not entitled
PAID = Person("paid", 4, heating="已发放")
ENDED = Person("ended", 5, status="已终止", heating="未发放")
DAYS = {date(2026, 10, 19): False, date(2026, 10, 20): True, date(2027, 4, 20): True, date(2027, 4, 21): False}


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    root = tmp_path_factory.mktemp("season")
    write_registry(root / "landing", "2026-10-01", [DIBAO, DISPERSED, CENTRAL, PAID, ENDED])
    # one department delivery, of someone outside the registry (the linker wants at least one)
    write_source(root / "landing", "vehicles", "2026-10-01", [(Person("outsider", 99), {})], date(2026, 10, 1))
    wh = root / "wh.duckdb"
    for day in DAYS:
        run_for_date(root / "landing", wh, day)
    with duckdb.connect(str(wh), read_only=True) as con:
        rows = con.execute("SELECT as_of, person_id, status, first_seen, last_seen FROM warning_status "
                           "WHERE rule_code = 'HEATING_AID'").fetchall()
    return rows


@pytest.mark.parametrize("day", list(DAYS), ids=[d.isoformat() for d in DAYS])
def test_heating_aid_inside_the_season_only(season, day):
    found = {p for d, p, s, *_ in season if d == day and s != "resolved"}
    assert found == ({DIBAO.person_id, DISPERSED.person_id} if DAYS[day] else set())


def test_the_season_is_one_warning_from_first_to_last_day(season):
    got = {(d, p): (s, f, last) for d, p, s, f, last in season if p == DIBAO.person_id}
    first, last, after = date(2026, 10, 20), date(2027, 4, 20), date(2027, 4, 21)
    assert got == {(first, DIBAO.person_id): ("new", first, first),
                   (last, DIBAO.person_id): ("open", first, last),
                   (after, DIBAO.person_id): ("resolved", first, last)}
