"""The README's picture of the night's report (docs/report.png), taken the way the browser tests
open it: Debian's Chromium, network off (tests/browser.py), after the charts are drawn.

    .venv/bin/python tests/report_screenshot.py demo/warehouse.out/report/2026-12-02.html docs/report.png

Only the top of the page (overview, warnings, trends) is kept, to keep the file small; the
report must be of synthetic demo data (no real-looking identity data: the report holds none).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import OfflineBrowser  # noqa: E402

WIDTH, HEIGHT = 1200, 2300


def main(report: str, png: str) -> None:
    with OfflineBrowser(viewport=(WIDTH, 900)) as browser:
        visit = browser.open(Path(report), wait_for=".chart svg")
        problems = visit.external_requests + visit.console_errors + visit.page_errors
        if problems:
            raise SystemExit(f"the report did not open cleanly offline: {problems}")
        visit.page.screenshot(path=png, full_page=True, clip={"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT})
        visit.close()
    print(f"{png}: {Path(png).stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main(*sys.argv[1:3])
