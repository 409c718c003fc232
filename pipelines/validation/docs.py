"""Data Docs: the GX HTML pages of a run date, beside the warehouse, readable offline.

    <warehouse stem>.out/data_docs/index.html            one link per run date (and its quality page)
    <warehouse stem>.out/data_docs/<as_of>/index.html    GX site: every suite the date ran
                                                         (the deliveries it used, the outputs)
    <warehouse stem>.out/data_docs/_static/              the pinned scripts, styles, fonts and images
                                                         every site uses, written once (static_assets.py)
    <warehouse stem>.out/quality/<as_of>.html            the quality report (.md) as a page

A date's site is rebuilt from scratch from the stored GX results (one JSON per delivery in its
staging folder, the outputs' JSON beside the site), so re-running a date replaces its pages
and no two processes ever write the same site. After GX has written it, the site is made to
work without internet (`offline_site`): every CDN URL points at `_static/`, GX's per-site copy
of its fonts and images (4 MB a night) is dropped, and each page says in words what its icons
say — PASS / FAIL, critical / warning — and names the run date and the delivery, with a link
to the date's quality page.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

log = logging.getLogger(__name__)

SITE = "lowincome_quality"  # not `local_site`: taken in ephemeral mode
STATIC = "_static"          # beside the sites, in data_docs/
OUTPUTS = "outputs"         # the suite of the date's warnings (pipelines.validation.suites.OUTPUTS_SUITE)


@dataclass
class DocEntry:
    suite: dict            # the suite as loaded from expectations/
    result: dict           # the GX result JSON
    run_name: str          # e.g. the delivery date or the run date
    batch: str             # e.g. vehicles-2026-12-02
    run_time: datetime


def docs_root(out_root: Path) -> Path:
    return Path(out_root) / "data_docs"


def _severity(r: dict) -> str:
    cfg = r.get("expectation_config") or {}
    return str(cfg.get("severity") or (cfg.get("meta") or {}).get("severity") or "critical").lower()


def _words_in_status_cells(expectation_types: set[str]) -> None:
    """Each validation row's status cell says PASS / FAIL / ERROR and the expectation's severity
    beside GX's icon: GX's status-icon renderer of each expectation type, wrapped once per process
    (GX's renderer registry is its extension point for how a result is drawn)."""
    from great_expectations.expectations import registry
    from great_expectations.render.components import LegacyDiagnosticRendererType
    from great_expectations.render.renderer.renderer import renderer

    kind = LegacyDiagnosticRendererType.STATUS_ICON
    for etype in expectation_types:
        impl = registry.get_renderer_impl(etype, kind)
        if impl is None or getattr(impl.renderer, "_lowincome_words", False):
            continue
        original = impl.renderer

        @renderer(renderer_type=kind)
        def with_words(*args, _original=original, **kwargs):
            content = _original(*args, **kwargs)
            result = kwargs.get("result")
            st = getattr(content, "string_template", None)
            if result is None or not isinstance(st, dict) or st.get("template") != "$icon":
                return content
            icon = " ".join(st.get("styling", {}).get("params", {}).get("icon", {}).get("classes", []))
            word = "ERROR" if "exclamation" in icon else ("PASS" if result.success else "FAIL")
            cfg = result.expectation_config
            sev = getattr(getattr(cfg, "severity", None), "value", None) or (cfg.meta or {}).get("severity") or "critical"
            st["template"] = "$icon $status $severity"
            st["params"].update(status=word, severity=str(sev).lower())
            st["styling"]["params"].update(
                status={"tag": "span", "classes": ["lim-status", "lim-pass" if word == "PASS" else "lim-fail"]},
                severity={"tag": "span", "classes": ["lim-severity", f"lim-{str(sev).lower()}"]})
            return content

        with_words._lowincome_words = True
        quiet = registry.logger.level
        registry.logger.setLevel(logging.ERROR)    # "Overwriting declaration of ..." is what we mean
        try:
            registry.register_renderer(object_name=etype, parent_class=impl.expectation, renderer_fn=with_words)
        finally:
            registry.logger.setLevel(quiet)


def build_site(site_dir: Path, entries: list[DocEntry]) -> Path:
    """Write a fresh GX Data Docs site with these results, made offline; returns its index.html."""
    from pipelines.validation.gx import _quiet, gx

    g = gx()   # first: GX imported the quiet way (pyspark hidden, loggers at WARNING)
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    site_dir = Path(site_dir).resolve()
    shutil.rmtree(site_dir, ignore_errors=True)
    site_dir.mkdir(parents=True)
    ctx = g.get_context(mode="ephemeral")  # a fresh one: its result store holds only this site's results
    _quiet()
    ctx.add_data_docs_site(SITE, {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
    })
    schema = ExpectationSuiteValidationResultSchema()
    added: set[str] = set()
    from pipelines.validation.gx import _LOCK

    types = {r.get("expectation_config", {}).get("type") for e in entries for r in e.result.get("results", [])}
    with _LOCK:
        _words_in_status_cells({t for t in types if t})
    for e in entries:
        if e.suite["name"] not in added:
            ctx.suites.add(g.ExpectationSuite(**{k: v for k, v in e.suite.items() if k != "id"}))
            added.add(e.suite["name"])
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=e.suite["name"]),
            run_id=RunIdentifier(run_name=e.run_name, run_time=e.run_time),
            batch_identifier=e.batch,
        )
        # the run named in the page title and breadcrumb (GX shows "__none__" without it)
        result = {**e.result, "meta": {**(e.result.get("meta") or {}),
                                       "run_id": {"run_name": e.run_name, "run_time": e.run_time.isoformat()}}}
        ctx.validation_results_store.set(key, schema.load(result))
    ctx.build_data_docs(site_names=[SITE])
    offline_site(site_dir, entries)
    return site_dir / "index.html"


def site_index(site_dir: Path) -> Path:
    """Where a date's site begins (what build_site returns)."""
    return Path(site_dir).resolve() / "index.html"


def build_docs(site_dir: Path, entries: list[DocEntry]) -> Path:
    """A date's site, then the list of dates beside it (which lists the sites that exist)."""
    index = build_site(site_dir, entries)
    write_root_index(Path(site_dir).parent)
    return index


class DocsBuild:
    """A date's Data Docs built in a worker process (pipelines/job_worker.py) while the caller
    goes on: GX renders the pages, and importing it costs 5-15 s a night did not have to wait for.
    `wait()` returns the site's index or raises what the build raised. With
    LOWINCOME_PUBLISH_WORKERS=1 (one core, or a test patching this process) the build runs in
    this process, at `wait()`."""

    def __init__(self, site_dir: Path, entries: list[DocEntry]):
        from pipelines.publish.workers import publish_workers

        self.site_dir, self.entries = Path(site_dir), entries
        self._result: list = []
        self._thread = None
        if publish_workers() > 1:
            import threading

            self._thread = threading.Thread(target=self._run, daemon=True, name="data-docs")
            self._thread.start()

    def _run(self) -> None:
        from pipelines.job_worker import JobWorker

        worker = JobWorker(("pipelines.validation.docs",))
        try:
            self._result.append(worker.call(build_docs, (self.site_dir, self.entries)))
        except BaseException as e:  # noqa: BLE001 - raised by wait()
            self._result.append(e)
        finally:
            worker.close()

    def wait(self) -> Path:
        if self._thread is None:
            return build_docs(self.site_dir, self.entries)
        self._thread.join()
        if isinstance(self._result[0], BaseException):
            raise self._result[0]
        return self._result[0]


# --- what a page says in words --------------------------------------------------------------

@dataclass
class Verdict:
    """One validation (a delivery's gate, or the outputs check) in words."""
    suite: str
    batch: str
    run_name: str
    failed_critical: int
    failed_warning: int

    @property
    def status(self) -> str:
        if self.failed_critical:
            return "FAIL critical"
        return "FAIL warning" if self.failed_warning else "PASS"

    @property
    def delivery(self) -> str | None:
        return self.run_name.removeprefix("delivery-") if self.run_name.startswith("delivery-") else None

    @property
    def consequence(self) -> str:
        if self.failed_critical:
            return ("the date was not published" if self.suite == OUTPUTS
                    else "delivery quarantined: the run used none of it")
        if self.failed_warning:
            return "reported; the run went on"
        return "every expectation met"


def verdict(e: DocEntry) -> Verdict:
    failed = [r for r in e.result.get("results", []) if not r.get("success")]
    crit = sum(_severity(r) == "critical" for r in failed)
    return Verdict(e.suite["name"], e.batch, e.run_name, crit, len(failed) - crit)


def _as_of(site_dir: Path) -> date | None:
    try:
        return date.fromisoformat(site_dir.name)
    except ValueError:
        return None


def _rel(target: Path, page: Path) -> str:
    return Path(os.path.relpath(target, page.parent)).as_posix()


_STATUS_CSS = ("<style>.lim-status{font-weight:700;margin-left:.35em;white-space:nowrap}"
               ".lim-pass{color:#1e7e34}.lim-fail{color:#bd2130}.lim-warn{color:#856404}"
               ".lim-severity{margin-left:.35em;font-size:85%}.lim-critical{color:#bd2130}"
               ".lim-run{margin:0;border-radius:0}</style>")


def _status_span(text: str) -> str:
    cls = "lim-pass" if text == "PASS" else ("lim-warn" if text == "FAIL warning" else "lim-fail")
    return f'<span class="lim-status {cls}">{html.escape(text)}</span>'


def _banner(page: Path, site_dir: Path, as_of: date | None, v: Verdict | None, verdicts: list[Verdict]) -> str:
    root = site_dir.parent
    bits = ['<div class="alert alert-secondary lim-run" role="note">lowincome-monitor data quality']
    if as_of:
        bits.append(f" · run <b>{as_of.isoformat()}</b>")
    if v:
        what = "outputs (the date's warnings)" if v.suite == OUTPUTS else f"source <b>{html.escape(v.suite)}</b>"
        bits.append(f" · {what}")
        if v.delivery:
            bits.append(f", delivery <b>{html.escape(v.delivery)}</b>")
        failed = (f"; failed: {v.failed_critical} critical, {v.failed_warning} warning"
                  if v.failed_critical or v.failed_warning else "")
        bits.append(f" · result {_status_span(v.status)} ({html.escape(v.consequence)}{failed})")
    else:
        counts = {s: sum(x.status == s for x in verdicts) for s in ("PASS", "FAIL critical", "FAIL warning")}
        bits.append(" · " + ", ".join(f"{n} {_status_span(s)}" for s, n in counts.items()))
        bad = [x for x in verdicts if x.status == "FAIL critical"]
        if bad:
            bits.append(" · " + "; ".join(f"{html.escape(x.suite)}: {html.escape(x.consequence)}" for x in bad))
    if as_of:
        bits.append(f' · <a href="{_rel(root.parent / "quality" / f"{as_of.isoformat()}.html", page)}">'
                    "quality report</a>")
    bits.append(f' · <a href="{_rel(root / "index.html", page)}">all run dates</a></div>')
    return "".join(bits)


# --- making a site offline ------------------------------------------------------------------

_TAG = re.compile(r"<(?:script|link|img)\b[^>]*>", re.I)
_URL = re.compile(r"https?://[^\s\"'()<>]+")
_SRI = re.compile(r"\s+(?:integrity|crossorigin)=\"[^\"]*\"")
_CSS_URL = re.compile(r"url\((['\"]?)(https?://[^'\")]+)\1\)")
_SITE_STATIC = re.compile(r"((?:\.{1,2}/)*)static/(images/[\w.-]+)")
_INDEX_ROW = "{'validation_success': "
_INDEX_ICON = re.compile(r'<i class="fas (?:fa-check-circle text-success ge-success-icon|fa-times text-danger '
                         r'ge-failed-icon)" ></i>')


def _localise(text: str, page: Path, static_root: Path, urls: dict[str, str], gx_dir: str | None,
              unknown: set[str]) -> str:
    def local(url: str) -> str | None:
        target = urls.get(url.split("?")[0])
        return _rel(static_root / target, page) if target else None

    def tag(m: re.Match) -> str:
        t = m.group(0)
        found = [u for u in _URL.findall(t) if local(u)]
        if not found:
            if re.search(r"\b(?:src|href)=\"https?://", t):
                unknown.update(u.split("?")[0] for u in _URL.findall(t))
            return t
        for u in found:
            t = t.replace(u, local(u))
        return _SRI.sub("", t)   # file:// pages cannot make CORS requests; the bytes are checked at install

    text = _TAG.sub(tag, text)
    text = _CSS_URL.sub(lambda m: f"url('{local(m.group(2)) or m.group(2)}')", text)
    if gx_dir:
        def site_static(m: re.Match) -> str:
            return _rel(static_root / gx_dir / m.group(2), page)
        text = _SITE_STATIC.sub(site_static, text)
    return text


def _label_index_rows(text: str, by_path: dict[str, Verdict]) -> str:
    """The index's status column (an icon inside the table's JSON) gets its words, per row."""
    head, *rows = text.split(_INDEX_ROW)
    out = [head]
    for row in rows:
        m = re.search(r"'_table_row_link_path': '([^']*)'", row)
        v = by_path.get(m.group(1)) if m else None
        if v:
            row = _INDEX_ICON.sub(lambda i: i.group(0) + _status_span(v.status).replace("'", '"'), row, count=1)
            row = re.sub(r"'_validation_success_text': '(?:Success|Failed)'",
                         f"'_validation_success_text': '{v.status}'", row, count=1)
        out.append(row)
    return _INDEX_ROW.join(out)


def _page_paths(site_dir: Path, entries: list[DocEntry]) -> dict[str, Verdict]:
    """validations/<suite>/<run_name>/<time>/<batch>.html → its verdict."""
    by_key = {(e.suite["name"], e.run_name, e.batch): verdict(e) for e in entries}
    out = {}
    for p in site_dir.glob("validations/*/*/*/*.html"):
        _, suite, run_name, _, page = p.relative_to(site_dir).parts
        v = by_key.get((suite, run_name, page.removesuffix(".html")))
        if v:
            out[p.relative_to(site_dir).as_posix()] = v
    return out


def offline_site(site_dir: Path, entries: list[DocEntry]) -> list[str]:
    """Point every page of a built site at the shared pinned assets and put its verdicts in words.

    Returns the external URLs some page still loads (none when the assets are installed and GX's
    templates have no URL the lock does not know; each is logged)."""
    from pipelines.validation import static_assets

    site_dir = Path(site_dir)
    static_root = site_dir.parent / STATIC
    try:
        shipped = static_assets.ship(static_root)
        urls = shipped.urls
        gx_dir = next(t.split("/")[0] for t in urls.values() if t.startswith(static_assets.GX + "@"))
        shutil.rmtree(site_dir / "static", ignore_errors=True)   # GX's per-site copy: served from _static
    except static_assets.AssetsMissing as e:
        log.warning("Data Docs of %s will need internet: %s", site_dir.name, e)
        urls, gx_dir = {}, None
    as_of = _as_of(site_dir)
    by_path = _page_paths(site_dir, entries)
    verdicts = [verdict(e) for e in entries]
    unknown: set[str] = set()
    for page in site_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        text = _localise(text, page, static_root, urls, gx_dir, unknown)
        rel = page.relative_to(site_dir).as_posix()
        if rel == "index.html":
            text = _label_index_rows(text, by_path)
        text = text.replace("</head>", _STATUS_CSS + "</head>", 1)
        banner = _banner(page, site_dir, as_of, by_path.get(rel), verdicts if rel == "index.html" else [])
        text = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + banner, text, count=1)
        page.write_text(text, encoding="utf-8")
    for u in sorted(unknown):
        log.warning("Data Docs page of %s still loads %s (not in static_assets.lock.json)", site_dir.name, u)
    return sorted(unknown)


# --- the pages around the sites -------------------------------------------------------------

def _bootstrap_css(page: Path, root: Path) -> str:
    """A <link> to the shipped bootstrap stylesheet, when the assets are there."""
    from pipelines.validation import static_assets

    manifest = root / STATIC / static_assets.MANIFEST
    try:
        files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError):
        return ""
    css = next((f for f in files if f.endswith("/bootstrap.min.css")), None)
    return f'<link rel="stylesheet" href="{_rel(root / STATIC / css, page)}">' if css else ""


def _page(title: str, body: str, page: Path, root: Path) -> str:
    return ("<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>{_bootstrap_css(page, root)}"
            "<style>body{padding:1.5rem 2rem}</style></head>"
            f"<body><div class=\"container-fluid\">{body}</div></body></html>\n")


def write_root_index(root: Path) -> Path:
    """data_docs/index.html: one line per run date that has a site, with its quality page."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    out = root / "index.html"
    dates = sorted((p.name for p in root.iterdir() if p.is_dir() and p.name != STATIC
                    and (p / "index.html").exists()), reverse=True)
    items = "\n".join(
        f'<li><a href="{html.escape(d)}/index.html">{html.escape(d)}</a> · '
        f'<a href="../quality/{html.escape(d)}.html">quality report</a></li>' for d in dates)
    body = f"<h1>Data-quality results by run date</h1>\n<ul>\n{items}\n</ul>"
    out.write_text(_page("Data Docs · lowincome-monitor", body, out, root), encoding="utf-8")
    return out


def write_quality_page(md_path: Path) -> Path:
    """quality/<as_of>.html beside quality/<as_of>.md: the same report, readable in a browser."""
    from markdown_it import MarkdownIt

    md_path = Path(md_path)
    out = md_path.with_suffix(".html")
    root = docs_root(md_path.parent.parent)
    day = md_path.stem
    nav = (f'<p class="text-muted"><a href="../data_docs/{html.escape(day)}/index.html">Data Docs of {html.escape(day)}</a>'
           ' · <a href="../data_docs/index.html">all run dates</a>'
           f' · <a href="{html.escape(md_path.name)}">as Markdown</a></p>')
    body = MarkdownIt("commonmark", {"html": False}).render(md_path.read_text(encoding="utf-8"))
    out.write_text(_page(f"Data quality {day} · lowincome-monitor", nav + body, out, root), encoding="utf-8")
    return out


def utc_midnight(day) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def read_result(path: Path) -> dict | None:
    p = Path(path)
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None
