"""A run date's data quality: results into the warehouse, the outputs gate, Data Docs, and the
quality (quarantine) report.

    record_delivery_results   load step: the gates of the deliveries the date uses → validation_results
    check_outputs             between rules and publish: the outputs suite on the date's warnings;
                              records results, builds the date's Data Docs and writes the report;
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

import yaml

from pipelines import paths
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


def ensure_tables(wh) -> None:
    wh.con.execute((paths.SQL / "validation" / "validation_results.sql").read_text(encoding="utf-8"))


def _action(o: dict, quarantine_word: str) -> str | None:
    if o["success"]:
        return None
    return quarantine_word if o["severity"] == "critical" else "reported"


def _insert(wh, as_of: date, source: str, delivery_date: date | None, outcomes: list[dict], critical: str) -> None:
    for o in outcomes:
        wh.execute(
            "INSERT INTO validation_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [as_of, source, delivery_date, o["suite"], o["expectation"], o["expectation_type"], o["column"],
             o["severity"], o["success"], o["observed_value"], o["unexpected_count"], o["element_count"],
             _action(o, critical), json.dumps(o["details"], ensure_ascii=False, sort_keys=True, default=str)],
        )


def record_delivery_results(wh, as_of: date, results: dict) -> None:
    """Replace the date's delivery rows of validation_results with the gates of what it uses."""
    ensure_tables(wh)
    with wh.transaction():
        wh.execute("DELETE FROM validation_results WHERE as_of = ? AND source <> ?", [as_of, OUTPUTS_SUITE])
        for source in sorted(results):
            res = results[source]
            _insert(wh, as_of, source, res.delivery_date, res.validation, "quarantined")


def _rule_sources() -> dict[str, list[str]]:
    p = paths.CONFIG / "rule_catalogue.yaml"
    if not p.exists():
        return {}
    doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    registry = list(doc.get("registry") or [])
    return {str(r["code"]): registry + [s for s in (r.get("sources") or []) if s not in registry]
            for r in doc.get("rules") or []}


def _doc_entries(wh, as_of: date, staging_root: Path, outputs_result: dict | None) -> list:
    from pipelines.validation.docs import DocEntry, read_result, utc_midnight

    entries = []
    rows = wh.execute("SELECT source, delivery_date FROM run_sources WHERE as_of = ? AND delivery_date IS NOT NULL "
                      "ORDER BY source", [as_of]).fetchall()
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


def check_outputs(wh, as_of: date, out_root: Path, staging_root: Path) -> QualitySummary:
    """The outputs gate of a date, then its Data Docs and quality report (see the module doc)."""
    import time

    from pipelines.validation.docs import build_site, docs_root, write_root_index
    from pipelines.validation.gx import run_suite
    from pipelines.validation.outputs import output_frame

    started = time.perf_counter()
    ensure_tables(wh)
    suite = load_suite(OUTPUTS_SUITE)
    run = run_suite(suite, output_frame(wh, as_of), asset=OUTPUTS_SUITE) if suite else None
    with wh.transaction():
        wh.execute("DELETE FROM validation_results WHERE as_of = ? AND source = ?", [as_of, OUTPUTS_SUITE])
        if run:
            _insert(wh, as_of, OUTPUTS_SUITE, None, [o.to_dict() for o in run.outcomes], "stopped")
    summary = summarise(wh, as_of)
    out_root = Path(out_root)
    site = build_site(docs_root(out_root) / as_of.isoformat(), _doc_entries(wh, as_of, staging_root, run and run.result))
    write_root_index(docs_root(out_root))
    summary.data_docs = str(site)
    summary.report = str(write_report(out_root, summary))
    summary.seconds = round(time.perf_counter() - started, 3)
    if summary.outputs_failed:
        raise OutputsRejected(
            f"the warnings of {as_of} failed {len(summary.outputs_failed)} critical check(s) of "
            f"expectations/{OUTPUTS_SUITE}.json and were not published: "
            + "; ".join(f"{f['expectation']} ({f['unexpected_count']} rows)" for f in summary.outputs_failed)
            + f"; see {summary.report}")
    return summary


def summarise(wh, as_of: date) -> QualitySummary:
    """The date's quality as the warehouse records it."""
    s = QualitySummary(as_of)
    for source, message in wh.execute("SELECT source, message FROM run_sources WHERE as_of = ? AND status = 'quarantined' "
                                      "ORDER BY source", [as_of]).fetchall():
        s.quarantined[source] = message or ""
    for code, needs in _rule_sources().items():
        bad = [src for src in needs if src in s.quarantined]
        if bad:
            s.skipped_rules[code] = bad
    if wh.table_exists("validation_results"):
        cols = ["source", "delivery_date", "expectation", "severity", "observed_value", "unexpected_count", "details"]
        rows = wh.execute(f"SELECT {', '.join(cols)} FROM validation_results WHERE as_of = ? AND NOT success "
                          "ORDER BY source, expectation", [as_of]).fetchall()
        for r in rows:
            d = dict(zip(cols, r))
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
