"""Masking by construction: one function hides identity numbers in any text, frame column, log
record and delivery error, however the number was typed."""

from __future__ import annotations

import io
import logging
import re

import polars as pl
import pytest

from pipelines.ingest.errors import DeliveryError
from pipelines.ingest.readers import read_file
from pipelines.masking import (
    install_log_masking,
    mask_expr,
    mask_frame,
    mask_id,
    mask_id_expr,
    mask_text,
    safe_message,
    uninstall_log_masking,
)
from pipelines.normalise.idnumbers import check_char

from conftest import csv_bytes

ID18 = "230102195001010010"              # valid: Harbin 道里区, born 1950-01-01
ID18X = "23011319920327883X"
ID15 = "230102500101001"                  # the old form of a number born 1950-01-01
CARD = ID18X + "11"                       # 残疾人证号: the number plus category and grade
FULL_WIDTH = ID18.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
ARABIC_INDIC = ID18.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
BIRTH = "19500101"


def hidden(text: str, *numbers: str) -> bool:
    """No number's birth-date part (nor the whole number) survives in `text`, in any digit script."""
    ascii_text = "".join(str(int(c)) if c.isdecimal() else c for c in text)
    return all(n not in ascii_text for n in numbers) and BIRTH not in ascii_text and "500101" not in ascii_text


@pytest.mark.parametrize("raw,masked", [
    (ID18, "230102********0010"),
    (ID18X, "230113********883X"),
    (ID18X.lower(), "230113********883X"),
    (ID15, "230102******001"),
    (CARD, "230113***********X11"),
    (ID18 + "12", "230102***********012"),
    (FULL_WIDTH, "230102********0010"),
    (ARABIC_INDIC, "230102********0010"),
    ("230102 19500101 0010", "230102********0010"),
    ("2301-0219-5001-0100-10", "230102********0010"),
    ("２３０１０２　１９５００１０１　００１０", "230102********0010"),
])
def test_every_form_of_a_number_is_masked(raw, masked):
    assert mask_text(raw) == masked
    assert hidden(mask_text(raw), ID18, ID18X, ID15)


def test_numbers_embedded_in_longer_text_are_masked_and_the_rest_kept():
    line = f"3,王伟,{ID18},男,2024/3/1 and ID{ID18X}abc, old {ID15}; card {CARD}."
    out = mask_text(line)
    assert hidden(out, ID18, ID18X, ID15, CARD)
    assert out.startswith("3,王伟,230102********0010,男,2024/3/1 and ID230113********883Xabc")
    assert "old 230102******001;" in out and "card 230113***********X11." in out


def test_excel_scientific_form_keeps_no_birth_digits():
    assert mask_text("2.30102195001E+17") == "2.30102******E+17"
    assert mask_text("e.g. 2.3010219500101E+17,") == "e.g. 2.30102********E+17,"


def test_short_numbers_dates_and_codes_are_left_alone():
    for text in ["row 12", "2026-11-28", "12345678901234", "HH2301020001234", "序号 1.0", "rows 1,234,567"]:
        assert mask_text(text) == text


def test_masking_is_idempotent_and_total():
    once = mask_text(f"{ID18} {CARD} {ID15}")
    assert mask_text(once) == once
    assert mask_text(None) == ""
    assert mask_text(12345) == "12345"


def test_no_birth_digit_wherever_a_number_sits_in_a_joined_run():
    """A number glued to neighbouring digits by a space still shows no birth digit."""
    for prefix in ["1 ", "12 ", "123-"]:
        for number in (ID18, ID18X):
            out = mask_text(prefix + number)
            assert BIRTH not in out.replace(" ", "").replace("-", ""), (prefix, out)


def test_mask_id_keeps_its_historical_shape():
    assert mask_id("23010219500101001X") == "230102********001X"
    assert mask_id(None) == "<blank>"
    assert mask_id("1234") == "****"


def test_frame_masking_matches_mask_text():
    values = [f"x {ID18} y", None, "plain", FULL_WIDTH, f"{CARD}"]
    frame = pl.DataFrame({"text": values, "id": [ID18, None, ID15, ID18X, ID18]})
    out = frame.select(mask_expr(pl.col("text")).alias("text"), mask_id_expr(pl.col("id")).alias("id"))
    assert out["text"].to_list() == [mask_text(v) if v is not None else None for v in values]
    assert out["id"].to_list() == ["230102********0010", None, "230102******001", "230113********883X",
                                   "230102********0010"]
    assert mask_frame(frame)["text"].to_list() == out["text"].to_list()


def test_safe_message_escapes_control_characters_and_bounds_length():
    text = safe_message(f"bad\x1b[31m\x00{ID18}" + "x" * 5000, limit=100)
    assert "\x1b" not in text and "\x00" not in text and "\\x1b" in text
    assert ID18 not in text and len(text) < 150 and "more characters" in text


def test_delivery_errors_are_masked_when_built():
    err = DeliveryError(f"/landing/{ID18}.csv", f"value {ID18X} and {FULL_WIDTH}", row=3)
    assert hidden(str(err), ID18, ID18X) and hidden(err.problem, ID18X)
    assert str(err).startswith("230102********0010.csv, row 3: value 230113********883X")


def test_a_file_without_its_header_line_does_not_print_its_first_record(tmp_path, contracts):
    """The first data row taken for the header used to be printed in full ("headers found: 1, 王伟,
    2301..."): name and number into the console, the logs and delivery_log."""
    path = tmp_path / "no_header.csv"
    path.write_bytes(csv_bytes([["1", "王伟", ID18, "男", "2024/3/1", "否", "道里区就业局"],
                                ["2", "李娜", ID18X, "女", "2024/3/1", "否", "道里区就业局"]]))
    with pytest.raises(DeliveryError) as info:
        read_file(path, contracts["hrss_unemployed"])
    msg = str(info.value)
    assert "not a header row" in msg and info.value.row == 1
    assert hidden(msg, ID18, ID18X) and "王伟" not in msg


def test_a_partial_header_prints_only_masked_cells(tmp_path, contracts):
    path = tmp_path / "odd.csv"
    path.write_bytes(csv_bytes([["序号", "姓名", FULL_WIDTH], ["1", "王伟", "x"]]))
    with pytest.raises(DeliveryError) as info:
        read_file(path, contracts["hrss_unemployed"])
    assert "headers found: 序号, 姓名, 230102********0010" in str(info.value)


@pytest.fixture
def masked_logging():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("lowincome.test.masking")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    install_log_masking()
    try:
        yield logger, stream
    finally:
        uninstall_log_masking()
        logger.removeHandler(handler)


def test_every_log_record_is_masked_message_args_and_traceback(masked_logging):
    """A handler added after install (as Airflow's are) on a child logger with its own handler: the
    record factory masks the record itself, so no handler sees the number."""
    logger, stream = masked_logging
    logger.warning("row %s: %s", 3, f"王伟,{ID18},男")
    logger.info(f"card {CARD} and {ID15}")
    try:
        raise ValueError(f"conversion failed for value {ID18X!r}")
    except ValueError:
        logger.exception("while staging %s", FULL_WIDTH)
    text = stream.getvalue()
    assert "230102********0010" in text and "ValueError: conversion failed for value '230113********883X'" in text
    assert hidden(text, ID18, ID18X, ID15, CARD)
    assert "Traceback" in text


def test_install_is_idempotent_and_undone(masked_logging):
    logger, stream = masked_logging
    factory = logging.getLogRecordFactory()
    install_log_masking()
    assert logging.getLogRecordFactory() is factory
    logger.warning(ID18)
    assert stream.getvalue().count("230102********0010") == 1


def test_the_check_digit_helper_agrees_with_the_fixtures():
    """The numbers above are what they claim to be (a mask test on invalid numbers proves little)."""
    assert check_char(ID18[:17]) == ID18[17] and check_char(ID18X[:17]) == "X"
    assert re.fullmatch(r"[0-9]{15}", ID15)
