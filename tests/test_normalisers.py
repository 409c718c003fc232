"""Names, dates, money, codes: the value normalisers on the messy spellings of sources.md."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from pipelines.contracts import load_contracts
from pipelines.normalise.codes import parse_code_expr
from pipelines.normalise.dates import parse_date_expr, parse_year_month_expr
from pipelines.normalise.names import normalise_names, pinyin_of
from pipelines.normalise.numbers import parse_division_expr, parse_money_expr, parse_record_no_expr


def apply(expr_fn, values):
    return pl.DataFrame({"v": values}, schema={"v": pl.String}).select(expr_fn(pl.col("v"))).to_series().to_list()


@pytest.mark.parametrize("raw,expected", [
    ("王丽", "王丽"), (" 王 丽 ", "王丽"), ("王　丽", "王丽"), ("張偉", "张伟"), ("劉德華", "刘德华"),
    ("努尔兰•买买提", "努尔兰·买买提"), ("努尔兰.买买提", "努尔兰·买买提"), ("努尔兰。买买提", "努尔兰·买买提"),
    ("努尔兰·买买提", "努尔兰·买买提"), ("ＷＡＮＧ", "WANG"), ("", None), ("  ", None),
])
def test_name_normalisation(raw, expected):
    assert normalise_names(pl.Series("name", [raw])).to_list() == [expected]


def test_pinyin_makes_homophones_equal_and_surnames_different():
    names = normalise_names(pl.Series("name", ["王丽", "王莉", "汪丽", "李丽", "張麗", "曾伟", "单田芳", None]))
    py = pinyin_of(names).to_list()
    assert py[0] == py[1] == "wang li"          # homophones
    assert py[2] == "wang li"                   # 汪 is a homophone surname: the scorer weighs the characters too
    assert py[3] == "li li" and py[3] != py[0]  # a different surname stays different
    assert py[4] == "zhang li"                  # traditional, via simplification first
    assert py[5] == "zeng wei" and py[6] == "shan tian fang"  # surname readings
    assert py[7] is None


def test_pinyin_is_computed_once_per_distinct_name_and_mapped_back():
    names = pl.Series("name", ["王伟"] * 1000 + ["李娜"] * 1000)
    assert pinyin_of(names).value_counts().height == 2


@pytest.mark.parametrize("raw,expected", [
    ("2024-03-01", date(2024, 3, 1)), ("2024/3/1", date(2024, 3, 1)), ("20240301", date(2024, 3, 1)),
    ("2024年3月1日", date(2024, 3, 1)), ("2024-03-01 00:00:00", date(2024, 3, 1)), ("45352", date(2024, 3, 1)),
    ("2024.3.1", date(2024, 3, 1)), ("２０２４年３月１日", date(2024, 3, 1)),
    ("2024-02-30", None), ("20241301", None), ("not a date", None), ("", None), (None, None),
])
def test_dates_in_every_format(raw, expected):
    assert apply(parse_date_expr, [raw]) == [expected]


@pytest.mark.parametrize("raw,expected", [
    ("202605", date(2026, 5, 1)), ("2026-05", date(2026, 5, 1)), ("2026年5月", date(2026, 5, 1)),
    ("2026-05-01 00:00:00", date(2026, 5, 1)), ("202613", None),
])
def test_year_month(raw, expected):
    assert apply(parse_year_month_expr, [raw]) == [expected]


@pytest.mark.parametrize("raw,expected", [
    ("4,005.70", Decimal("4005.70")), ("1200元", Decimal("1200.00")), (" 760 ", Decimal("760.00")),
    ("0.01", Decimal("0.01")), ("1，234.5 元", Decimal("1234.50")), ("12x", None), ("", None),
    ("123456789012345678901", None),
])
def test_money(raw, expected):
    assert apply(parse_money_expr, [raw]) == [expected]


def test_record_no_from_excel_float_and_text():
    assert apply(parse_record_no_expr, ["12", "12.0", " 7 ", "007", "x1", None]) == ["12", "12", "7", "7", None, None]


def test_division_code():
    assert apply(parse_division_expr, ["230102001001", "230102001001.0", "230102", "2301", None]) == [
        "230102001001", "230102001001", "230102000000", None, None]


def test_codes_map_aliases_and_reject_unknowns():
    col = load_contracts()["dpf_disabled"].column("disability_grade")
    got = apply(lambda e: parse_code_expr(e, col), ["一级", "2级", " 三级 ", "四", "五级", None])
    assert got == ["一级", "二级", "三级", "四级", None, None]


def test_whitespace_only_cells_are_blank_and_text_is_trimmed():
    """A row of spaces (full-width included) is an empty row; a 序号 of spaces is a blank 序号;
    free text is trimmed in place and a blank text cell becomes NULL."""
    from pipelines.normalise.frame import normalise_frame

    contract = load_contracts()["market_entities"]
    cols = [c.name for c in contract.columns]
    text = next(c.name for c in contract.columns if c.type == "text")
    rows = [
        {c: "  " for c in cols} | {cols[0]: "\u3000"},                      # nothing but spaces
        {c: None for c in cols} | {text: " 某某商店 "},                      # no 序号
        {c: None for c in cols} | {"record_no": "3", text: "\u3000"},       # loaded, text blank
        {c: None for c in cols} | {"record_no": "4", text: " 某某商店 "},     # loaded, text trimmed
    ]
    raw = pl.DataFrame(rows, schema={c: pl.String for c in cols}).with_columns(
        pl.lit("f.csv").alias("_file"), pl.Series("_row", [2, 3, 4, 5]))
    out = normalise_frame(contract, raw, date(2026, 11, 28))
    assert out.rejects.select("row", "reason").rows() == [(2, "empty row"), (3, "序号 is blank")]
    assert out.data["record_no"].to_list() == ["3", "4"] and out.data[text].to_list() == [None, "某某商店"]
