"""The data-quality gates one delivery at a time (`stage_delivery`, no database): what a critical
failure quarantines, what a warning only reports, the row-count bound, the suites themselves."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from pipelines.contracts import load_contracts
from pipelines.ingest.discovery import discover
from pipelines.normalise.idnumbers import check_char
from pipelines.staging import stage_delivery
from pipelines.validation import suites

from conftest import add_delivery, csv_bytes

DAY = "2026-11-28"
HEADER = ["序号", "所有人姓名", "所有人证件号码", "车辆类型", "初次登记日期", "车辆状态"]


def valid_id(i: int) -> str:
    first17 = f"23010219500101{i % 1000:03d}"
    return first17 + check_char(first17)


def vehicles(n: int, bad_ids: int = 0, unknown_types: int = 0, start: int = 1) -> list[list[str]]:
    rows = [HEADER]
    for i in range(n):
        ident = "12345" if i < bad_ids else valid_id(i)
        vtype = "飞行汽车" if i < unknown_types else "小型轿车"
        rows.append([str(start + i), f"张{i}", ident, vtype, "2021-02-03", "正常"])
    return rows


def stage(landing: Path, tmp_path: Path, rows, day: str = DAY, previous_rows: int | None = None):
    add_delivery(landing, "vehicles", day, {"机动车.csv": csv_bytes(rows)})
    contracts = load_contracts()
    delivery = discover(landing, date.fromisoformat(day), contracts).chosen["vehicles"]
    prev_date = date(2026, 11, 1) if previous_rows else None
    return stage_delivery(delivery, contracts["vehicles"], tmp_path / "wh.staging",
                          previous_rows=previous_rows, previous_delivery=prev_date)


def outcome(res, key: str) -> dict:
    return next(o for o in res.validation if o["expectation"] == key)


def test_a_clean_delivery_passes_every_expectation(landing, tmp_path):
    res = stage(landing, tmp_path, vehicles(200))
    assert res.status == "staged"
    assert res.validation and all(o["success"] for o in res.validation)
    assert {o["severity"] for o in res.validation} == {"critical", "warning"}
    assert res.validation_path.exists() and res.data_path.exists()


def test_identity_numbers_far_below_threshold_quarantine_the_delivery(landing, tmp_path):
    res = stage(landing, tmp_path, vehicles(200, bad_ids=120))        # 40 % valid, needs 70 %
    assert res.status == "quarantined"
    assert not res.data_path.exists()                                 # the run uses none of it
    o = outcome(res, "id_valid.id_number.critical")
    assert not o["success"] and o["observed_value"] == pytest.approx(0.4) and o["unexpected_count"] == 120
    assert "id_valid.id_number.critical" in res.message and "40.0%" in res.message
    assert "机动车.csv" in res.message
    assert res.validation_path.exists()                               # for the Data Docs


def test_unknown_codes_above_tolerance_quarantine_and_below_it_only_warn(landing, tmp_path):
    bad = stage(landing, tmp_path / "a", vehicles(200, unknown_types=40))      # 20 % unknown
    assert bad.status == "quarantined"
    o = outcome(bad, "codes_known.vehicle_type.critical")
    assert o["details"]["sample_unexpected"][0] == "飞行汽车"

    landing2 = tmp_path / "landing2"
    ok = stage(landing2, tmp_path / "b", vehicles(200, unknown_types=6))        # 3 %: warning only
    assert ok.status == "staged"
    assert not outcome(ok, "codes_known.vehicle_type.warning")["success"]
    assert outcome(ok, "codes_known.vehicle_type.critical")["success"]


def test_row_count_is_bounded_by_the_previous_delivery(landing, tmp_path):
    shrunk = stage(landing, tmp_path / "a", vehicles(60), previous_rows=200)     # 30 % of before
    assert shrunk.status == "quarantined"
    o = outcome(shrunk, "row_count.critical")
    assert o["observed_value"] == 60 and o["details"]["min_value"] == 100 and o["details"]["max_value"] == 400
    assert "row_count.critical" in shrunk.message and "2026-11-01" in shrunk.message

    slightly = stage(tmp_path / "l2", tmp_path / "b", vehicles(150), previous_rows=200)   # 75 %: warning
    assert slightly.status == "staged"
    assert not outcome(slightly, "row_count.warning")["success"]

    first = stage(tmp_path / "l3", tmp_path / "c", vehicles(60))                  # no previous: no bound
    assert first.status == "staged" and outcome(first, "row_count.critical")["details"]["min_value"] is None


def test_shares_of_a_handful_of_rows_are_reported_not_quarantined(landing, tmp_path):
    res = stage(landing, tmp_path, vehicles(10, bad_ids=6))
    assert res.status == "staged"
    o = outcome(res, "id_valid.id_number.critical")
    assert not o["success"] and o["severity"] == "warning" and "not_decisive" in o["details"]


def test_the_gate_is_part_of_the_staging_cache_key(landing, tmp_path):
    a = stage(landing, tmp_path, vehicles(200))
    b = stage(landing, tmp_path, vehicles(200), previous_rows=190)
    assert a.fingerprint != b.fingerprint                              # the bound changed: re-validated
    assert outcome(b, "row_count.critical")["details"]["previous_rows"] == 190


def test_no_identity_number_leaves_in_results(landing, tmp_path):
    rows = vehicles(200, bad_ids=0)
    for r in rows[1:121]:
        r[2] = r[2][:17] + ("0" if r[2][17] != "0" else "1")                # wrong check digit
    res = stage(landing, tmp_path, rows)
    assert res.status == "quarantined"
    text = json.dumps(res.validation, ensure_ascii=False) + res.validation_path.read_text(encoding="utf-8") + res.message
    assert valid_id(5)[:14] not in text


def test_a_staging_process_imports_neither_great_expectations_nor_pandas(landing, tmp_path):
    """An Airflow staging task is its own process: the gate must not pay GX's (or pandas') import."""
    add_delivery(landing, "vehicles", DAY, {"机动车.csv": csv_bytes(vehicles(300, unknown_types=40))})
    code = (
        "import json, sys\n"
        "from datetime import date\n"
        "from pathlib import Path\n"
        "from pipelines.contracts import load_contracts\n"
        "from pipelines.ingest.discovery import discover\n"
        "from pipelines.staging import stage_delivery\n"
        "c = load_contracts()\n"
        f"d = discover(Path({str(landing)!r}), date.fromisoformat({DAY!r}), c).chosen['vehicles']\n"
        f"r = stage_delivery(d, c['vehicles'], Path({str(tmp_path / 'wh.staging')!r}))\n"
        "print(json.dumps({'status': r.status, 'message': r.message, "
        "'modules': sorted(m for m in ('great_expectations', 'pandas') if m in sys.modules)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent.parent)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["status"] == "quarantined" and "codes_known.vehicle_type.critical" in got["message"]  # it did validate
    assert got["modules"] == []


# ------------------------------------------------------------------ the suites
def test_committed_suites_are_generated_from_contracts_and_thresholds():
    generated = suites.generate_all()
    assert set(generated) == set(load_contracts()) | {suites.OUTPUTS_SUITE}
    for name, suite in generated.items():
        assert suites.suite_path(name).read_text(encoding="utf-8") == suites.dump(suite), \
            f"expectations/{name}.json is stale: run python -m pipelines.validation.suites"


def test_every_suite_loads_in_great_expectations_and_names_its_severity():
    from pipelines.validation.gx import gx

    g = gx()
    for name in [*load_contracts(), suites.OUTPUTS_SUITE]:
        d = suites.load_suite(name)
        suite = g.ExpectationSuite(**d)
        assert len(suite.expectations) == len(d["expectations"])
        keys = [e["meta"]["key"] for e in d["expectations"]]
        assert len(keys) == len(set(keys)), name
        assert {e["severity"] for e in d["expectations"]} <= {"critical", "warning"}
        for e in suite.expectations:
            assert str(getattr(e.severity, "value", e.severity)) in {"critical", "warning"}


def test_each_source_suite_checks_what_the_issue_asks_for():
    contracts = load_contracts()
    for source, c in contracts.items():
        keys = {e["meta"]["key"] for e in suites.load_suite(source)["expectations"]}
        assert {f"column_present.{col.name}" for col in c.columns if col.required} <= keys
        assert {f"id_valid.{col.name}.critical" for col in c.columns_of_type("id_number")} <= keys
        assert {f"codes_known.{col.name}.critical" for col in c.columns_of_type("code")} <= keys
        assert {"row_count.critical", "row_count.warning"} <= keys
        if c.role == "reply":
            # replies repeat a warning or an item (one row per reply); a bad row is rejected with its
            # reason by the feedback models (tests/test_feedback_models.py), never the whole delivery
            assert not any(k.startswith(("unique.", "key_present.")) for k in keys)
            continue
        assert any(k.startswith("unique.") for k in keys)
        assert any(k.startswith("key_present.") for k in keys)
        if c.has_record_no:
            assert "unique.record_no" in keys


def test_row_count_parameters():
    suite = suites.load_suite("vehicles")
    assert suites.row_count_parameters(suite, None) == {
        "row_count_min_critical": None, "row_count_max_critical": None,
        "row_count_min_warning": None, "row_count_max_warning": None}
    p = suites.row_count_parameters(suite, 1001)
    assert (p["row_count_min_critical"], p["row_count_max_critical"]) == (501, 2002)
    assert (p["row_count_min_warning"], p["row_count_max_warning"]) == (801, 1251)


def test_great_expectations_does_not_drag_pyspark_into_a_duckdb_night():
    """GX imports pyspark whenever it is installed (5-10 s and warnings per outputs gate); the
    DuckDB path hides it while GX imports, and Spark stays importable afterwards."""
    code = ("import sys; from pipelines.validation.gx import gx; gx(); "
            "print('pyspark' in sys.modules); import pyspark; print(bool(pyspark.__version__))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"], out.stderr[-2000:]
