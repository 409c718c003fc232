"""Data Docs work offline (issue 15 item 2): built from real gate results of three generated
vehicles deliveries (one clean, one with a warning, one quarantined), opened in headless
Chromium with the network off. Nothing leaves the file system, the styles apply, PASS/FAIL and
critical/warning are words on the page, the run and the delivery are named, the quality page
is a click away, and the pinned assets are shipped once beside the sites."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from datetime import date
from pathlib import Path

import pytest

from pipelines.contracts import load_contracts
from pipelines.ingest.discovery import discover
from pipelines.normalise.idnumbers import check_char
from pipelines.staging import stage_delivery
from pipelines.validation import static_assets
from pipelines.validation.docs import (DocEntry, build_site, docs_root, read_result, utc_midnight,
                                       write_quality_page, write_root_index)
from pipelines.validation.quality import QualitySummary, write_report
from pipelines.validation.suites import load_suite

from browser import BrowserMissing, OfflineBrowser
from conftest import add_delivery, csv_bytes

pytestmark = pytest.mark.slow
AS_OF = date(2026, 11, 28)
HEADER = ["序号", "所有人姓名", "所有人证件号码", "车辆类型", "初次登记日期", "车辆状态"]
DELIVERIES = {"2026-11-14": {}, "2026-11-21": {"unknown_types": 6}, "2026-11-28": {"bad_ids": 120}}
GX_VIEW = Path(static_assets._gx_static()[1]).parent


def vehicle_rows(n: int = 200, bad_ids: int = 0, unknown_types: int = 0) -> list[list[str]]:
    rows = [HEADER]
    for i in range(n):
        first17 = f"23010219600101{i % 1000:03d}"
        ident = "12345" if i < bad_ids else first17 + check_char(first17)
        rows.append([str(i + 1), f"王{i}", ident, "飞行汽车" if i < unknown_types else "小型轿车", "2021-02-03", "正常"])
    return rows


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> dict:
    """Two nights of Data Docs (as_of and the day after) from the same three gate results."""
    root = tmp_path_factory.mktemp("datadocs")
    contracts = load_contracts()
    entries = []
    for day, faults in DELIVERIES.items():
        landing = root / f"landing-{day}"
        add_delivery(landing, "vehicles", day, {"机动车.csv": csv_bytes(vehicle_rows(**faults))})
        delivery = discover(landing, date.fromisoformat(day), contracts).chosen["vehicles"]
        res = stage_delivery(delivery, contracts["vehicles"], root / "wh.staging")
        entries.append(DocEntry(load_suite("vehicles"), read_result(res.validation_path), f"delivery-{day}",
                                f"vehicles-{day}", utc_midnight(date.fromisoformat(day))))
    out = root / "wh.out"
    seconds = []
    for night in (AS_OF, date(2026, 11, 29)):
        t0 = time.perf_counter()
        site = build_site(docs_root(out) / night.isoformat(), entries)
        write_root_index(docs_root(out))
        summary = QualitySummary(night, quarantined={"vehicles": "id_valid.id_number.critical: 40.0% valid"})
        write_quality_page(write_report(out, summary))
        seconds.append(time.perf_counter() - t0)
        if night == AS_OF:   # what the first night shipped, before the second night runs
            first = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (docs_root(out) / "_static").rglob("*")
                     if p.is_file()}
    print(f"\nData Docs of one date (3 validations): first night {seconds[0]:.2f} s, second {seconds[1]:.2f} s")
    assert site == docs_root(out) / "2026-11-29" / "index.html"
    return {"out": out, "site": docs_root(out) / AS_OF.isoformat(), "entries": entries, "first_static": first}


@pytest.fixture(scope="module")
def browser():
    try:
        with OfflineBrowser() as b:
            yield b
    except BrowserMissing as e:
        pytest.fail(str(e))


def page_of(site: Path, day: str) -> Path:
    (page,) = site.glob(f"validations/vehicles/delivery-{day}/*/vehicles-{day}.html")
    return page


def assert_offline_and_clean(visit) -> None:
    assert visit.external_requests == [], visit.external_requests
    assert visit.failed_requests == [], visit.failed_requests
    assert visit.console_errors == [], visit.console_errors
    assert visit.page_errors == [], visit.page_errors
    assert any(u.startswith("file:") and "/_static/" in u for u in visit.requests)


def assert_styled(visit) -> None:
    # bootstrap makes .navbar a flex box (a browser's default for <nav> is block) and sets the font
    assert visit.computed_style(".navbar", "display") == "flex"
    assert "Times" not in visit.computed_style("body", "font-family")
    # font-awesome's webfont (the status icons) loaded from _static
    assert visit.evaluate("() => document.fonts.check('900 16px \"Font Awesome 6 Free\"')")
    assert "Font Awesome" in visit.computed_style(".fas", "font-family")


def test_index_renders_offline_with_status_in_words(docs, browser, tmp_path):
    t0 = time.perf_counter()
    visit = browser.open(docs["site"] / "index.html", wait_for="table tbody tr")
    print(f"\nindex opened and rendered offline in {time.perf_counter() - t0:.2f} s")
    assert_offline_and_clean(visit)
    assert_styled(visit)
    rows = visit.evaluate("() => [...document.querySelectorAll('.ge-index-page-validation-results-table tbody tr')]"
                          ".map(r => r.innerText)")
    assert len(rows) == 3                                   # bootstrap-table drew the rows from its JSON
    status = {re.search(r"vehicles-(\d{4}-\d\d-\d\d)", r).group(1): r for r in rows}
    assert "PASS" in status["2026-11-14"]
    assert "FAIL warning" in status["2026-11-21"]
    assert "FAIL critical" in status["2026-11-28"]
    banner = visit.text(".lim-run")
    assert "run 2026-11-28" in banner and "1 PASS" in banner and "1 FAIL critical" in banner
    assert "vehicles: delivery quarantined" in banner
    # the status filter offers the words too
    assert "FAIL critical" in visit.text(".ge-index-page-validation-results-table thead")
    visit.screenshot(tmp_path / "index.png")
    assert (tmp_path / "index.png").stat().st_size > 10_000
    visit.close()


ROWS_JS = "() => [...document.querySelectorAll('td .lim-status')].map(s => s.closest('tr').innerText)"


def expected_rows(entry: DocEntry) -> dict[tuple[str, str], int]:
    """(PASS|FAIL, severity) → how many expectations of this result the page must show so."""
    out: dict[tuple[str, str], int] = {}
    for r in entry.result["results"]:
        key = ("PASS" if r["success"] else "FAIL", r["expectation_config"]["severity"])
        out[key] = out.get(key, 0) + 1
    return out


def shown_rows(rows: list[str]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for r in rows:
        m = re.search(r"\b(PASS|FAIL|ERROR)\s+(critical|warning)\b", r)
        assert m, r
        out[m.groups()] = out.get(m.groups(), 0) + 1
    return out


def test_validation_page_names_the_run_and_delivery_and_says_pass_fail_per_expectation(docs, browser):
    for entry, (day, words) in zip(docs["entries"], [("2026-11-14", ["PASS", "every expectation met"]),
                                                      ("2026-11-21", ["FAIL warning", "reported; the run went on"]),
                                                      ("2026-11-28", ["FAIL critical", "quarantined"])]):
        visit = browser.open(page_of(docs["site"], day), wait_for="td .lim-status")
        assert_offline_and_clean(visit)
        assert_styled(visit)
        banner = visit.text(".lim-run")
        for w in ["run 2026-11-28", "source vehicles", f"delivery {day}", *words]:
            assert w in banner, banner
        shown = shown_rows(visit.evaluate(ROWS_JS))
        assert shown == expected_rows(entry)            # every expectation, its result and severity in words
        visit.close()
    assert ("FAIL", "critical") in expected_rows(docs["entries"][2])
    assert ("FAIL", "warning") in expected_rows(docs["entries"][1])
    assert ("FAIL", "critical") not in expected_rows(docs["entries"][1])


def test_quality_page_is_linked_and_renders_offline(docs, browser):
    visit = browser.open(docs["site"] / "index.html", wait_for="table tbody tr")
    visit.follow(".lim-run a:has-text('quality report')", wait_for="h1")
    assert visit.url.endswith(f"/quality/{AS_OF.isoformat()}.html")
    assert_offline_and_clean(visit)
    assert visit.text("h1") == f"Data quality for {AS_OF.isoformat()}"
    assert "vehicles" in visit.text("body") and "Quarantined deliveries" in visit.text("body")
    assert "Times" not in visit.computed_style("body", "font-family")        # the shipped bootstrap
    visit.follow(f"a:has-text('Data Docs of {AS_OF.isoformat()}')", wait_for="table tbody tr")
    assert visit.url.endswith(f"/data_docs/{AS_OF.isoformat()}/index.html")
    visit.close()
    # every validation page links to the same quality page
    page = page_of(docs["site"], "2026-11-14")
    href = re.search(r'<a href="([^"]+)">quality report</a>', page.read_text(encoding="utf-8")).group(1)
    assert (page.parent / href).resolve() == (docs["out"] / "quality" / f"{AS_OF.isoformat()}.html").resolve()


def test_root_index_lists_each_night_with_its_quality_page(docs, browser):
    visit = browser.open(docs_root(docs["out"]) / "index.html")
    assert_offline_and_clean(visit)
    text = visit.text("body")
    assert "2026-11-29" in text and "2026-11-28" in text
    visit.follow("a:has-text('2026-11-28')", wait_for="table tbody tr")
    assert visit.url.endswith("/data_docs/2026-11-28/index.html")
    visit.close()


_LOCAL_REF = re.compile(r'<(?:script|link|img)\b[^>]*?\b(?:src|href)="([^"#]+)"', re.I)


def test_no_page_of_a_site_refers_to_anything_outside_it(docs):
    pages = list(docs["site"].rglob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        refs = _LOCAL_REF.findall(text) + re.findall(r"url\('([^']+)'\)", text)
        assert refs
        for ref in refs:
            assert not ref.startswith(("http:", "https:", "//")), f"{page}: {ref}"
            assert (page.parent / ref).resolve().is_file(), f"{page}: {ref} does not exist"
    assert not (docs["site"] / "static").exists()            # no per-night copy of GX's fonts and images


def test_assets_are_shipped_once_and_a_second_night_copies_nothing(docs):
    static = docs_root(docs["out"]) / "_static"
    now = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in static.rglob("*") if p.is_file()}
    assert now == docs["first_static"]                        # same files, same inodes, same mtimes
    assert static_assets.ship(static).written == []
    size = sum(p.stat().st_size for p in static.rglob("*") if p.is_file())
    site_size = sum(p.stat().st_size for p in docs["site"].rglob("*") if p.is_file())
    print(f"\nshipped static assets: {size / 1e6:.2f} MB in {len(now)} files, once; one date's site {site_size / 1e6:.2f} MB")
    assert size < 6_000_000 and site_size < 1_500_000


def test_a_missing_or_damaged_asset_is_written_again_and_only_it(tmp_path):
    static = tmp_path / "_static"
    shipped = static_assets.ship(static)
    assert len(shipped.written) == len(json.loads((static / static_assets.MANIFEST).read_text())["files"])
    victim = static / shipped.urls["https://code.jquery.com/jquery-3.7.1.min.js"]
    victim.write_text("damaged")
    (static / static_assets.MANIFEST).write_text("{}")        # a manifest that no longer matches
    again = static_assets.ship(static)
    assert again.written == [shipped.urls["https://code.jquery.com/jquery-3.7.1.min.js"]]
    assert hashlib.sha256(victim.read_bytes()).hexdigest() == \
        static_assets.load_lock()["npm"]["jquery@3.7.1"]["files"]["dist/jquery.min.js"]


def _template_urls() -> set[str]:
    """Every URL GX's Data Docs templates and default styles load (not the links a person clicks)."""
    found = set()
    for f in list((GX_VIEW / "templates").glob("*.j2")) + list((GX_VIEW / "static" / "styles").glob("*.css")):
        text = f.read_text(encoding="utf-8")
        found |= set(re.findall(r'(?:src=|<link[^>]*?href=)\s*"(https?://[^"{?]+)', text, re.S))
        found |= set(re.findall(r"url\('(https?://[^'?]+)", text))
    return found


def test_the_lock_covers_every_cdn_url_of_the_gx_templates():
    urls = static_assets.load_lock()["urls"]
    assert _template_urls(), "no CDN URL found in GX's templates: has their layout changed?"
    assert _template_urls() - set(urls) == set()
    lock = static_assets.load_lock()
    for target in urls.values():
        parts = target.split("/")
        cut = 2 if target.startswith("@") else 1          # @scope/name@version/path
        spec, rel = "/".join(parts[:cut]), "/".join(parts[cut:])
        if spec == static_assets.GX:
            assert rel in lock[static_assets.GX]["files"]
        else:
            assert rel in lock["npm"][spec]["files"], target


def test_installed_assets_are_the_bytes_gx_pins_and_stylesheets_are_complete():
    assert static_assets.missing_packages() == []
    root = static_assets.install_dir()
    # GX's templates pin popper and bootstrap's script with subresource integrity: ours are those bytes
    sri = dict(re.findall(r'src="(https?://[^"]+)"\s+integrity="(sha384-[^"]+)"',
                          (GX_VIEW / "templates" / "js_script_imports.j2").read_text(encoding="utf-8")))
    assert len(sri) == 2
    for url, want in sri.items():
        data = (root / static_assets.load_lock()["urls"][url]).read_bytes()
        assert "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode() == want, url
    for spec, pkg in static_assets.load_lock()["npm"].items():
        for rel in pkg["files"]:
            if rel.endswith(".css"):
                css = (root / spec / rel).read_text(encoding="utf-8")
                for ref in static_assets.css_references(css, rel):
                    assert ref in pkg["files"], f"{spec}/{rel} loads {ref}, which is not shipped"
