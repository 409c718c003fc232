"""The linker's tiers on their own hard cases, in one small run (see linkcases.py for the filler)."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.normalise.idnumbers import check_char
from pipelines.orchestrate import run_for_date

from conftest import add_delivery, csv_bytes, write_xlsx
from linkcases import (DPF_HEADER, HEALTH_HEADER, MEDINS_HEADER, Person, dpf_row, filler, health_row, make_id,
                       medins_row, write_registry)

AS_OF = date(2026, 11, 28)


def person(pid: str, name: str, sex: str, birth: date, county: str, seq: int) -> Person:
    return Person(pid, "HH" + pid, name, make_id(county, birth, seq, sex == "男"), sex, birth, county)


def mistype(number: str, position: int) -> str:
    d = str((int(number[position]) + 3) % 10)
    return number[:position] + d + number[position + 1:]


def swap(number: str, i: int) -> str:
    return number[:i] + number[i + 1] + number[i] + number[i + 2:]


def excel_15(number: str) -> str:
    """What Excel leaves of a number: 15 significant digits, then zeros."""
    return str(round(int(number), -3))


def two_persons_one_edit_from(typed_base: str) -> tuple[str, str, str]:
    """A mistyped number with two different valid numbers each one substitution away."""
    body = typed_base[:17]
    for pos in (14, 15, 16):
        for d in "0123456789":
            if d == body[pos]:
                continue
            other = body[:pos] + d + body[pos + 1:]
            candidate = other + check_char(other)
            typed = candidate[:15] + str((int(candidate[15]) + 1) % 10) + candidate[16:]
            # typed must fail its check and have a second valid neighbour at another position
            if typed[17] == check_char(typed[:17]):
                continue
            for pos2 in (14, 16):
                for d2 in "0123456789":
                    second = typed[:pos2] + d2 + typed[pos2 + 1:17]
                    second_full = second + typed[17]
                    if second_full != candidate and typed[17] == check_char(second) and second_full != typed:
                        return typed, candidate, second_full
    raise AssertionError("no such pair found")


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    root = tmp_path_factory.mktemp("link")
    landing = root / "landing"
    rng = random.Random(11)
    people = filler(1500)
    cases = {
        "exact": person("PA1", "邬骁骞", "男", date(1971, 2, 3), "230102", 11),
        "typo": person("PA2", "欧阳明辉", "男", date(1966, 6, 16), "230103", 21),
        "swap": person("PA3", "诸葛云", "女", date(1982, 9, 27), "230104", 32),
        "old15": person("PA4", "皇甫翔", "男", date(1965, 4, 8), "230123", 41),
        "homophone": person("PA5", "王丽", "女", date(1980, 5, 5), "230102", 52),
        "traditional": person("PA6", "张伟", "男", date(1977, 8, 8), "230124", 61),
        "card": person("PA7", "司马青", "女", date(1958, 12, 1), "230125", 72),
        "ambig_a": person("PA8", "李娜", "女", date(1990, 1, 1), "230103", 81),
        "ambig_b": person("PA9", "李娜", "女", date(1990, 1, 1), "230103", 92),
        "decoy_twin": person("PB1", "孙悦", "男", date(1975, 3, 3), "230104", 101),
        "wrong_name": person("PB2", "钱学林", "男", date(1969, 10, 10), "230108", 111),
        "surname": person("PB3", "王丽华", "女", date(1985, 7, 7), "230102", 121),
        "unique_blank": person("PB4", "慕容晓雪", "女", date(1988, 11, 11), "230123", 131),
    }
    typed_two, num_a, num_b = two_persons_one_edit_from(make_id("230102", date(1970, 1, 1), 500, True))
    cases["two_a"] = Person("PC1", "HHPC1", "赵敏", num_a, "男", date(1970, 1, 1), "230102")
    cases["two_b"] = Person("PC2", "HHPC2", "赵敏", num_b, "男", date(1970, 1, 1), "230102")
    decoy_number = make_id("230104", date(1975, 3, 3), 777, True)  # same name/sex/birth/county, not registry
    # a repair that fits one person whose name agrees, and one whose name does not
    typed_one, num_c, num_d = two_persons_one_edit_from(make_id("230103", date(1972, 2, 2), 300, True))
    cases["one_of_two"] = Person("PC3", "HHPC3", "周杰", num_c, "男", date(1972, 2, 2), "230103")
    cases["other_name"] = Person("PC4", "HHPC4", "吴刚", num_d, "男", date(1972, 2, 2), "230103")
    # a genuine number ending in 000: with a typo it looks like Excel damage, yet is repaired
    zeros = next(b + "0" for seq in range(0, 1000, 100)
                 for b in [f"230124196108{19:02d}{seq:03d}"[:17]] if check_char(b) == "0" and b.endswith("00"))
    cases["ends_000"] = Person("PC5", "HHPC5", "柳如烟", zeros, "女", date(1961, 8, 19), "230124")
    # Excel's rounding of a known person's number that is also one edit from a registry namesake
    twin = next(n for seq in range(200, 300) for n in [make_id("230202", date(1979, 2, 8), seq, False)]
                if n.endswith("008") or n.endswith("009") or n.endswith("00X"))
    cases["rounding_twin"] = Person("PC6", "HHPC6", "郭霞", twin, "女", date(1979, 2, 8), "230202")
    known_other = next(n for seq in range(240, 250) for n in [make_id("230202", date(1979, 2, 8), seq, False)]
                       if n != twin)  # inside the interval Excel leaves of twin[:15] + "000"
    assert abs(int(known_other) - int(twin[:15] + "000")) <= 500

    write_registry(landing, people + list(cases.values()), "2026-11-28")

    c = cases
    medins = [MEDINS_HEADER]
    homophones = str.maketrans({"丽": "莉", "伟": "玮", "静": "晶", "娜": "那", "军": "君", "芳": "方", "华": "桦"})
    for i, p in enumerate(rng.sample(people, 750)):
        # as in real extracts, about 1 name in 100 is typed with a homophone: the model learns that rate
        name = p.name.translate(homophones) if i % 8 == 0 else p.name
        medins.append(medins_row(i + 1, name, p.id_number))
    outsiders = filler(400, seed=99)
    for j, p in enumerate(outsiders):
        medins.append(medins_row(1000 + j, p.name, make_id(p.county, p.birth, 900 + j % 90, p.sex == "男")))
    special = {
        "exact": medins_row(2001, "邬骁骞", c["exact"].id_number),
        "typo": medins_row(2002, "欧阳明辉", mistype(c["typo"].id_number, 9)),
        "swap": medins_row(2003, "诸葛云", swap(c["swap"].id_number, 10) if c["swap"].id_number[10] != c["swap"].id_number[11] else swap(c["swap"].id_number, 8)),
        "old15": medins_row(2004, "皇甫翔", c["old15"].id_number[:6] + c["old15"].id_number[8:17]),
        "traditional": medins_row(2005, "張偉", c["traditional"].id_number),
        "two": medins_row(2006, "赵敏", typed_two),
        "wrong_name": medins_row(2007, "欧文斯", c["wrong_name"].id_number),
        "decoy_known": medins_row(2008, "孙悦", decoy_number),
        "one_of_two": medins_row(2010, "周杰", typed_one),
        "ends_000": medins_row(2011, "柳如烟", mistype(zeros, 8)),
        "rounding_known": medins_row(2012, "郭霞", known_other),
        "rounding": medins_row(2013, "郭霞", twin[:15] + "000"),
    }
    medins += list(special.values())
    add_delivery(landing, "medins_burden", "2026-11-28", {"医保.csv": csv_bytes(medins)})

    health = [HEALTH_HEADER]
    for i, p in enumerate(rng.sample(people, 300)):
        health.append(health_row(i + 1, p.name, p.id_number, p.sex, p.birth))
    for j, p in enumerate(filler(150, seed=77)):
        health.append(health_row(500 + j, p.name, make_id(p.county, p.birth, 950 + j % 40, p.sex == "男"), p.sex, p.birth))
    h = {
        "homophone": health_row(3001, "王莉", excel_15(c["homophone"].id_number), "女", date(1980, 5, 5)),
        "ambiguous": health_row(3002, "李娜", "", "女", date(1990, 1, 1)),
        "decoy": health_row(3003, "孙悦", "", "男", date(1975, 3, 3)),
        "decoy_mangled": health_row(3004, "孙悦", excel_15(decoy_number), "男", date(1975, 3, 3)),
        "surname": health_row(3005, "李丽华", "", "女", date(1985, 7, 7)),
        "unique_blank": health_row(3006, "慕容晓雪", "", "女", date(1988, 11, 11)),
        "traditional_fuzzy": health_row(3007, "張偉", excel_15(c["traditional"].id_number), "男", date(1977, 8, 8)),
    }
    health += list(h.values())
    add_delivery(landing, "health_serious_illness", "2026-11-25", {"重病.csv": csv_bytes(health)})

    dpf = [DPF_HEADER, dpf_row(1, "司马青", "", c["card"].id_number + "43")]
    for i, p in enumerate(rng.sample(people, 100)):
        dpf.append(dpf_row(10 + i, p.name, p.id_number, p.id_number + "43"))
    folder = add_delivery(landing, "dpf_disabled", "2026-11-20", {})
    write_xlsx(folder / "残疾人.xlsx", dpf)

    wh = root / "wh.duckdb"
    run_for_date(landing, wh, AS_OF)
    con = duckdb.connect(str(wh), read_only=True)
    yield con, cases
    con.close()


def link_of(con, source: str, record_no: str):
    rows = con.execute("SELECT person_id, method, score FROM links WHERE as_of = ? AND source = ? AND record_no = ?",
                       [AS_OF, source, record_no]).fetchall()
    return rows[0] if rows else None


def review_of(con, source: str, record_no: str):
    rows = con.execute("SELECT reason, candidates FROM review WHERE as_of = ? AND source = ? AND record_no = ?",
                       [AS_OF, source, record_no]).fetchall()
    return (rows[0][0], json.loads(rows[0][1] or "[]")) if rows else None


def test_exact_number(linked):
    con, c = linked
    assert link_of(con, "medins_burden", "2001") == ("PA1", "exact_id", 1.0)


def test_traditional_name_with_exact_number(linked):
    con, _ = linked
    assert link_of(con, "medins_burden", "2005")[:2] == ("PA6", "exact_id")


def test_fifteen_digit_number(linked):
    con, _ = linked
    assert link_of(con, "medins_burden", "2004")[:2] == ("PA4", "id15_converted")


def test_one_wrong_digit_is_repaired(linked):
    con, _ = linked
    pid, method, score = link_of(con, "medins_burden", "2002")
    assert (pid, method) == ("PA2", "repaired_id") and 0.99 < score <= 1.0


def test_swapped_neighbours_are_repaired(linked):
    con, _ = linked
    assert link_of(con, "medins_burden", "2003")[:2] == ("PA3", "repaired_id")


def test_no_swap_of_neighbours_passes_the_check_digit():
    """Why the repair tier only looks at numbers that fail their check: ISO 7064 MOD 11-2 catches
    every adjacent transposition of a valid number, the one with the check character included."""
    rng = random.Random(1)
    for _ in range(3000):
        body = "".join(rng.choice("0123456789") for _ in range(17))
        number = body + check_char(body)
        i = rng.randrange(17)
        if number[i] != number[i + 1]:
            swapped = swap(number, i)
            assert "X" in swapped[:17] or swapped[17] != check_char(swapped[:17])


def test_a_repair_that_fits_two_persons_is_not_linked(linked):
    con, _ = linked
    assert link_of(con, "medins_burden", "2006") is None
    reason, candidates = review_of(con, "medins_burden", "2006")
    assert "2 registry persons" in reason
    assert {c["person_id"] for c in candidates} == {"PC1", "PC2"}


def test_a_repair_fitting_one_name_among_two_numbers_links_that_one(linked):
    con, _ = linked
    assert link_of(con, "medins_burden", "2010")[:2] == ("PC3", "repaired_id")


def test_a_typo_in_a_number_ending_in_000_is_still_repaired(linked):
    con, _ = linked
    assert con.execute("SELECT id_number_status FROM stg_medins_burden WHERE record_no = '2011'").fetchall() == [("mangled",)]
    assert link_of(con, "medins_burden", "2011")[:2] == ("PC5", "repaired_id")


def test_excel_rounding_of_another_known_persons_number_is_not_repaired_into_a_link(linked):
    con, _ = linked
    assert link_of(con, "medins_burden", "2013") is None
    reason, _ = review_of(con, "medins_burden", "2013")
    assert "Excel" in reason


def test_a_number_whose_name_does_not_fit_goes_to_review(linked):
    con, _ = linked
    assert link_of(con, "medins_burden", "2007") is None
    reason, candidates = review_of(con, "medins_burden", "2007")
    assert "name" in reason and candidates[0]["person_id"] == "PB2"


def test_disability_card_path(linked):
    con, _ = linked
    assert link_of(con, "dpf_disabled", "1")[:2] == ("PA7", "disability_card")


def test_homophone_with_mangled_number_links_fuzzily(linked):
    con, _ = linked
    pid, method, score = link_of(con, "health_serious_illness", "3001")
    assert (pid, method) == ("PA5", "fuzzy_name") and score >= 0.99
    why = json.loads(con.execute("SELECT explanation FROM link_explanations WHERE as_of = ? AND source = ? AND "
                                 "record_no = '3001'", [AS_OF, "health_serious_illness"]).fetchall()[0][0])
    assert why["name"]["level"] == "pinyin" and why["identity_number_interval"]["level"] == "within"
    assert why["identity_number_interval"]["weight_bits"] > 5


def test_traditional_name_links_fuzzily(linked):
    con, _ = linked
    assert link_of(con, "health_serious_illness", "3007")[:2] == ("PA6", "fuzzy_name")


def test_unique_name_and_birth_date_without_number_links(linked):
    con, _ = linked
    assert link_of(con, "health_serious_illness", "3006")[:2] == ("PB4", "fuzzy_name")


def test_two_persons_with_the_same_name_and_birth_date_is_ambiguous(linked):
    con, _ = linked
    assert link_of(con, "health_serious_illness", "3002") is None
    _, candidates = review_of(con, "health_serious_illness", "3002")
    assert {c["person_id"] for c in candidates} == {"PA8", "PA9"}
    assert all(c["score"] < 0.6 for c in candidates)


@pytest.mark.parametrize("record_no", ["3003", "3004"])
def test_decoy_is_never_linked(linked, record_no):
    con, _ = linked
    assert link_of(con, "health_serious_illness", record_no) is None


def test_decoy_with_blank_number_is_sent_to_review_naming_the_other_person(linked):
    con, _ = linked
    reason, candidates = review_of(con, "health_serious_illness", "3003")
    assert "another known person" in reason and candidates[0]["person_id"] == "PB1"


def test_different_surname_is_not_a_match(linked):
    con, _ = linked
    assert link_of(con, "health_serious_illness", "3005") is None


def test_links_table_matches_the_contract(linked):
    con, _ = linked
    cols = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'links' "
                       "ORDER BY ordinal_position").fetchall()
    assert cols == [("as_of", "DATE"), ("source", "VARCHAR"), ("delivery_date", "DATE"), ("record_no", "VARCHAR"),
                    ("person_id", "VARCHAR"), ("method", "VARCHAR"), ("score", "DOUBLE")]
    lo, hi, dup = con.execute("SELECT min(score), max(score), count(*) - count(DISTINCT (source, delivery_date, record_no)) "
                              "FROM links").fetchall()[0]
    assert 0 <= lo <= hi <= 1 and dup == 0


def test_every_link_can_show_why(linked):
    con, _ = linked
    missing = con.execute("SELECT count(*) FROM links l LEFT JOIN link_explanations e USING (as_of, source, "
                          "delivery_date, record_no) WHERE e.explanation IS NULL").fetchall()[0][0]
    assert missing == 0


def test_fitting_variants_are_exactly_the_one_edit_numbers_that_pass_the_check():
    """The SQL arithmetic (model repair_variants) against brute force over all 180 one-edit variants."""
    from modelkit import run_models

    rng = random.Random(5)
    typed = []
    while len(typed) < 300:
        body = "".join(rng.choice("0123456789") for _ in range(17))
        last = rng.choice("0123456789X")
        if last != check_char(body):
            typed.append(body + last)
    engine = run_models({"repair_numbers": pl.DataFrame({"typed": typed})}, ["repair_positions", "repair_variants"])
    got = {(t, v) for t, v, _ in engine.rows("SELECT typed, variant, edit FROM repair_variants")}

    def passes(n: str) -> bool:
        return "X" not in n[:17] and n[17] == check_char(n[:17])

    expected = set()
    for t in typed:
        for i in range(18):
            for c in "0123456789X":
                if c != t[i] and (c != "X" or i == 17) and passes(t[:i] + c + t[i + 1:]):
                    expected.add((t, t[:i] + c + t[i + 1:]))
        for i in range(17):
            if t[i] != t[i + 1] and passes(swap(t, i)):
                expected.add((t, swap(t, i)))
    assert got == expected and len(got) > 300 * 15
