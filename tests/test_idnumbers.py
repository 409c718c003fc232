"""Identity-number normalisation on the hard cases of sources.md, with python-stdnum as check-digit oracle."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import polars as pl
import pytest
from stdnum.cn import ric

from pipelines.normalise.idnumbers import check_char, check_chars_np, mask_id, normalise_ids

# 230102195001010010: a genuine-looking Harbin 道里区 number born 1950 (stdnum's cn.ric would
# reject it on division-code history, which is why stdnum is only the check-digit oracle).
GOOD = "230102195001010010"


def one(value, latest=date(2026, 11, 28)) -> dict:
    return normalise_ids(pl.Series([value], dtype=pl.String), latest).row(0, named=True)


def test_check_digit_agrees_with_stdnum_on_random_numbers():
    # stdnum's calc_check_digit takes a whole number and ignores its last character.
    rng = random.Random(7)
    bodies = ["".join(rng.choice("0123456789") for _ in range(17)) for _ in range(2000)]
    ours = check_chars_np(np.array([[int(c) for c in b] for b in bodies]))
    assert [check_char(b) for b in bodies] == [ric.calc_check_digit(b + "0") for b in bodies]
    assert list(ours) == [ric.calc_check_digit(b + "0") for b in bodies]
    ids = pl.Series([b + ric.calc_check_digit(b + "0") for b in bodies])
    statuses = normalise_ids(ids)["id_status"]
    # a right check digit never reads as bad_check (impossible dates may look like Excel damage)
    assert set(statuses.unique()) <= {"valid", "bad_date", "mangled"}
    assert (statuses == "bad_check").sum() == 0


@pytest.mark.parametrize("raw", [
    GOOD, f" {GOOD} ", f"'{GOOD}", "２３０１０２１９５００１０１００１０", "230102 19500101 0010", "230102　195001010010",
])
def test_formatting_noise_is_removed(raw):
    r = one(raw)
    assert r["id"] == GOOD and r["id_status"] == "valid"
    assert (r["id_birth"], r["id_sex"], r["id_county"]) == (date(1950, 1, 1), "男", "230102")


def test_lower_case_x_becomes_upper():
    body = "23011319920327883"
    assert check_char(body) == "X"
    r = one(body + "x")
    assert r["id"] == body + "X" and r["id_status"] == "valid"


def test_fifteen_digits_convert_to_eighteen():
    r = one("230102500101001")  # 1950-01-01, sequence 001
    assert r["id"] == GOOD[:17].replace(GOOD[:17], "23010219500101001") + check_char("23010219500101001")
    assert r["id_was_15"] and r["id_status"] == "valid" and r["id_sex"] == "男"


def test_single_wrong_digit_and_swap_fail_the_check():
    typo = GOOD[:10] + str((int(GOOD[10]) + 3) % 10) + GOOD[11:]
    swap = GOOD[:6] + GOOD[7] + GOOD[6] + GOOD[8:]  # 1 and 9 swapped
    assert one(typo)["id_status"] == "bad_check"
    assert one(swap)["id_status"] == "bad_check"
    assert one(typo)["id"] == typo  # kept for the repair tier, no derived fields
    assert one(typo)["id_birth"] is None


def test_impossible_birth_date_with_a_fitting_check_digit():
    body = "23010219501301001"  # month 13
    r = one(body + check_char(body))
    assert r["id_status"] == "bad_date" and r["id_birth"] is None
    future = "23010220991231001"
    assert one(future + check_char(future))["id_status"] == "bad_date"


@pytest.mark.parametrize("raw,digits,lo,hi", [
    ("2.30102E+17", 6, 230101500000000000, 230102500000000000),
    ("2.30102195E+17", 9, 230102194500000000, 230102195500000000),
    ("2.30102195001E+17", 12, 230102195000500000, 230102195001500000),
    ("230102195001010000", 15, 230102195001009500, 230102195001010500),
    ("230102195001010000.0", 15, 230102195001009500, 230102195001010500),
])
def test_excel_mangled_numbers_are_unknown_never_guessed(raw, digits, lo, hi):
    r = one(raw)
    assert r["id_status"] == "mangled"
    assert r["id"] is None and r["id_birth"] is None and r["id_county"] is None
    assert (r["id_digits"], r["id_lo"], r["id_hi"]) == (digits, lo, hi)


def test_rounding_carry_keeps_the_true_number_inside_the_interval():
    true = 230113196203249648  # Excel shows 230113196203250000: the birth day "changed" by carrying
    r = one("230113196203250000")
    assert r["id_lo"] <= true <= r["id_hi"]


@pytest.mark.parametrize("raw", [None, "", "   ", "无", "NULL"])
def test_blank(raw):
    assert one(raw)["id_status"] == "blank"


@pytest.mark.parametrize("raw", ["23010219500101001", "2301021950010100101", "ABCDEF", "23010219500101001Y"])
def test_malformed(raw):
    r = one(raw)
    assert r["id_status"] == "malformed" and r["id"] is None


def test_female_from_even_seventeenth_digit():
    body = "23010219800229002"
    r = one(body + check_char(body))
    assert r["id_sex"] == "女" and r["id_birth"] == date(1980, 2, 29)


def test_mask_keeps_division_code_and_last_four_only():
    assert mask_id("23010219500101001X") == "230102********001X"
    assert mask_id(None) == "<blank>"
    assert "19500101" not in mask_id(GOOD)


def test_excel_double_of_a_number_is_mangled_with_its_fifteen_digits():
    # 230102195001010000 stored as a double reads back as 230102195001009984
    r = one(str(int(float(230102195001010000))))
    assert r["id_status"] == "mangled" and r["id_lo"] <= 230102195001010000 <= r["id_hi"]


def test_a_typo_is_rarely_mistaken_for_excel_damage():
    rng = random.Random(3)
    bodies = ["2301" + "".join(rng.choice("0123456789") for _ in range(13)) for _ in range(3000)]
    typos = pl.Series([b + str((int(check_char(b).replace("X", "10")) + 1) % 10) for b in bodies])
    share = (normalise_ids(typos)["id_status"] == "mangled").mean()
    assert share < 0.01
