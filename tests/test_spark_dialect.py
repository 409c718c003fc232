"""The dialect seam: every difference between DuckDB and Spark the seam handles, shown to give the
same answer on both engines on edge values (the same DuckDB-dialect SQL, run by DuckDBEngine and
by SparkEngine, which renders it through pipelines/engine/spark_dialect.py).

One local Spark session for the whole test run (the process's; Spark tests share an xdist group).
"""

from __future__ import annotations

import json
import math
from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from pipelines.engine.duckdb_engine import DuckDBEngine
from pipelines.engine.spark_dialect import SparkDialectError, macros, render

pytestmark = pytest.mark.xdist_group("spark")


@pytest.fixture(scope="session")
def spark_engine():
    from pipelines.engine.spark_engine import SparkEngine, spark_session

    session = spark_session()
    engine = SparkEngine(session=session, readers={})
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def duck():
    with DuckDBEngine() as engine:
        yield engine


def both(duck, spark, sql: str, params: dict | None = None, frames: dict | None = None) -> tuple[list, list]:
    for name, frame in (frames or {}).items():
        duck.put_frame(name, frame)
        spark.put_frame(name, frame)
    return duck.rows(sql, params), spark.rows(sql, params)


# --------------------------------------------------------------------------- dates
BIRTHDAYS = pl.DataFrame({
    "birth": [date(2000, 2, 29), date(2000, 2, 29), date(2000, 2, 29), date(2000, 2, 29), date(1990, 5, 17),
              date(1990, 5, 17), date(2020, 12, 31), date(1960, 1, 1), None],
    "day": [date(2021, 2, 28), date(2021, 3, 1), date(2024, 2, 29), date(2024, 2, 28), date(2026, 5, 16),
            date(2026, 5, 17), date(2021, 1, 1), date(2026, 11, 28), date(2026, 11, 28)],
})


def test_ages_across_a_birthday_and_a_leap_day(duck, spark_engine):
    sql = ("SELECT birth, day, age_years(birth, day) AS age, date_diff('year', birth, day) AS years, "
           "date_diff('month', birth, day) AS months, date_diff('quarter', birth, day) AS quarters "
           "FROM ages ORDER BY birth, day")
    d, s = both(duck, spark_engine, sql, frames={"ages": BIRTHDAYS})
    assert d == s
    ages = {(r[0], r[1]): r[2] for r in d}
    assert ages[(date(2000, 2, 29), date(2021, 2, 28))] == 20      # the day before a leap birthday
    assert ages[(date(2000, 2, 29), date(2021, 3, 1))] == 21
    assert ages[(date(2000, 2, 29), date(2024, 2, 28))] == 23
    assert ages[(date(1990, 5, 17), date(2026, 5, 16))] == 35 and ages[(date(1990, 5, 17), date(2026, 5, 17))] == 36
    assert [r[3] for r in d if r[0] == date(2020, 12, 31)] == [1]     # calendar boundaries, as DuckDB counts


def test_a_window_of_exactly_180_days(duck, spark_engine):
    as_of = date(2026, 11, 28)
    days = pl.DataFrame({"ago": [0, 1, 179, 180, 181, -1]}).with_columns(
        (pl.lit(as_of) - pl.duration(days=pl.col("ago"))).alias("event"))
    sql = ("SELECT ago, days_between(event, $as_of) AS n, days_between(event, $as_of) BETWEEN 0 AND $window AS inside "
           "FROM events ORDER BY ago")
    d, s = both(duck, spark_engine, sql, {"as_of": as_of, "window": 180}, {"events": days})
    assert d == s
    assert [r[2] for r in d] == [False, True, True, True, True, False]   # -1 (tomorrow), 0, 1, 179, 180, 181


def test_seasons_across_the_new_year(duck, spark_engine):
    days = pl.DataFrame({"day": [date(2026, 10, 19), date(2026, 10, 20), date(2026, 12, 31), date(2027, 1, 1),
                                 date(2027, 4, 20), date(2027, 4, 21)]})
    sql = "SELECT day, in_season(day, $a, $b) AS heating FROM days ORDER BY day"
    d, s = both(duck, spark_engine, sql, {"a": "10-20", "b": "04-20"}, {"days": days})
    assert d == s and [r[1] for r in d] == [False, True, True, True, True, False]


def test_numbers_that_encode_no_date(duck, spark_engine):
    ids = pl.DataFrame({"n": ["230102195002300017", "23010220000229001X", "230102200102290011", None, "2301"]})
    sql = "SELECT n, birth_from_id(n) AS birth, sex_from_id(n) AS sex FROM ids ORDER BY n NULLS LAST"
    d, s = both(duck, spark_engine, sql, frames={"ids": ids})
    assert d == s
    # '2301', 1950-02-30, 2000-02-29 (a leap day), 2001-02-29, NULL
    assert [r[1] for r in d] == [None, None, date(2000, 2, 29), None, None]


# --------------------------------------------------------------------------- names
PINYIN_PAIRS = [("zhang san", "zhang shan"), ("wang wei", "wang wei"), ("li", "li si"), ("", "a"), ("", ""),
                ("ouyang ming xuan", "ou yang ming xuan"), ("chen jian guo", "chen jianguo"),
                ("lv xiu ying", "lu xiu ying"), ("zhao", "qian"), (None, "wang"), ("wang", None)]


def test_jaro_winkler_on_pinyin(duck, spark_engine):
    pairs = pl.DataFrame({"a": [p[0] for p in PINYIN_PAIRS], "b": [p[1] for p in PINYIN_PAIRS]},
                         schema={"a": pl.String, "b": pl.String}).with_row_index("i")
    sql = "SELECT i, jaro_winkler_similarity(a, b) AS jw FROM pairs ORDER BY i"
    d, s = both(duck, spark_engine, sql, frames={"pairs": pairs})
    assert [r[0] for r in d] == [r[0] for r in s]
    for (i, x), (_, y) in zip(d, s):
        assert (x is None and y is None) or math.isclose(x, y, abs_tol=1e-9), PINYIN_PAIRS[i]


def test_name_levels_agree(duck, spark_engine):
    names = pl.DataFrame({"a": ["张三", "张三", "张珊", "李四", None, "王伟"],
                          "pa": ["zhang san", "zhang san", "zhang shan", "li si", None, "wang wei"],
                          "b": ["张三", "張三", "张三", "赵六", "王伟", "汪伟"],
                          "pb": ["zhang san", "zhang san", "zhang san", "zhao liu", "wang wei", "wang wei"]}
                         ).with_row_index("i")
    sql = "SELECT i, name_level(a, pa, b, pb, $t) FROM names ORDER BY i"
    d, s = both(duck, spark_engine, sql, {"t": 0.88}, {"names": names})
    assert d == s
    assert [r[1] for r in d] == ["exact", "pinyin", "close", "different", "unknown", "pinyin"]


# --------------------------------------------------------------------------- JSON
RECORDS = pl.DataFrame({
    "person": ["p1", "p1", "p1", "p2", "p2", "p3"],
    "record_no": ["10", "2", None, "7", "7b", "1"],
    "amount": [Decimal("1200.00"), Decimal("31000.01"), None, Decimal("0.50"), Decimal("3"), None],
    "day": [date(2026, 1, 2), None, date(2025, 12, 31), date(2026, 11, 28), date(2026, 11, 28), None],
    "score": [0.5, None, 0.9, 0.9, 0.9, None],
    "name": ['张"三', "李\\四", None, "王五/六", "x", "y"],
}, schema_overrides={"amount": pl.Decimal(18, 2)})


def test_ordered_json_lists(duck, spark_engine):
    sql = ("SELECT person, json_list(evidence('src', day, record_no, json_object('金额', amount, '姓名', name)), "
           "record_no) AS by_record, json_list_by_score(json_object('n', record_no, 's', score), score, record_no) "
           "AS by_score FROM records GROUP BY person ORDER BY person")
    d, s = both(duck, spark_engine, sql, frames={"records": RECORDS})
    assert [r[0] for r in d] == [r[0] for r in s]
    for (_, dl, dsc), (_, sl, ssc) in zip(d, s):
        assert json.loads(dl) == json.loads(sl) and json.loads(dsc) == json.loads(ssc)
    p1 = json.loads(d[0][1])
    assert [e["序号"] for e in p1] == ["10", "2", None]          # text order, NULL last
    assert p1[0]["fields"] == {"金额": 1200.00, "姓名": '张"三'} and p1[0]["delivery_date"] == "2026-01-02"
    assert [e["n"] for e in json.loads(d[0][2])] == [None, "10", "2"]   # best score first, unscored last


def test_ordered_lists_and_positions(duck, spark_engine):
    sql = ("SELECT person, list(record_no ORDER BY score DESC NULLS FIRST, record_no) AS l, "
           "list_position($order, person) AS pos FROM records GROUP BY person ORDER BY person")
    d, s = both(duck, spark_engine, sql, {"order": ["p2", "p1"]}, {"records": RECORDS})
    assert [tuple(r[:1]) + (list(r[1]), r[2]) for r in d] == [tuple(r[:1]) + (list(r[1]), r[2]) for r in s]
    assert [r[2] for r in d] == [2, 1, None]


def test_evidence_text_and_merge_patch(duck, spark_engine):
    sql = ("SELECT person, evidence_text(json_list(evidence('src', day, record_no, "
           "json_merge_patch(json_object('金额', amount, '姓名', name, '日期', day), json_object('信号', '重度残疾'))), "
           "record_no)) AS t FROM records GROUP BY person ORDER BY person")
    d, s = both(duck, spark_engine, sql, frames={"records": RECORDS})
    assert d == s
    assert d[0][1].startswith("src 2026-01-02 序号10: 金额=1200.0, 姓名=张\"三, 日期=2026-01-02, 信号=重度残疾")


def test_json_members_as_text(duck, spark_engine):
    sql = ("SELECT json_text(e, 'source') AS s, evidence_field(e, '金额') AS m, evidence_field(e, '姓名') AS n "
           "FROM (SELECT unnest(json_items(json_list(evidence('src', day, record_no, "
           "json_object('金额', amount, '姓名', name)), record_no))) AS e FROM records) ORDER BY s, m, n")
    d, s = both(duck, spark_engine, sql, frames={"records": RECORDS})
    assert sorted(d, key=repr) == sorted(s, key=repr)


# --------------------------------------------------------------------------- money
def test_decimal_money_compared_exactly(duck, spark_engine):
    money = pl.DataFrame({"m": ["31000.00", "31000.01", "62000.00", "62000.01", "0.01"]}).with_columns(
        pl.col("m").cast(pl.Decimal(18, 2)))
    sql = ("SELECT m, m > CAST($ref AS DECIMAL(18, 2)) AS over_ref, "
           "m > CAST($mult * $ref AS DECIMAL(18, 2)) AS over_twice, m / 3 AS third, sum(m) OVER () AS total "
           "FROM money ORDER BY m")
    d, s = both(duck, spark_engine, sql, {"ref": 31000, "mult": 2}, {"money": money})
    assert [r[:3] for r in d] == [r[:3] for r in s]
    assert [r[1] for r in d] == [False, False, True, True, True]       # 0.01, 31000.00, 31000.01, 62000.00, 62000.01
    assert [r[2] for r in d] == [False, False, False, False, True]
    assert all(isinstance(r[3], float) and r[3] == t[3] for r, t in zip(d, s))   # `/` divides as DOUBLE
    assert d[0][4] == s[0][4] == Decimal("186000.03")


# --------------------------------------------------------------------------- SQL forms
def test_union_by_name_exclude_qualify_grouping_sets(duck, spark_engine):
    people = pl.DataFrame({"name": ["a", "a", "b", None], "county": ["1", "2", "1", "1"], "k": [3, 1, 2, 4]})
    queries = [
        "SELECT name, county FROM people UNION ALL BY NAME SELECT k, name FROM people",
        "SELECT * EXCLUDE (k) FROM people",
        "SELECT name, county, k FROM people QUALIFY row_number() OVER (PARTITION BY name ORDER BY k DESC) = 1",
        "SELECT CASE WHEN grouping(name) = 0 THEN 'name' ELSE 'county' END AS kind, coalesce(name, county) AS v, "
        "count(*) AS f FROM people GROUP BY GROUPING SETS ((name), (county)) HAVING coalesce(name, county) IS NOT NULL",
        "SELECT warning_code('MED', name, county) AS id, review_code(md5(coalesce(name, ''))) AS k FROM people",
    ]
    for sql in queries:
        d, s = both(duck, spark_engine, sql, frames={"people": people})
        assert sorted(d, key=repr) == sorted(s, key=repr), sql


def test_every_model_renders_for_spark():
    from pipelines.models.project import load_project

    failed = {}
    for m in load_project().models.values():
        if m.sql:
            try:
                render(m.sql, columns_of=lambda sql: [])
            except SparkDialectError as e:
                failed[m.name] = str(e)
    assert not failed


def test_every_macro_has_a_spark_rendering():
    defs = macros()
    core = (__import__("pipelines").paths.SQL / "macros" / "core.sql").read_text(encoding="utf-8")
    assert {n for n in defs} >= {w.lower() for w in __import__("re").findall(r"MACRO\s+(\w+)", core)}
    for name, m in defs.items():
        render(f"SELECT {name}({', '.join('NULL' for _ in m.params)})")


def test_what_cannot_be_rendered_is_named():
    with pytest.raises(SparkDialectError, match="week"):
        render("SELECT date_diff('week', a, b) FROM t")
    with pytest.raises(SparkDialectError, match="computed key"):
        render("SELECT json_object(k, v) FROM t")
