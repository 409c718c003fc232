"""The report's parts without a pipeline run: the pinned chart library it inlines, every chart a
valid Vega-Lite spec of the version inlined, the parts that have no data yet saying so, the
English reasons said in Chinese, and hostile text (a name holding markup) kept as text."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import altair as alt
import jsonschema
import polars as pl
import pytest

from pipelines.report_html import assets, page, sections, wording
from pipelines.report_html.data import NightFacts
from pipelines.validation import static_assets

from browser import BrowserMissing, OfflineBrowser

NIGHT = date(2026, 11, 28)
HOSTILE = "民政厅</script><img src=x onerror=alert(1)>"


def facts(followup: bool = True, hostile: bool = False) -> NightFacts:
    """A night's counts written by hand: two nights of history, every optional part present."""
    dept = HOSTILE if hostile else "民政厅"
    extra = {"urgent": [True, False, None], "overdue": [False, True, None], "followup": [None, "verified", None],
             "match": ["exact_id", "registry", "fuzzy_name"], "resolved_reason": [None, None, "record_gone"]}
    warnings = pl.DataFrame({"category": [1, 2, 4], "department": [dept, "医保局", dept],
                             "county_code": ["230102", "230103", "230102"], "rule_code": ["HEATING_AID", "MED_SUBSIDY",
                                                                                          "VEHICLE_OWNER"],
                             "status": ["new", "open", "resolved"], **(extra if followup else {}), "n": [3, 5, 2]})
    trend = pl.DataFrame({"as_of": [NIGHT - timedelta(days=1)] * 2 + [NIGHT] * 3, "category": [1, 2, 1, 2, 4],
                          "department": [dept, "医保局", dept, "医保局", dept],
                          "status": ["new", "new", "new", "open", "resolved"], "n": [4, 5, 3, 5, 2],
                          **({"overdue": [0, 1, 0, 1, 0]} if followup else {})})
    return NightFacts(
        as_of=NIGHT, warnings=warnings, trend=trend,
        sources=pl.DataFrame({"source": ["registry_persons", "vehicles"], "status": ["loaded", "quarantined"],
                              "delivery_date": [NIGHT, NIGHT], "message": [None, "机动车.csv: 身份证号 only 40% valid"],
                              "rows_read": [100, 50], "rows_loaded": [98, 0], "rows_rejected": [2, 0],
                              "value_issues": [1, 0], "staged_seconds": [0.5, 0.1]}),
        rejects=pl.DataFrame({"source": ["registry_persons"], "reason": ["name is blank"], "n": [2]}),
        issues=pl.DataFrame({"source": ["registry_persons"], "column": ["sex"], "problem": ["unknown code"], "n": [1]}),
        expectations=pl.DataFrame({"source": ["vehicles"], "delivery_date": [NIGHT], "expectation": ["id_valid"],
                                   "column": ["id_number"], "severity": ["critical"], "action": ["quarantined"],
                                   "observed_value": [0.4], "unexpected_count": [30], "element_count": [50]}),
        rules=pl.DataFrame({"rule_code": ["HEATING_AID", "VEHICLE_OWNER"], "title": ["冬季取暖救助未发放", "名下有非豁免机动车"],
                            "department": [dept, dept], "status": ["evaluated", "skipped"],
                            "reason": [None, "vehicles quarantined: 机动车.csv: 身份证号 only 40% valid; more"],
                            "found": [3, None]}),
        ignored=pl.DataFrame({"reason": ["no _SUCCESS marker: not yet complete"], "n": [1]}),
        links=pl.DataFrame({"source": ["vehicles", "vehicles"], "method": ["exact_id", "fuzzy_name"], "n": [40, 3]}),
        review=pl.DataFrame({"source": ["vehicles"], "reason": ["no candidate is clearly the person"], "n": [2]}),
        linking_trend=pl.DataFrame({"as_of": [NIGHT - timedelta(days=1), NIGHT] * 2,
                                    "table": ["links", "links", "review", "review"], "n": [41, 43, 1, 2]}),
        county_names={"230102": "道里区"}, divisions_known=True,
        columns=frozenset(["category", "department", "county_code", "rule_code", "status",
                           *(extra if followup else {})]),
        replies=pl.DataFrame({"department": ["医保局"], "outcome": ["accepted"], "n": [1]}) if followup else None,
        reply_rejects=pl.DataFrame({"reason": ["预警编号为空"], "n": [1]}) if followup else None,
        review_backlog=pl.DataFrame({"kind": ["review", "identity"], "county_code": ["230102", "230103"], "n": [2, 1]})
        if followup else None,
        review_decisions=pl.DataFrame({"status": ["accepted"], "decision": ["confirm"], "n": [1]}) if followup else None,
        tie_decisions=None,
        step_seconds={"discover": 0.1, "stage": 3.2, "load": 0.4, "link": 2.0, "rules": 1.5, "validate_outputs": 1.1},
    )


def chart_specs(built: list) -> list[dict]:
    return [b.chart.spec for s in built for b in s.blocks if b.kind in ("chart", "pair")]


def test_the_inlined_scripts_are_the_pinned_ones_of_altairs_vega_lite():
    scripts = assets.scripts()
    lock = static_assets.load_lock()
    assert [s.spec.rpartition("@")[0] for s in scripts] == ["vega", "vega-lite", "vega-embed"]
    assert all(s.spec in lock["npm"] for s in scripts)
    vega_lite = next(s for s in scripts if s.spec.startswith("vega-lite@"))
    assert vega_lite.spec == f"vega-lite@{alt.SCHEMA_VERSION.lstrip('v')}"
    for s in scripts:
        assert assets.inline(s.text) == s.text                         # nothing to rewrite: no </script
    with pytest.raises(ValueError):
        assets.inline("var a = '</script>';")


def test_every_chart_is_a_valid_vega_lite_spec_of_that_version():
    schema = alt.vegalite.v6.schema.core.load_schema()
    specs = chart_specs(sections.build(facts()))
    assert len(specs) >= 10
    for spec in specs:
        jsonschema.validate(spec, schema)
        assert spec["$schema"].endswith(f"{alt.SCHEMA_VERSION}.json")
        assert spec["usermeta"]["embedOptions"] == {"renderer": "svg", "actions": False}


def test_parts_without_data_say_so_plainly():
    built = {s.id: s for s in sections.build(facts(followup=False))}
    follow = " ".join(b.text for b in built["followup"].blocks)
    assert "暂无数据" in follow and "反馈" in follow
    linking = " ".join(b.text for b in built["linking"].blocks)
    assert "人工复核清单：暂无数据" in linking and "人工复核决定：暂无数据" in linking
    full = {s.id: s for s in sections.build(facts())}
    assert not any("暂无数据" in b.text for b in full["followup"].blocks)
    tables = [b.table for b in full["followup"].blocks if b.table is not None]
    assert any("逾期" in t.headers for t in tables) and any(t.headers[0] == "解除原因" for t in tables)


def test_no_history_says_the_trend_starts_tomorrow():
    f = facts()
    f.trend = f.trend.filter(pl.col("as_of") == NIGHT)
    trends = next(s for s in sections.build(f) if s.id == "trends")
    assert "只有今晚一晚" in trends.blocks[0].text


@pytest.mark.parametrize("english, chinese", [
    ("no candidate is clearly the person", "没有哪位候选人明显就是此人"),
    ("another known person (3 in all) shares the name and birth date", "另有已知人员与其同名且出生日期相同（共3人）"),
    ("something new from a later tier", "something new from a later tier"),   # unknown: shown as it is
])
def test_review_reasons_in_chinese(english, chinese):
    assert wording.review_reason(english) == chinese


def test_skip_reasons_name_sources_not_messages_again():
    title = {"vehicles": "公安交管 机动车登记", "staff_roster": "人员名册"}.get
    text = "vehicles quarantined: a.csv: bad; still bad; staff_roster missing"
    assert wording.skip_causes(text) == [("vehicles", "quarantined"), ("staff_roster", "missing")]
    assert wording.skip_reason(text, title) == "公安交管 机动车登记已隔离；人员名册缺失"


def test_hostile_text_stays_text(tmp_path):
    html = page.render(NIGHT, sections.build(facts(hostile=True)), "cli-test")
    assert "<img src=x" not in html and "</script><img" not in html
    path = tmp_path / "r.html"
    path.write_text(html, encoding="utf-8")
    try:
        with OfflineBrowser() as b:
            visit = b.open(path, wait_for=".chart svg")
            assert visit.page_errors == [] and visit.console_errors == [] and visit.external_requests == []
            assert visit.count("img") == 0
            assert HOSTILE in visit.text("#warnings")                  # shown as the text it is
            assert visit.count(".chart svg") == visit.count("script[data-chart]")
            visit.close()
    except BrowserMissing as e:
        pytest.fail(str(e))


def test_the_chart_data_is_counts_only():
    for spec in chart_specs(sections.build(facts())):
        rows = [r for data in spec.get("datasets", {}).values() for r in data]
        keys = {k for r in rows for k in r}
        assert keys <= {"label", "status", "n", "kind_order", "kind", "night", "series", "step", "seconds",
                        "source"}, keys
        assert not re.search(r"\d{15,}", json.dumps(rows))
