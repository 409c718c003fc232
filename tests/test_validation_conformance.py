"""`pipelines.validation.evaluate` means what great-expectations means: both run on the same
generated frames, for every suite in expectations/ and every expectation type evaluate.py knows,
clean and failing, and must give the same results (success, counts, percents, samples of
unexpected values with identity numbers masked, row indexes, errors) and the same
`validation_results` rows.

GX is imported once for this module (5-15 s)."""

from __future__ import annotations

import random
import zlib

import polars as pl
import pytest

from pipelines.contracts import load_contracts
from pipelines.normalise.idnumbers import check_char
from pipelines.validation import evaluate, suites
from pipelines.validation.frames import ROWS_ONLY, delivery_frame, to_pandas
from pipelines.validation.results import suite_run

SCENARIOS = ("clean", "dirty", "borderline", "sparse", "empty")
ROW_BOUNDS = [None, (1, 10_000), (10_000, 20_000), (0, 3)]  # none, inside, above the rows, below them


@pytest.fixture(scope="module")
def gx_run_suite():
    from pipelines.validation.gx import run_suite

    return run_suite


def ident(i: int) -> str:
    first17 = f"23010219{60 + i % 40:02d}0101{i % 1000:03d}"
    return first17 + check_char(first17)


def _column_roles(suite: dict) -> dict[str, str]:
    """Each column the suite reads → what kind of values it holds in a delivery frame."""
    roles: dict[str, str] = {}
    for e in suite["expectations"]:
        kw = e["kwargs"]
        if e["type"] == "expect_column_values_to_be_in_set":
            roles[kw["column"]] = "coded"
        elif e["type"] == "expect_column_values_to_be_unique" and kw["column"] == "record_no":
            roles[kw["column"]] = "record_no"
        elif kw.get("column") and e["type"] != "expect_column_to_exist":
            roles.setdefault(kw["column"], "key")
    for col in suites.suite_columns(suite):
        roles.setdefault(col, "text")
    return roles


def _values(role: str, col: str, suite: dict, n: int, scenario: str, rng: random.Random) -> pl.Series:
    """n values of one column; `dirty` breaks every share, `borderline` sits at the thresholds."""
    bad_share = {"clean": 0.0, "dirty": 0.4, "borderline": 0.05, "sparse": 0.02, "empty": 0.0}[scenario]
    null_share = {"clean": 0.0, "dirty": 0.2, "borderline": 0.05, "sparse": 0.97, "empty": 0.0}[scenario]
    out: list = []
    if role == "coded":
        allowed = next(e["kwargs"]["value_set"] for e in suite["expectations"]
                       if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == col)
        unknown = ["飞行汽车", "未知", "zz", "其他（不详）"]
        for i in range(n):
            r = rng.random()
            out.append(None if r < null_share else rng.choice(unknown) if r < null_share + bad_share
                       else rng.choice(allowed))
        return pl.Series(col, out, dtype=pl.String).cast(pl.Categorical)
    if role == "record_no":
        for i in range(n):
            r = rng.random()
            out.append(None if r < null_share else rng.randrange(1, 5) if r < null_share + bad_share else 1000 + i)
        return pl.Series(col, out, dtype=pl.Int64)
    if role == "key":  # registry keys as delivered: some are identity numbers (masked in samples)
        for i in range(n):
            r = rng.random()
            out.append(None if r < null_share else ident(rng.randrange(3)) if r < null_share + bad_share
                       else f"K{i:06d}" if i % 3 else ident(i))
        return pl.Series(col, out, dtype=pl.String)
    return pl.Series(col, [None if rng.random() < null_share else f"t{i}" for i in range(n)], dtype=pl.String)


def frame_for(suite: dict, scenario: str, seed: int, drop: str | None = None) -> pl.DataFrame:
    rng = random.Random(seed)
    n = 0 if scenario == "empty" else rng.choice([37, 120, 400])
    cols = [_values(role, col, suite, n, scenario, rng) for col, role in _column_roles(suite).items() if col != drop]
    return pl.DataFrame(cols) if cols else pl.DataFrame({ROWS_ONLY: pl.repeat(None, n, dtype=pl.Null, eager=True)})


def params_for(suite: dict, bounds) -> dict:
    names = evaluate.suite_parameter_names(suite)
    p = {name: None for name in names}
    if bounds:
        for name in names:
            p[name] = bounds[0] if "_min_" in name else bounds[1]
    return p


def assert_same(suite: dict, frame: pl.DataFrame, params: dict, gx_run_suite, pandas=to_pandas) -> None:
    ours = suite_run(suite, evaluate.evaluate_suite(suite, frame, suite["name"], params), params)
    theirs = gx_run_suite(suite, pandas(frame), suite["name"], params)
    by_key = {r["expectation_config"]["meta"]["key"]: r for r in theirs.result["results"]}
    assert len(ours.result["results"]) == len(by_key) == len(suite["expectations"])
    for mine in ours.result["results"]:
        key = mine["expectation_config"]["meta"]["key"]
        gx = by_key[key]
        where = f"{suite['name']}: {key} on {frame.height} rows"
        assert mine["success"] == gx["success"], where
        assert mine["result"] == gx["result"], where
        assert mine["expectation_config"]["kwargs"] == gx["expectation_config"]["kwargs"], where
        assert mine["expectation_config"].get("severity") == gx["expectation_config"].get("severity"), where
        assert bool(mine["exception_info"].get("raised_exception")) == _gx_raised(gx["exception_info"]), where
    assert ours.result["statistics"] == theirs.result["statistics"]
    assert ours.result["success"] == theirs.result["success"]
    assert [o.to_dict() for o in ours.outcomes] == [o.to_dict() for o in theirs.outcomes]


def _gx_raised(info: dict) -> bool:
    return bool(info.get("raised_exception")) or any(isinstance(v, dict) and v.get("raised_exception")
                                                      for v in info.values())


# ------------------------------------------------------------------ every committed suite
@pytest.mark.parametrize("source", sorted(load_contracts()))
def test_every_source_suite_gives_what_gx_gives(source, gx_run_suite):
    suite = suites.load_suite(source)
    assert evaluate.supported(suite)
    for i, scenario in enumerate(SCENARIOS):
        frame = frame_for(suite, scenario, seed=zlib.crc32(f"{source}/{scenario}".encode()))
        assert evaluate.supported(suite, frame)
        assert_same(suite, frame, params_for(suite, ROW_BOUNDS[i % len(ROW_BOUNDS)]), gx_run_suite)


def test_a_missing_column_fails_its_expectations_as_in_gx(gx_run_suite):
    suite = suites.load_suite("registry_persons")
    frame = frame_for(suite, "dirty", seed=7, drop="sex")
    assert_same(suite, frame, params_for(suite, None), gx_run_suite)
    run = suite_run(suite, evaluate.evaluate_suite(suite, frame, "registry_persons", {}), {})
    failed = {o.expectation: o for o in run.outcomes if not o.success}
    assert 'The column "sex" in BatchData does not exist' in failed["codes_known.sex.critical"].details["error"]


def test_a_frame_without_the_suites_columns_still_counts_rows(gx_run_suite):
    suite = {"name": "rows_only", "expectations": [
        {"type": "expect_column_to_exist", "kwargs": {"column": "record_no"}, "meta": {"key": "present"},
         "severity": "critical"},
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 5, "max_value": 9},
         "meta": {"key": "rows"}, "severity": "warning"}], "meta": {}}
    for n in (0, 7, 12):
        frame = pl.DataFrame({ROWS_ONLY: pl.repeat(None, n, dtype=pl.Null, eager=True)})
        assert_same(suite, frame, {}, gx_run_suite)


# ------------------------------------------------------------------ each type, edge by edge
def _exp(type_: str, key: str, severity: str = "critical", **kwargs) -> dict:
    return {"type": type_, "kwargs": kwargs, "meta": {"key": key}, "severity": severity}


KITCHEN = {"name": "kitchen", "meta": {}, "expectations": [
    _exp("expect_column_to_exist", "exists.a", column="a"),
    _exp("expect_column_to_exist", "exists.nope", column="nope"),
    _exp("expect_column_values_to_not_be_null", "nn.a", column="a"),
    _exp("expect_column_values_to_not_be_null", "nn.a.mostly", "warning", column="a", mostly=0.8),
    _exp("expect_column_values_to_not_be_null", "nn.allnull", column="allnull", mostly=0.5),
    _exp("expect_column_values_to_be_in_set", "set.code", column="code", value_set=["甲", "乙", "丙"], mostly=0.9),
    _exp("expect_column_values_to_be_in_set", "set.code.strict", column="code", value_set=["甲", "乙", "丙"]),
    _exp("expect_column_values_to_be_in_set", "set.code.empty_set", column="code", value_set=[], mostly=0.5),
    _exp("expect_column_values_to_be_in_set", "set.num", column="num", value_set=[1, 2, 3], mostly=0.75),
    _exp("expect_column_values_to_be_in_set", "set.flag", column="flag", value_set=[True]),
    _exp("expect_column_values_to_be_in_set", "set.allnull", column="allnull", value_set=["x"]),
    _exp("expect_column_values_to_be_unique", "unique.key", column="key"),
    _exp("expect_column_values_to_be_unique", "unique.num", "warning", column="num", mostly=0.5),
    _exp("expect_column_values_to_be_unique", "unique.allnull", column="allnull"),
    _exp("expect_compound_columns_to_be_unique", "cu.default", column_list=["key", "num"]),
    _exp("expect_compound_columns_to_be_unique", "cu.any", column_list=["key", "num"], ignore_row_if="any_value_is_missing"),
    _exp("expect_compound_columns_to_be_unique", "cu.never", column_list=["key", "num"], ignore_row_if="never"),
    _exp("expect_compound_columns_to_be_unique", "cu.mostly", "warning", column_list=["code", "num"], mostly=0.3),
    _exp("expect_column_pair_values_to_be_equal", "pair.num", column_A="num", column_B="num2",
         ignore_row_if="either_value_is_missing"),
    _exp("expect_column_pair_values_to_be_equal", "pair.text", "warning", column_A="a", column_B="a2",
         ignore_row_if="either_value_is_missing", mostly=0.7),
    _exp("expect_table_row_count_to_be_between", "rows.param",
         min_value={"$PARAMETER": "lo"}, max_value={"$PARAMETER": "hi"}),
    _exp("expect_table_row_count_to_be_between", "rows.fixed", min_value=10, max_value=60),
    _exp("expect_table_row_count_to_be_between", "rows.open_above", min_value=30),
]}


def kitchen_frame(n: int, seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    pick = lambda values, none=0.1: [None if rng.random() < none else rng.choice(values) for _ in range(n)]  # noqa: E731
    return pl.DataFrame({
        "a": pl.Series(pick(["x", "y"], 0.15), dtype=pl.String),
        "allnull": pl.Series([None] * n, dtype=pl.String),
        "code": pl.Series(pick(["甲", "乙", "丙", "丁", "戊"], 0.1), dtype=pl.String).cast(pl.Categorical),
        "num": pl.Series(pick([1, 2, 3, 4, 5, 6, 7, 8]), dtype=pl.Int64),
        "num2": pl.Series(pick([1, 2, 3, 4, 5, 6, 7, 8]), dtype=pl.Int64),
        "a2": pl.Series(pick(["x", "y"], 0.15), dtype=pl.String),
        "flag": pl.Series(pick([True, True, True, False]), dtype=pl.Boolean),
        # identity numbers as keys: repeated ones appear in the samples, masked
        "key": pl.Series(pick([ident(i) for i in range(max(n // 2, 1))] + [f"H{i}" for i in range(n)], 0.1),
                         dtype=pl.String),
    })


@pytest.mark.parametrize("n,seed", [(0, 1), (1, 2), (25, 3), (48, 4), (300, 5), (2_000, 6)])
@pytest.mark.parametrize("bounds", [None, (20, 50)])
def test_every_type_with_its_edges_gives_what_gx_gives(n, seed, bounds, gx_run_suite):
    frame = kitchen_frame(n, seed)
    params = {"lo": bounds[0], "hi": bounds[1]} if bounds else {"lo": None, "hi": None}
    assert evaluate.supported(KITCHEN, frame)
    assert_same(KITCHEN, frame, params, gx_run_suite)


def test_samples_hold_no_identity_number(gx_run_suite):
    frame = kitchen_frame(300, 9)
    run = suite_run(KITCHEN, evaluate.evaluate_suite(KITCHEN, frame, "kitchen", {}), {})
    failed = {o.expectation: o for o in run.outcomes}
    assert any("********" in s for s in failed["unique.key"].details["sample_unexpected"])
    text = str(run.result) + str([o.to_dict() for o in run.outcomes])
    assert all(ident(i) not in text for i in range(150))


# ------------------------------------------------------------------ the delivery frames themselves
def test_delivery_frames_of_every_source_give_what_gx_gives(gx_run_suite):
    """delivery_frame as staging builds it (raw text + normalised rows, some rejected), per source."""
    rng = random.Random(11)
    for source, contract in sorted(load_contracts().items()):
        suite = suites.load_suite(source)
        n = 150
        raw_cols: dict[str, list] = {"_file": ["a.csv"] * n, "_row": list(range(2, n + 2))}
        data_cols: dict[str, list] = {}
        for c in contract.columns:
            if c.type == "code":
                codes = list(c.codes) + ["不详代码"]
                raw_cols[c.name] = [rng.choice(codes + ["", " "]) for _ in range(n)]
                data_cols[c.name] = [v if v in c.codes else None for v in raw_cols[c.name]]
            elif c.type == "record_no":
                raw_cols[c.name] = [str(i + 1) if i % 17 else "" for i in range(n)]
                data_cols[c.name] = [str(i + 1) if i % 17 else None for i in range(n)]
            elif c.type == "id_number":
                raw_cols[c.name] = [ident(i) for i in range(n)]
                data_cols[f"{c.name}_status"] = [rng.choice(["valid"] * 8 + ["bad_check", "blank"]) for _ in range(n)]
            else:
                raw_cols[c.name] = [rng.choice(["", "v1", "v2", f"x{i}"]) for i in range(n)]
        raw = pl.DataFrame(raw_cols, schema={k: (pl.Int64 if k == "_row" else pl.String) for k in raw_cols})
        data = pl.DataFrame({"_file": raw_cols["_file"], "_row": raw_cols["_row"], **data_cols},
                            schema_overrides={"_row": pl.Int64})
        if contract.has_record_no:  # rows with a blank 序号 are rejected: not in `data`
            data = data.filter(pl.col("record_no").is_not_null()).with_columns(pl.col("record_no").cast(pl.Int64))
        for checked in (None, suites.checked_columns(suite)):  # every column's values, or as staging: those read
            frame = delivery_frame(contract, raw, data, suites.suite_columns(suite), checked)
            assert frame.height == n
            assert_same(suite, frame, params_for(suite, (100, 200)), gx_run_suite)


# ------------------------------------------------------------------ the outputs gate
def outputs_check_frame(n: int, seed: int, broken: float) -> pl.DataFrame:
    """Rows as the outputs_check model gives them (pipelines.validation.quality.outputs_frame);
    `broken`: the share of rows breaking one check or another."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        bad = rng.random() < broken
        what = rng.choice(["person", "rule", "category", "pair", "code", "subject", "id", "held"]) if bad else ""
        category = rng.choice([1, 2, 3, 4, None])
        expected = category if what != "pair" else (category or 1) % 4 + 1
        code = None if category is None else f"C{category}"
        rows.append({
            "rule_code": rng.choice(["DECEASED", "VEHICLE_OWNER", "MONITORING_INTAKE"]),
            "category": 7 if what == "category" else category,
            "category_code": "C9" if what == "code" else code,
            "person_in_registry": False if what == "person" else rng.choice([True, None]),
            "rule_known": what != "rule",
            "expected_category": rng.choice([expected, None]) if what != "pair" else expected,
            "expected_category_code": code,
            "subject": f"S{i % 3}" if what == "subject" else f"S{i}",
            "as_of": "2026-11-28",
            "warning_id": "W1" if what == "id" else f"W{i:05d}",
            "id_held_elsewhere": what == "held",
        })
    from pipelines.validation.quality import OUTPUTS_TYPES

    return pl.DataFrame(rows, schema=OUTPUTS_TYPES) if rows else pl.DataFrame(schema=OUTPUTS_TYPES)


@pytest.mark.parametrize("n,seed,broken", [(0, 1, 0.0), (1, 2, 0.0), (60, 3, 0.0), (300, 4, 0.2), (2_000, 5, 0.02)])
def test_the_outputs_suite_gives_what_gx_gives(n, seed, broken, gx_run_suite):
    """The outputs gate runs on evaluate.py in a night (no GX import): same results as GX's."""
    from pipelines.validation.quality import outputs_pandas

    suite = suites.load_suite(suites.OUTPUTS_SUITE)
    frame = outputs_check_frame(n, seed, broken)
    assert evaluate.supported(suite, frame)
    assert evaluate.evaluate_suite(suite, frame, "outputs")["success"] == (broken == 0)
    assert_same(suite, frame, {}, gx_run_suite, pandas=outputs_pandas)


def test_a_suite_with_an_unknown_type_is_left_to_gx():
    suite = {"name": "regex", "meta": {}, "expectations": [
        _exp("expect_column_values_to_match_regex", "re", column="a", regex="^x$")]}
    assert not evaluate.supported(suite)
    with pytest.raises(ValueError):
        evaluate.evaluate_suite(suite, pl.DataFrame({"a": ["x"]}), "regex", {})
    mixed = {"name": "mixed", "meta": {}, "expectations": [
        _exp("expect_column_values_to_be_in_set", "s", column="a", value_set=[1, 2])]}
    assert evaluate.supported(mixed) and not evaluate.supported(mixed, pl.DataFrame({"a": ["1"]}))


# ------------------------------------------------------------------ GX renders what evaluate.py writes
@pytest.mark.parametrize("scenario,drop", [("clean", None), ("dirty", None), ("empty", None), ("dirty", "sex")])
def test_gx_renders_the_results_as_a_data_docs_page(scenario, drop, gx_run_suite):
    """What docs.py's site builder does with each stored result: load it with GX's schema, render
    the validation page and its HTML (an error there drops the page from the site silently)."""
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    suite = suites.load_suite("registry_persons")
    frame = frame_for(suite, scenario, seed=3, drop=drop)
    run = suite_run(suite, evaluate.evaluate_suite(suite, frame, "registry_persons", {}), {})
    page = DefaultJinjaPageView().render(
        ValidationResultsPageRenderer().render(ExpectationSuiteValidationResultSchema().load(run.result)))
    assert "registry_persons" in page and "sex" in page
    if drop:
        assert "does not exist" in page
