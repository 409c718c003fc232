"""The expectation suites: generated from the source contracts and `expectations/thresholds.yaml`,
committed as great-expectations 1.x JSON in `expectations/`, and loaded from there by the run.

    .venv/bin/python -m pipelines.validation.suites          # rewrite expectations/*.json
    .venv/bin/python -m pipelines.validation.suites --check  # exit 1 when a committed file is stale

A suite is plain JSON in the format of `ExpectationSuite.to_json_dict()` (without ids), so this
module writes and reads it without importing great_expectations. Every expectation carries
GX's native `severity` (`critical` | `warning`) and `meta.key`, a stable name used in the
warehouse table `validation_results` and in the quality report.

The frame a suite validates (see `frames.py`) has one row per row read from the delivery and
these columns:
  <required column>     present iff the delivery had it (text as delivered)
  <id col>_status       status of the normalised identity number (NULL for rows not loaded)
  <coded col>           canonical value, or the unknown spelling as delivered; NULL when blank
  record_no             序号 parsed as a whole number (NULL when blank or not a number)
  <key col>             registry keys (家庭编号, 成员编号) as delivered, NULL when blank
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import sys
from functools import cache
from pathlib import Path

import yaml

from pipelines import paths
from pipelines.contracts import Contract, load_contracts

GX_VERSION = "1.24.1"
OUTPUTS_SUITE = "outputs"
SEVERITIES = ("critical", "warning")
THRESHOLDS_FILE = "thresholds.yaml"


def expectations_dir() -> Path:
    return paths.EXPECTATIONS


def suite_path(name: str) -> Path:
    return expectations_dir() / f"{name}.json"


# --------------------------------------------------------------------------- thresholds
def _merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in (override or {}).items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_thresholds(path: Path | None = None) -> dict:
    doc = yaml.safe_load((path or expectations_dir() / THRESHOLDS_FILE).read_text(encoding="utf-8"))
    return doc


def thresholds_for(source: str, doc: dict, role: str) -> dict:
    t = _merge(doc["defaults"], (doc.get("sources") or {}).get(source, {}))
    ids = t["id_valid_share"]
    t["id_valid_share"] = ids.get(role, ids) if "critical" not in ids else ids
    return t


# --------------------------------------------------------------------------- generation
def _exp(type_: str, key: str, severity: str, kwargs: dict, **meta) -> dict:
    return {"type": type_, "kwargs": kwargs, "meta": {"key": key, **meta}, "severity": severity}


def key_columns(contract: Contract) -> list[str]:
    """Columns that name a row: 序号 for a department source, the contract's key and not-null columns."""
    cols = [c.name for c in contract.columns_of_type("record_no")]
    cols += [k for k in contract.key if k not in cols]
    cols += [c.name for c in contract.columns if c.not_null and c.name not in cols]
    return cols


def source_suite(contract: Contract, thresholds: dict) -> dict:
    """The suite of one source, from its contract and thresholds."""
    t = thresholds_for(contract.source, thresholds, contract.role)
    exps: list[dict] = []
    for c in contract.columns:
        if c.required:
            exps.append(_exp("expect_column_to_exist", f"column_present.{c.name}", "critical",
                             {"column": c.name}, check="required column is in the delivery"))
    keys = key_columns(contract)
    for sev in SEVERITIES:
        for col in keys:
            exps.append(_exp("expect_column_values_to_not_be_null", f"key_present.{col}.{sev}", sev,
                             {"column": col, "mostly": t["keys_present_share"][sev]},
                             check="share of rows whose key is present", gate="share"))
    unique = [c.name for c in contract.columns_of_type("record_no")] or list(contract.key)
    if len(unique) == 1:
        exps.append(_exp("expect_column_values_to_be_unique", f"unique.{unique[0]}", "critical",
                         {"column": unique[0]}, check="no two rows share the key (序号 within a delivery)"))
    elif unique:
        exps.append(_exp("expect_compound_columns_to_be_unique", "unique." + "+".join(unique), "critical",
                         {"column_list": unique}, check="no two rows share the key"))
    for c in contract.columns_of_type("id_number"):
        for sev in SEVERITIES:
            # a column blank by design in some rows (blank_allowed: a roster's relative) counts its
            # blanks as expected; elsewhere a blank number is a number missing
            ok, check = ((["valid", "blank"], "share of identity numbers that are valid or blank (blank by design)")
                         if c.blank_allowed else (["valid"], "share of non-blank identity numbers that are valid"))
            exps.append(_exp("expect_column_values_to_be_in_set", f"id_valid.{c.name}.{sev}", sev,
                             {"column": f"{c.name}_status", "value_set": ok,
                              "mostly": t["id_valid_share"][sev]},
                             check=check, gate="share"))
    for c in contract.columns_of_type("code"):
        for sev in SEVERITIES:
            exps.append(_exp("expect_column_values_to_be_in_set", f"codes_known.{c.name}.{sev}", sev,
                             {"column": c.name, "value_set": list(c.codes), "mostly": t["codes_known_share"][sev]},
                             check="share of non-blank coded values in the contract's value set", gate="share"))
    for sev in SEVERITIES:
        lo, hi = t["row_count_vs_previous"][sev]
        exps.append(_exp("expect_table_row_count_to_be_between", f"row_count.{sev}", sev,
                         {"min_value": {"$PARAMETER": f"row_count_min_{sev}"},
                          "max_value": {"$PARAMETER": f"row_count_max_{sev}"}},
                         check="rows read within bounds of the source's previous delivery",
                         gate="row_count", previous_ratio=[lo, hi]))
    return {
        "name": contract.source,
        "expectations": exps,
        "meta": {"great_expectations_version": GX_VERSION, "source": contract.source,
                 "min_rows_for_shares": int(t["min_rows_for_shares"]),
                 "generated_from": [f"schemas/{contract.source}.yaml", f"expectations/{THRESHOLDS_FILE}"]},
        "notes": f"Data-quality gate of {contract.title} ({contract.source}); generated by "
                 "pipelines/validation/suites.py: edit thresholds.yaml, not this file.",
    }


def outputs_suite() -> dict:
    """Checks on the date's warnings before they are published; every one is critical."""
    exps = [
        _exp("expect_column_values_to_be_in_set", "warning_person_in_registry", "critical",
             {"column": "person_in_registry", "value_set": [True]},
             check="every warning's person is in the run's registry (MONITORING_INTAKE excepted)"),
        _exp("expect_column_values_to_be_in_set", "warning_rule_known", "critical",
             {"column": "rule_known", "value_set": [True]},
             check="every warning's rule is in config/rule_catalogue.yaml"),
        _exp("expect_column_values_to_be_in_set", "warning_category_valid", "critical",
             {"column": "category", "value_set": [1, 2, 3, 4]}, check="category is 1, 2, 3 or 4"),
        _exp("expect_column_pair_values_to_be_equal", "warning_category_of_rule", "critical",
             {"column_A": "category", "column_B": "expected_category", "ignore_row_if": "either_value_is_missing"},
             check="category is the one the rule gives (fixed, or 1 if covered else 2)"),
        _exp("expect_column_pair_values_to_be_equal", "warning_category_code", "critical",
             {"column_A": "category_code", "column_B": "expected_category_code",
              "ignore_row_if": "either_value_is_missing"},
             check="category_code matches category"),
        _exp("expect_compound_columns_to_be_unique", "warning_unique", "critical",
             {"column_list": ["rule_code", "subject", "as_of"]},
             check="no duplicate (rule, subject, date)"),
        _exp("expect_column_values_to_be_unique", "warning_id_unique", "critical",
             {"column": "warning_id"},
             check="no two warnings of the night share a 预警编号 (warning_id)"),
        _exp("expect_column_values_to_be_in_set", "warning_id_not_reused", "critical",
             {"column": "id_held_elsewhere", "value_set": [False]},
             check="no 预警编号 of the night was another rule's or subject's on an earlier night"),
    ]
    return {
        "name": OUTPUTS_SUITE,
        "expectations": exps,
        "meta": {"great_expectations_version": GX_VERSION, "source": OUTPUTS_SUITE,
                 "generated_from": ["pipelines/validation/suites.py", "config/rule_catalogue.yaml"]},
        "notes": "Checks on a date's warnings between the rules and publishing; a failure stops the "
                 "publication of that date. Generated by pipelines/validation/suites.py.",
    }


def generate_all(contracts: dict[str, Contract] | None = None, thresholds: dict | None = None) -> dict[str, dict]:
    contracts = contracts or load_contracts()
    thresholds = thresholds or load_thresholds()
    suites = {s: source_suite(c, thresholds) for s, c in contracts.items()}
    suites[OUTPUTS_SUITE] = outputs_suite()
    return suites


def dump(suite: dict) -> str:
    return json.dumps(suite, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- loading
@cache
def _load(path: str, mtime_ns: int) -> tuple[dict, str]:
    text = Path(path).read_text(encoding="utf-8")
    return json.loads(text), hashlib.sha256(text.encode()).hexdigest()[:16]


def load_suite(name: str) -> dict | None:
    """The committed suite (a fresh copy), or None when the source has none."""
    p = suite_path(name)
    if not p.exists():
        return None
    return copy.deepcopy(_load(str(p), p.stat().st_mtime_ns)[0])


def suite_fingerprint(name: str) -> str:
    p = suite_path(name)
    return _load(str(p), p.stat().st_mtime_ns)[1] if p.exists() else "none"


def suite_columns(suite: dict) -> list[str]:
    """The frame columns the suite reads, in first-use order."""
    cols: list[str] = []
    for e in suite["expectations"]:
        kw = e["kwargs"]
        for c in [kw.get("column"), kw.get("column_A"), kw.get("column_B"), *(kw.get("column_list") or [])]:
            if c and c not in cols:
                cols.append(c)
    return cols


def checked_columns(suite: dict) -> list[str]:
    """The frame columns whose values an expectation reads (not only that they exist)."""
    return suite_columns({"expectations": [e for e in suite["expectations"] if e["type"] != "expect_column_to_exist"]})


def row_count_parameters(suite: dict, previous_rows: int | None) -> dict:
    """Suite parameters for the row-count bounds: NULL (no bound) without a previous delivery."""
    params: dict = {}
    for e in suite["expectations"]:
        ratio = e["meta"].get("previous_ratio")
        if e["type"] != "expect_table_row_count_to_be_between" or not ratio:
            continue
        lo_p, hi_p = e["kwargs"]["min_value"]["$PARAMETER"], e["kwargs"]["max_value"]["$PARAMETER"]
        if previous_rows:
            params[lo_p], params[hi_p] = math.ceil(ratio[0] * previous_rows), math.floor(ratio[1] * previous_rows)
        else:
            params[lo_p], params[hi_p] = None, None
    return params


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, suite in generate_all().items():
        p = suite_path(name)
        text = dump(suite)
        if p.exists() and p.read_text(encoding="utf-8") == text:
            continue
        stale.append(p.name)
        if not check:
            p.write_text(text, encoding="utf-8")
    if check and stale:
        print("stale suites (run python -m pipelines.validation.suites):", ", ".join(stale))
        return 1
    print(("stale: " if check else "written: ") + (", ".join(stale) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
