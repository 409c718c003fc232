"""A delivery that fails a critical expectation is quarantined; the other sources and the rules
that do not need it still run; results land in the warehouse, the Data Docs and the quality
report. The outputs gate stops the publication of a date whose warnings fail it."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.contracts import load_contracts, normalise_header
from pipelines.orchestrate import Night, link_step, load_step, new_run_id, rules_step, run_for_date, validate_outputs_step
from pipelines.store.layout import copy_warehouse, layout
from pipelines.store.night import begin
from pipelines.validation.quality import OutputsRejected
from synthetic import DemoConfig, generate

AS_OF = date(2026, 11, 28)
BAD = "vehicles"        # VEHICLE_OWNER reads only it (and the registry)


def corrupt_ids(folder: Path, source: str, share: float) -> int:
    """Overwrite `share` of the identity numbers of a CSV delivery with garbage; returns how many."""
    contract = load_contracts()[source]
    wanted = {normalise_header(h) for h in contract.column("id_number").headers}
    (path,) = [p for p in folder.iterdir() if p.suffix == ".csv"]
    raw = path.read_bytes()
    enc = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else ("utf-8" if _utf8(raw) else "gb18030")
    rows = list(csv.reader(io.StringIO(raw.decode(enc))))
    col = next(i for i, h in enumerate(rows[0]) if normalise_header(h) in wanted)
    n = int((len(rows) - 1) * share)
    for r in rows[1:n + 1]:
        r[col] = "身份证号不详"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(enc))
    return n


def _utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


@pytest.fixture(scope="module")
def quarantined_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("quarantine")
    generate(root / "demo", DemoConfig(households=300, as_of=AS_OF))
    landing = root / "landing"
    shutil.copytree(root / "demo" / "landing", landing)
    corrupted = corrupt_ids(landing / BAD / AS_OF.isoformat(), BAD, 0.6)
    wh = root / "wh.duckdb"
    summary = run_for_date(landing, wh, AS_OF)
    return summary, wh, corrupted


def delivered() -> set[str]:
    """The sources the demo delivers: every contract but the replies people send back (feedback,
    review decisions), which only come once someone answers."""
    return {s for s, c in load_contracts().items() if c.role != "reply"}


def q(wh: Path, sql: str, params=None):
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_the_bad_delivery_is_quarantined_and_the_others_load(quarantined_run):
    summary, wh, corrupted = quarantined_run
    states = dict(q(wh, "SELECT source, status FROM run_sources WHERE as_of = ?", [AS_OF]))
    assert states.pop(BAD) == "quarantined"
    assert {s: v for s, v in states.items() if s in delivered()} == dict.fromkeys(delivered() - {BAD}, "loaded")
    msg = summary.staged[BAD].message
    assert "id_valid.id_number.critical" in msg and "expectations/vehicles.json" in msg
    assert not q(wh, f"SELECT count(*) FROM information_schema.tables WHERE table_name = 'stg_{BAD}'")[0][0] or \
        not q(wh, f"SELECT count(*) FROM stg_{BAD}")[0][0]
    # the other sources are linked; nothing of the quarantined one is
    linked = dict(q(wh, "SELECT source, count(*) FROM links WHERE as_of = ? GROUP BY source", [AS_OF]))
    assert BAD not in linked and len(linked) >= 10


def test_rules_needing_it_are_skipped_and_the_others_run(quarantined_run):
    summary, wh, _ = quarantined_run
    assert "VEHICLE_OWNER" in summary.rules.skipped and BAD in summary.rules.skipped["VEHICLE_OWNER"]
    assert "VEHICLE_OWNER" not in summary.rules.found
    evaluated = [r for r, n in summary.rules.found.items() if n > 0]
    assert {"MED_SUBSIDY", "DECEASED", "HEATING_AID"} <= set(evaluated)
    assert summary.quality.skipped_rules["VEHICLE_OWNER"] == [BAD]
    assert q(wh, "SELECT count(*) FROM warnings WHERE as_of = ? AND rule_code = 'VEHICLE_OWNER'", [AS_OF])[0][0] == 0
    assert q(wh, "SELECT count(*) FROM warnings WHERE as_of = ?", [AS_OF])[0][0] > 0


def test_results_are_stored_and_reported(quarantined_run):
    summary, wh, corrupted = quarantined_run
    rows = q(wh, "SELECT expectation, severity, success, observed_value, unexpected_count, action "
                 "FROM validation_results WHERE as_of = ? AND source = ? AND NOT success", [AS_OF, BAD])
    crit = [r for r in rows if r[0] == "id_valid.id_number.critical"]
    assert crit and crit[0][5] == "quarantined" and crit[0][3] < 0.5 and crit[0][4] >= corrupted
    warn = [r for r in rows if r[0] == "id_valid.id_number.warning"]
    assert warn and warn[0][5] == "reported"
    # every source's suite ran, and the outputs suite too
    suites_run = {r[0] for r in q(wh, "SELECT DISTINCT suite FROM validation_results WHERE as_of = ?", [AS_OF])}
    assert suites_run == delivered() | {"outputs"}
    assert q(wh, "SELECT source, expectation FROM quarantine_report WHERE as_of = ?", [AS_OF]) == \
        [(BAD, "id_valid.id_number.critical")]
    report = Path(summary.quality.report).read_text(encoding="utf-8")
    assert "**vehicles**" in report and "VEHICLE_OWNER: needs vehicles" in report
    data = json.loads(Path(summary.quality.report).with_suffix(".json").read_text(encoding="utf-8"))
    assert list(data["quarantined"]) == [BAD]


def test_data_docs_are_built_beside_the_warehouse(quarantined_run):
    summary, wh, _ = quarantined_run
    site = wh.with_name("wh.out") / "data_docs" / AS_OF.isoformat()
    assert Path(summary.quality.data_docs) == site / "index.html"
    pages = {p.relative_to(site).parts[1] for p in site.glob("validations/*/*/*/*.html")}
    assert pages == delivered() | {"outputs"}
    assert (site.parent / "index.html").read_text(encoding="utf-8").count(AS_OF.isoformat()) >= 1
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "vehicles" in index


def test_the_outputs_gate_stops_publishing_bad_warnings(quarantined_run, tmp_path):
    """Bad warnings (a person not in the registry, a wrong category, a duplicate) planted in the
    night's warnings_found: the gate's model flags them, the gate stops, nothing is published."""
    from modelkit import rerun_models

    summary, wh, _ = quarantined_run
    copy = tmp_path / "wh.duckdb"
    copy_warehouse(wh, copy)
    before = q(copy, "SELECT count(*), max(as_of) FROM warning_status")
    nt = Night(layout(copy), AS_OF, new_run_id())
    begin(nt.lay, nt.run_id)
    load_step(nt, summary.discovery, summary.staged)
    link_step(nt)
    rules_step(nt)
    with nt.engine() as eng:
        eng.run("INSERT INTO warnings_found SELECT * REPLACE ('NOBODY' AS person_id, 'x' AS subject_key) "
                "FROM warnings_found WHERE rule_code = 'DECEASED' LIMIT 1")
        eng.run("UPDATE warnings_found SET category = 1, category_code = 'policy_gap' "
                "WHERE rule_code = 'DECEASED' AND subject_key = (SELECT min(subject_key) FROM warnings_found "
                "WHERE rule_code = 'DECEASED' AND subject_key <> 'x')")
        eng.run("INSERT INTO warnings_found SELECT * FROM warnings_found WHERE rule_code = 'HEATING_AID' LIMIT 1")
        rerun_models(eng, nt.lay, AS_OF, ["outputs_check"])
    with pytest.raises(OutputsRejected) as e:
        validate_outputs_step(nt)
    assert "were not published" in str(e.value)
    report = json.loads(Path(copy.with_name("wh.out") / "quality" / f"{AS_OF}.json").read_text(encoding="utf-8"))
    failed = {f["expectation"] for f in report["outputs_failed"]}
    # (the copied rows carry their 预警编号 too: two warnings with one id)
    assert failed == {"warning_person_in_registry", "warning_category_of_rule", "warning_unique", "warning_id_unique"}
    assert q(copy, "SELECT count(*), max(as_of) FROM warning_status") == before   # nothing published
