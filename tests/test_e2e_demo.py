"""End to end on generated demo data: the generator plants every rule's cases into a synthetic
province whose background is kept quiet for the rules; the pipeline (typing errors, linking and
all) must find exactly the planted warnings, with their categories and departments. The data
dictionary's example queries run on the result, and the run report counts without numbers."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
from rich.console import Console

from pipelines import paths
from pipelines.orchestrate import run_for_date
from pipelines.report import print_run_summary
from pipelines.rules.catalogue import load_catalogue
from synthetic import DemoConfig, generate

pytestmark = pytest.mark.slow
CFG = DemoConfig(households=500, seed=4242, plant_cases=True, excel_workers=0)
DICTIONARY = paths.PROJECT_ROOT / "docs" / "data-dictionary.md"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("e2e")
    generate(out, CFG)
    summary = run_for_date(out / "landing", out / "warehouse.duckdb", CFG.as_of)
    truth = pl.read_parquet(out / "truth" / "planted_warnings.parquet")
    with duckdb.connect(str(out / "warehouse.duckdb"), read_only=True) as con:
        found = con.sql("SELECT rule_code, person_id, household_id, id_number, category, category_code, department "
                        "FROM warnings WHERE as_of = ?", params=[CFG.as_of]).pl()
    return out, summary, truth, found


def _key(frame: pl.DataFrame) -> set[tuple]:
    return set(frame.select("rule_code", pl.coalesce("person_id", "id_number")).iter_rows())


def test_planted_truth_covers_every_rule(demo):
    truth = demo[2]
    rules = {r.code for r in load_catalogue().rules}
    assert set(truth.filter("expect_fire")["rule_code"]) == rules
    assert set(truth.filter(~pl.col("expect_fire"))["rule_code"]) == rules


def test_planted_warnings_are_found_and_nothing_else(demo):
    _, summary, truth, found = demo
    expected = truth.filter("expect_fire")
    assert _key(found) == _key(expected)
    assert not summary.rules.skipped
    got = found.join(expected, on=["rule_code", "person_id", "id_number"], how="inner", nulls_equal=True)
    assert got.height == expected.height
    assert (got["category"] == got["category_right"]).all() and (got["department"] == got["department_right"]).all()
    assert (got["household_id"].eq_missing(got["household_id_right"])).all()


def test_near_misses_stay_quiet(demo):
    _, _, truth, found = demo
    assert not (_key(truth.filter(~pl.col("expect_fire"))) & _key(found))


def _examples() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", DICTIONARY.read_text(encoding="utf-8"), flags=re.S)


def test_the_data_dictionary_examples_run(demo):
    examples = _examples()
    assert len(examples) >= 10
    with duckdb.connect(str(demo[0] / "warehouse.duckdb"), read_only=True) as con:
        empty = []
        for sql in examples:
            if not con.execute(sql).fetchall():
                empty.append(sql.splitlines()[0])
    assert len(empty) <= 2, empty  # only "skipped rules" and "resolved" may be empty on one night


def test_the_run_report_counts_warnings_without_identity_numbers(demo):
    _, summary, truth, _ = demo
    console = Console(record=True, width=160)
    print_run_summary(console, summary, 1.0)
    text = console.export_text()
    assert "Warnings by category" in text and "Warnings by department" in text and "县级协调机制" in text
    total = truth.filter("expect_fire").height
    assert re.search(rf"total\s+│\s+{total}\s+│\s+0\s+│\s+0", text)
    assert not any(i in text for i in truth["id_number"].drop_nulls())
