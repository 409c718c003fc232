"""A real headless browser for tests: Debian's Chromium driven by Playwright, network off.

Why: pages that must work on the province's offline network (the Data Docs, the night's HTML
report) are only proven by opening them the way a person does, in a browser that cannot reach
the internet, and looking at what it loaded, what it drew and what it complained about.

    from browser import OfflineBrowser

    with OfflineBrowser() as browser:                     # one Chromium; each open() a fresh context
        page = browser.open(path, wait_for="table tbody tr")
        assert page.external_requests == []               # nothing but file:/data:/blob: was asked for
        assert page.failed_requests == [] and page.console_errors == [] and page.page_errors == []
        page.count("svg, canvas")                         # charts drawn
        page.text("#summary")                             # what a person reads (innerText)
        page.computed_style(".navbar", "display")
        page.evaluate("() => document.title")
        page.follow("a:has-text('quality report')")       # click a link, wait for the new page
        page.screenshot(tmp_path / "page.png")
        page.close()

The browser: $LOWINCOME_CHROMIUM, else `chromium` on PATH (Debian: `apt-get install -y chromium`;
.ci/run installs it). Nothing is ever downloaded (Playwright's own browsers are not used).
The network is off three ways: Chromium's background traffic is switched off by flags, the
context is offline, and every request whose scheme is not file:, data:, blob: or about: is
recorded in `external_requests` and aborted. Each context gets a fresh profile.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome-error:")
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--disable-default-apps",
         "--disable-extensions", "--no-default-browser-check", "--disable-domain-reliability",
         "--metrics-recording-only", "--disable-features=MediaRouter,OptimizationHints,Translate"]


class BrowserMissing(RuntimeError):
    """No Chromium to drive (install Debian's `chromium`, or set LOWINCOME_CHROMIUM)."""


def chromium_path() -> str:
    """The Chromium executable the tests drive; raises BrowserMissing with the fix."""
    env = os.environ.get("LOWINCOME_CHROMIUM")
    if env:
        if not (Path(env).is_file() and os.access(env, os.X_OK)):
            raise BrowserMissing(f"LOWINCOME_CHROMIUM={env} is not an executable file")
        return env
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissing("no Chromium found: `apt-get update && apt-get install -y chromium` "
                         "(what .ci/run does), or set LOWINCOME_CHROMIUM to a Chromium executable")


@dataclass
class Visit:
    """One opened page and everything it did."""
    url: str
    page: object                                   # the Playwright Page, for anything not wrapped here
    requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    failed_requests: list[tuple[str, str]] = field(default_factory=list)   # (url, error): a missing local file too
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)                   # uncaught exceptions

    def evaluate(self, js: str, arg=None):
        """Run JavaScript in the page (an expression, or a function taking `arg`)."""
        return self.page.evaluate(js, arg)

    def text(self, selector: str = "body") -> str:
        """The rendered text of the first match (innerText: what a person can read)."""
        return self.page.inner_text(selector)

    def count(self, selector: str) -> int:
        return self.page.locator(selector).count()

    def computed_style(self, selector: str, prop: str) -> str:
        return self.page.eval_on_selector(selector, "(e, p) => getComputedStyle(e).getPropertyValue(p)", prop)

    def follow(self, selector: str, wait_for: str | None = None, timeout: float = 30) -> "Visit":
        """Click the first link matching selector and wait until the new page has rendered."""
        with self.page.expect_navigation(timeout=timeout * 1000):
            self.page.locator(selector).first.click()
        self.url = self.page.url
        _settle(self.page, wait_for, timeout)
        return self

    def screenshot(self, path: Path | str, full_page: bool = True) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self) -> None:
        self.page.context.close()


def _settle(page, wait_for: str | None, timeout: float) -> None:
    """Wait for load, the given selector, web fonts and two animation frames (charts drawn)."""
    page.wait_for_load_state("load", timeout=timeout * 1000)
    if wait_for:
        page.wait_for_selector(wait_for, timeout=timeout * 1000)
    page.evaluate("() => document.fonts ? document.fonts.ready.then(() => true) : true")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")


class OfflineBrowser:
    """Headless Chromium with the network off; `open()` a local page and inspect it (module doc)."""

    def __init__(self, executable: str | None = None, viewport: tuple[int, int] = (1366, 900),
                 timeout: float = 30):
        self.executable = executable or chromium_path()
        self.viewport = viewport
        self.timeout = timeout
        self._pw = None
        self._browser = None

    def __enter__(self) -> "OfflineBrowser":
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(executable_path=self.executable, headless=True,
                                                     args=FLAGS, timeout=self.timeout * 1000)
        except Exception:
            self._pw.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._browser:
            self._browser.close()
            self._browser = None
        if self._pw:
            self._pw.stop()
            self._pw = None

    @property
    def version(self) -> str:
        return self._browser.version

    def open(self, target: Path | str, wait_for: str | None = None) -> Visit:
        """Open a local file (a Path or a file:// URL) in a fresh offline context and let it render."""
        if self._browser is None:
            raise RuntimeError("use OfflineBrowser as a context manager (with OfflineBrowser() as b: ...)")
        url = target if isinstance(target, str) and "://" in target else Path(target).resolve().as_uri()
        context = self._browser.new_context(offline=True, service_workers="block",
                                            viewport={"width": self.viewport[0], "height": self.viewport[1]})
        page = context.new_page()
        visit = Visit(url, page)

        def route(r) -> None:
            if r.request.url.startswith(LOCAL_SCHEMES):
                r.continue_()
            else:
                visit.external_requests.append(r.request.url)
                r.abort("internetdisconnected")

        context.route("**/*", route)
        page.on("request", lambda req: visit.requests.append(req.url))
        page.on("requestfailed", lambda req: None if not req.url.startswith(LOCAL_SCHEMES) else
                visit.failed_requests.append((req.url, req.failure or "failed")))
        page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
        page.goto(url, wait_until="load", timeout=self.timeout * 1000)
        _settle(page, wait_for, self.timeout)
        # a request to elsewhere that the route did not see (it never should) still counts
        visit.external_requests.extend(u for u in visit.requests
                                       if not u.startswith(LOCAL_SCHEMES) and u not in visit.external_requests)
        return visit
