"""The night's report (issue 15 item 1, outputs.md `report/<YYYY-MM-DD>.html`), from real runs of
the pipeline on a generated demo: two nights (the second with a quarantined delivery), then the
first night run again as a backfill would. Each report is opened in Debian's Chromium with the
network off (tests/browser.py): the charts are drawn (every chart, with as many bars as the
warehouse has counts), nothing is requested from outside the file, the page logs no error, the
numbers are the warehouse's, no identity number or name is in the file, and the file works
alone, copied away from everything. The analysts' views over the same warehouse are checked
here too (warnings_named, household_view)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from pipelines.orchestrate import run_for_date
from pipelines.publish.files import WRITERS
from pipelines.report_html import report_path
from pipelines.store.layout import layout
from synthetic import DemoConfig, generate

from browser import BrowserMissing, OfflineBrowser
from conftest import add_delivery

pytestmark = pytest.mark.slow
CFG = DemoConfig(households=400, seed=1515, plant_cases=True, excel_workers=0)
NIGHT1, NIGHT2 = date(2026, 11, 28), date(2026, 12, 2)
ID_LIKE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
BAR_MARKS = ".chart svg g.mark-rect.role-mark path"


@pytest.fixture(scope="module")
def nights(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("report")
    generate(root, CFG)
    landing, wh = root / "landing", root / "warehouse.duckdb"
    # night 2: a market_entities delivery without its required columns (quarantined; its rule skipped)
    add_delivery(landing, "market_entities", "2026-12-01", {"市场主体.csv": "序号,备注\r\n1,x\r\n".encode()})
    first = run_for_date(landing, wh, NIGHT1)
    first_html = report_path(layout(wh).out, NIGHT1).read_text(encoding="utf-8")
    second = run_for_date(landing, wh, NIGHT2)
    again = run_for_date(landing, wh, NIGHT1)   # a backfill of the first night after the second
    return {"root": root, "wh": wh, "out": layout(wh).out, "summaries": (first, second, again),
            "first_html": first_html}


@pytest.fixture(scope="module")
def browser():
    try:
        with OfflineBrowser(viewport=(1280, 900)) as b:
            yield b
    except BrowserMissing as e:
        pytest.fail(str(e))


def _query(wh: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _open_clean(browser, path: Path):
    visit = browser.open(path, wait_for=".chart svg")
    assert visit.external_requests == [], visit.external_requests
    assert visit.failed_requests == [], visit.failed_requests
    assert visit.console_errors == [], visit.console_errors
    assert visit.page_errors == [], visit.page_errors
    return visit


def test_the_report_is_a_registered_writer_timed_by_its_own_clock(nights):
    assert "report" in dict(WRITERS)
    for s in nights["summaries"]:
        ps = s.published
        assert ps.report == f"report/{s.as_of.isoformat()}.html"
        assert (nights["out"] / ps.report).is_file()
        assert 0 < ps.seconds["report"] < s.timings["publish"]
        assert set(ps.run_timings) >= {"discover", "stage", "load", "link", "rules", "validate_outputs"}
    assert not list(nights["out"].glob(".pending-*"))


def test_charts_render_offline_with_no_request_and_no_error(nights, browser):
    path = report_path(nights["out"], NIGHT2)
    visit = _open_clean(browser, path)
    specs = visit.count("script[data-chart]")
    assert specs >= 8
    assert visit.count(".chart svg") == specs                      # every chart drawn, as SVG
    empty = visit.evaluate("() => [...document.querySelectorAll('.chart')].filter(c => "
                           "c.querySelectorAll('g.role-mark path, g.role-mark line').length === 0).map(c => c.id)")
    assert empty == []                                              # and each has marks
    assert visit.requests == [path.resolve().as_uri()]              # the file itself, nothing else
    visit.close()


def test_bars_are_the_warehouse_counts(nights, browser):
    """The category chart has one bar per (category, status) with warnings tonight; the KPI and
    the category table say the warehouse's numbers."""
    wh = nights["wh"]
    pairs = _query(wh, "SELECT category, status, count(*) FROM warning_status WHERE as_of = ? GROUP BY ALL", [NIGHT2])
    current = sum(n for _, s, n in pairs if s != "resolved")
    visit = _open_clean(browser, report_path(nights["out"], NIGHT2))
    first_chart = visit.page.locator("#warnings .chart").first
    assert first_chart.locator("g.mark-rect.role-mark path").count() == len(pairs)
    kpi = visit.text("#overview .kpi:first-child .value")
    assert int(kpi.replace(",", "")) == current
    table = visit.text("#warnings table")
    for category in {c for c, _, _ in pairs}:
        total = sum(n for c, s, n in pairs if c == category and s != "resolved")
        assert re.search(rf"{category}类 .*\t{total}$", table, flags=re.M), (category, total, table)
    visit.close()


def test_trends_cover_the_nights_up_to_the_report_only(nights, browser):
    """Night 2's trend has both nights; the first night, run again after it (a backfill), shows
    only itself."""
    categories = {r[0] for r in _query(nights["wh"], "SELECT DISTINCT category FROM warning_status "
                                                     "WHERE status <> 'resolved' AND as_of IN (?, ?)", [NIGHT1, NIGHT2])}
    for night, count in ((NIGHT2, 2), (NIGHT1, 1)):
        visit = _open_clean(browser, report_path(nights["out"], night))
        points = visit.page.locator("#trends .chart").first.locator("g.mark-symbol.role-mark path")
        per_night = visit.evaluate("() => [...document.querySelectorAll('#trends .intro')].map(e => e.innerText)")[0]
        assert f"共 {count} 晚" in per_night
        assert points.count() <= len(categories) * count and points.count() >= count
        visit.close()


def test_quarantine_and_skipped_rule_are_said_in_chinese(nights, browser):
    visit = _open_clean(browser, report_path(nights["out"], NIGHT2))
    quality = visit.text("#quality")
    assert "已隔离" in quality and "市场监管局" in quality
    assert "BUSINESS_OWNER" in quality and "已隔离" in quality.split("未执行的规则")[1]
    message = _query(nights["wh"], "SELECT message FROM run_sources WHERE as_of = ? AND source = 'market_entities'",
                     [NIGHT2])[0][0]
    assert quality.count(message.split(":")[0]) >= 1
    for heading in ("概览", "预警分布", "趋势", "跟进处置", "关联质量", "数据质量", "运行耗时"):
        assert heading in visit.text("nav")
    assert "各步骤耗时" in visit.text("#timings")
    visit.close()


def test_no_identity_number_name_or_id_in_the_file(nights):
    wh = nights["wh"]
    people = _query(wh, "SELECT DISTINCT id_number, name, person_id, household_id FROM warning_status")
    html = report_path(nights["out"], NIGHT2).read_text(encoding="utf-8")
    # the page and its chart data (the inlined chart library holds long numeric constants)
    html = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
    assert 'type="application/json"' in html
    assert not ID_LIKE.search(html)
    for values in people:
        for v in values:
            if v and len(v) >= 2:
                assert v not in html, v
    registry = _query(wh, "SELECT id_number FROM registry_facts LIMIT 2000")
    assert not any(n and n in html for (n,) in registry)


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href", "srcset", "data", "poster", "action") and v and not v.startswith("#"):
                self.refs.append(f"{tag} {k}={v}")


def test_one_self_contained_file_that_works_alone(nights, browser, tmp_path):
    path = report_path(nights["out"], NIGHT2)
    refs = _Refs()
    refs.feed(path.read_text(encoding="utf-8"))
    assert refs.refs == []                                          # no script, style, font or image file
    alone = tmp_path / "mailed" / "报告.html"
    alone.parent.mkdir()
    shutil.copy(path, alone)
    visit = _open_clean(browser, alone)
    assert visit.count(".chart svg") == visit.count("script[data-chart]")
    visit.close()
    size = path.stat().st_size
    print(f"\nreport of the demo night: {size / 1e6:.2f} MB")
    assert size < 2_000_000


def _strip_run(html: str) -> str:
    """A report without what belongs to the run that wrote it (its id and timings)."""
    html = re.sub(r"运行 cli-[^ ]+", "", html)
    return re.sub(r'<section id="timings">.*?</section>', "", html, flags=re.S)


def test_a_rerun_writes_the_same_report_apart_from_the_run(nights):
    """The first night's report, written again by the backfill, says the same (only its run id
    and timings differ): the report is made from the night's tables, not from the run's order."""
    again = report_path(nights["out"], NIGHT1).read_text(encoding="utf-8")
    assert _strip_run(again) == _strip_run(nights["first_html"])


def test_lowincome_report_makes_a_published_night_again_read_only(nights, tmp_path):
    wh = nights["wh"]
    before = wh.stat().st_mtime_ns
    out = tmp_path / "again.html"
    result = subprocess.run([sys.executable, "-m", "pipelines.cli", "report", "--warehouse", str(wh),
                             "--as-of", NIGHT2.isoformat(), "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    published = report_path(nights["out"], NIGHT2).read_text(encoding="utf-8")
    assert _strip_run(out.read_text(encoding="utf-8")) == _strip_run(published)
    assert wh.stat().st_mtime_ns == before
    missing = subprocess.run([sys.executable, "-m", "pipelines.cli", "report", "--warehouse", str(wh),
                              "--as-of", "2026-11-01", "--out", str(tmp_path / "no.html")], capture_output=True,
                             text=True)
    assert missing.returncode == 1 and "2026-11-01" in missing.stderr and not (tmp_path / "no.html").exists()


def test_warnings_named_puts_place_names_beside_codes(nights):
    wh = nights["wh"]
    rows = _query(wh, "SELECT county_code, county_name, prefecture_name, township_code, township_name, village_code, "
                      "village_name, rule_title FROM warnings_named WHERE as_of = ?", [NIGHT2])
    assert rows and len(rows) == _query(wh, "SELECT count(*) FROM warnings WHERE as_of = ?", [NIGHT2])[0][0]
    official = dict(_query(wh, "SELECT code, name FROM divisions WHERE level = 'county'"))
    for county, name, prefecture, township, tname, village, vname, title in rows:
        assert title
        if county in official:
            assert name == official[county] and prefecture
        if village is not None:
            assert village.startswith(township) and village.startswith(county)


def test_household_view_tells_one_household_at_a_glance(nights):
    wh = nights["wh"]
    hh = _query(wh, "SELECT household_id FROM warnings WHERE as_of = (SELECT max(as_of) FROM warnings) "
                    "AND household_id IS NOT NULL ORDER BY household_id LIMIT 1")[0][0]
    (row,) = _query(wh, "SELECT household_id, members_count, members, open_warnings_count, open_warnings, "
                        "household_status, assistance_received FROM household_view WHERE household_id = ?", [hh])
    members = _query(wh, "SELECT count(*) FROM registry_facts WHERE household_id = ?", [hh])[0][0]
    open_ = _query(wh, "SELECT count(*) FROM warnings WHERE household_id = ? AND as_of = (SELECT max(as_of) "
                       "FROM warnings)", [hh])[0][0]
    assert row[1] == members == len(row[2]) and row[2][0]["is_head"]
    assert row[3] == open_ == len(row[4]) > 0
    assert row[5]
    total = _query(wh, "SELECT count(*) FROM household_view")[0][0]
    households = _query(wh, "SELECT count(DISTINCT household_id) FROM registry_facts")[0][0]
    assert total == households
