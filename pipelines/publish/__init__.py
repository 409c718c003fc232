"""Publishing a date's results: warehouse tables, push lists, report (issue 4). Entry: `publish`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass
class PublishSummary:
    as_of: date
    out_dir: Path | None = None
    counts: dict = field(default_factory=dict)


def publish(wh, as_of: date, out_dir: Path) -> PublishSummary:  # placeholder until publishing lands
    return PublishSummary(as_of, out_dir)
