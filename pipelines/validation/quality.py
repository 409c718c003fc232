"""A run date's data quality: results into the warehouse, the outputs gate, Data Docs, and the
quality (quarantine) report.

    delivery_results   load step: the gates of the deliveries the night uses (validation_results rows)
    check_outputs      between rules and publish: the outputs suite on the night's warnings (the
                       outputs_check model); builds the night's Data Docs and writes the report;
                       raises OutputsRejected when a critical expectation failed
Files, beside the warehouse (`<stem>.out/`):
    data_docs/<as_of>/index.html     GX Data Docs of the date
    quality/<as_of>.md, .json        the quality report: quarantined deliveries and why, the
                                     rules skipped because of them, warnings, outputs checks
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.validation.suites import OUTPUTS_SUITE, load_suite

log = logging.getLogger(__name__)
RESULT_FILE = "validation.json"  # a delivery's GX result, in its staging folder


class OutputsRejected(RuntimeError):
    """A critical expectation on the date's outputs failed: the date must not be published."""


@dataclass
class QualitySummary:
    as_of: date
    quarantined: dict[str, str] = field(default_factory=dict)         # source → why
    skipped_rules: dict[str, list[str]] = field(default_factory=dict)  # rule → quarantined sources it needs
    warnings: list[dict] = field(default_factory=list)                # failed warning-level expectations
    outputs_failed: list[dict] = field(default_factory=list)          # failed critical output expectations
    data_docs: str = ""
    report: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["as_of"] = self.as_of.isoformat()
        return d


VALIDATION_SCHEMA = {
    "source": pl.String, "delivery_date": pl.Date, "suite": pl.String, "expectation": pl.String,
    "expectation_type": pl.String, "column": pl.String, "severity": pl.String, "success": pl.Boolean,
    "observed_value": pl.Float64, "unexpected_count": pl.Int64, "element_count": pl.Int64, "action": pl.String,
    "details": pl.String,
}


def _action(o: dict, quarantine_word: str) -> str | None:
    if o["success"]:
        return None
    return quarantine_word if o["severity"] == "critical" else "reported"


def _rows(source: str, delivery_date: date | None, outcomes: list[dict], critical: str) -> list[dict]:
    return [{"source": source, "delivery_date": delivery_date, "suite": o["suite"], "expectation": o["expectation"],
             "expectation_type": o["expectation_type"], "column": o["column"], "severity": o["severity"],
             "success": bool(o["success"]), "observed_value": o["observed_value"],
             "unexpected_count": o["unexpected_count"], "element_count": o["element_count"],
             "action": _action(o, critical),
             "details": json.dumps(o["details"], ensure_ascii=False, sort_keys=True, default=str)} for o in outcomes]


def delivery_results(results: dict) -> pl.DataFrame:
    """The gates of the deliveries a night uses (validation_results rows; `action` quarantined
    for a failed critical expectation, reported for a warning)."""
    rows = [r for source in sorted(results)
            for r in _rows(source, results[source].delivery_date, results[source].validation, "quarantined")]
    return pl.DataFrame(rows, schema=VALIDATION_SCHEMA)


def _rule_sources() -> dict[str, list[str]]:
    """rule → every landing source it needs (the models' declared and read sources)."""
    from pipelines.models.project import load_project

    project = load_project()
    return {m.code: sorted(project.sources_of(m.name)) for m in project.models.values() if m.folder == "rules"}


def _doc_entries(engine, as_of: date, staging_root: Path, outputs_result: dict | None) -> list:
    from pipelines.validation.docs import DocEntry, read_result, utc_midnight

    entries = []
    rows = engine.rows("SELECT source, delivery_date FROM run_sources WHERE as_of = $d AND delivery_date IS NOT NULL "
                       "ORDER BY source", {"d": as_of})
    for source, delivered in rows:
        result = read_result(Path(staging_root) / source / delivered.isoformat() / RESULT_FILE)
        suite = load_suite(source)
        if result and suite:
            entries.append(DocEntry(suite, result, f"delivery-{delivered.isoformat()}", f"{source}-{delivered.isoformat()}",
                                    utc_midnight(delivered)))
    if outputs_result:
        entries.append(DocEntry(load_suite(OUTPUTS_SUITE), outputs_result, f"run-{as_of.isoformat()}",
                                f"warnings-{as_of.isoformat()}", utc_midnight(as_of)))
    return entries


OUTPUTS_TYPES = {"category": pl.Int64, "expected_category": pl.Int64, "person_in_registry": pl.Boolean,
                 "rule_known": pl.Boolean, "id_held_elsewhere": pl.Boolean, "rule_code": pl.String,
                 "category_code": pl.String, "expected_category_code": pl.String, "subject": pl.String,
                 "as_of": pl.String, "warning_id": pl.String}


def outputs_frame(engine) -> pl.DataFrame:
    """The outputs_check model (sql/models/gate/) as the frame the suite reads (each column of one
    kind whatever the engine gave, so a column pair compares like with like)."""
    frame = engine.frame("SELECT * FROM outputs_check")
    return frame.cast({c: t for c, t in OUTPUTS_TYPES.items() if c in frame.columns})


def outputs_pandas(frame: pl.DataFrame):
    """The same frame for great_expectations itself (nullable pandas kinds, as GX reads them)."""
    return frame.to_pandas().astype({"category": "Int64", "expected_category": "Int64",
                                     "person_in_registry": "boolean", "rule_known": "boolean",
                                     "rule_code": "str", "category_code": "str", "expected_category_code": "str",
                                     "subject": "str", "as_of": "str"})


def check_outputs(engine, as_of: date, out_root: Path, staging_root: Path, delivery_rows: pl.DataFrame,
                  docs: list | None = None) -> tuple["QualitySummary", pl.DataFrame]:
    """The outputs gate of a night, then its Data Docs and quality report (see the module doc).
    Returns the summary and the night's validation_results rows; raises OutputsRejected.

    `docs`: a list to receive the Data Docs build as a DocsBuild running in a worker process
    (pipelines/validation/docs.py: great_expectations renders them, and importing it costs 5-15 s),
    for the caller to `wait()` before it publishes; None builds them here. A rejected night
    waits for its Data Docs (they say why) before raising."""
    import time

    from pipelines.validation.docs import DocsBuild, docs_root, site_index, write_quality_page
    from pipelines.validation.evaluate import validate

    started = time.perf_counter()
    suite = load_suite(OUTPUTS_SUITE)
    run = validate(suite, outputs_frame(engine), OUTPUTS_SUITE, to_pandas=outputs_pandas) if suite else None
    outputs_rows = pl.DataFrame(_rows(OUTPUTS_SUITE, None, [o.to_dict() for o in run.outcomes], "stopped")
                                if run else [], schema=VALIDATION_SCHEMA)
    rows = pl.concat([delivery_rows.cast(VALIDATION_SCHEMA), outputs_rows])
    summary = summarise(engine, as_of, rows)
    out_root = Path(out_root)
    site_dir = docs_root(out_root) / as_of.isoformat()
    build = DocsBuild(site_dir, _doc_entries(engine, as_of, staging_root, run and run.result))
    summary.data_docs = str(site_index(site_dir))
    summary.report = str(write_report(out_root, summary))
    write_quality_page(Path(summary.report))   # quality/<as_of>.html, linked from the Data Docs
    if docs is None or summary.outputs_failed:
        build.wait()
    else:
        docs.append(build)
    summary.seconds = round(time.perf_counter() - started, 3)
    if summary.outputs_failed:
        raise OutputsRejected(
            f"the warnings of {as_of} failed {len(summary.outputs_failed)} critical check(s) of "
            f"expectations/{OUTPUTS_SUITE}.json and were not published: "
            + "; ".join(f"{f['expectation']} ({f['unexpected_count']} rows)" for f in summary.outputs_failed)
            + f"; see {summary.report}")
    return summary, rows


def summarise(engine, as_of: date, rows: pl.DataFrame) -> QualitySummary:
    """The night's quality: quarantines (run_sources), rules they skipped, failed expectations."""
    s = QualitySummary(as_of)
    for source, message in engine.rows("SELECT source, message FROM run_sources WHERE as_of = $d "
                                       "AND status = 'quarantined' ORDER BY source", {"d": as_of}):
        s.quarantined[source] = message or ""
    for code, needs in sorted(_rule_sources().items()):
        bad = [src for src in needs if src in s.quarantined]
        if bad:
            s.skipped_rules[code] = bad
    cols = ["source", "delivery_date", "expectation", "severity", "observed_value", "unexpected_count", "details"]
    for d in rows.filter(~pl.col("success")).sort("source", "expectation").select(cols).iter_rows(named=True):
        d["delivery_date"] = d["delivery_date"].isoformat() if d["delivery_date"] else None
        d["details"] = json.loads(d["details"] or "{}")
        if d["source"] == OUTPUTS_SUITE and d["severity"] == "critical":
            s.outputs_failed.append(d)
        elif d["severity"] != "critical":
            s.warnings.append(d)
    return s


def report_paths(out_root: Path, as_of: date) -> tuple[Path, Path]:
    folder = Path(out_root) / "quality"
    return folder / f"{as_of.isoformat()}.md", folder / f"{as_of.isoformat()}.json"


def write_report(out_root: Path, s: QualitySummary) -> Path:
    md_path, json_path = report_paths(out_root, s.as_of)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"# Data quality for {s.as_of}", "",
             f"Data Docs: `data_docs/{s.as_of}/index.html` · table `validation_results` · view `quarantine_report`", ""]
    lines += ["## Quarantined deliveries (the run used none of their rows)", ""]
    lines += [f"- **{src}**: {msg}" for src, msg in s.quarantined.items()] or ["none"]
    lines += ["", "## Rules skipped because a source they read is quarantined", ""]
    lines += [f"- {rule}: needs {', '.join(srcs)}" for rule, srcs in sorted(s.skipped_rules.items())] or ["none"]
    lines += ["", "## Warnings (reported; the run went on)", ""]
    lines += [f"- {w['source']} {w['delivery_date'] or ''}: {w['expectation']} observed "
              f"{'' if w['observed_value'] is None else round(w['observed_value'], 4)}"
              + (f", {w['unexpected_count']:,} rows" if w["unexpected_count"] else "") for w in s.warnings] or ["none"]
    lines += ["", "## Outputs checks (critical: a failure stops publishing the date)", ""]
    lines += [f"- FAILED {f['expectation']}: {f['unexpected_count']} rows, e.g. "
              f"{', '.join(f['details'].get('sample_unexpected', [])[:3])}" for f in s.outputs_failed] or ["all passed"]
    md_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    d = s.to_dict()
    d.pop("seconds", None)
    json_path.write_text(json.dumps(d, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    return md_path
