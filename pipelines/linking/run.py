"""What the link step reports: records, links by method and review per source.

The tiers themselves are models (sql/models/linking/, run by pipelines.models.runner); this
module holds the linking configuration and the step's summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

import yaml

from pipelines import paths
from pipelines.engine.base import Engine


@cache
def _config() -> dict:
    return yaml.safe_load((paths.CONFIG / "linking.yaml").read_text(encoding="utf-8"))


def linking_config() -> dict:
    return dict(_config())


@dataclass
class LinkSummary:
    as_of: date
    by_source: dict[str, dict[str, int]] = field(default_factory=dict)  # source → method / review / records → count
    seconds: dict[str, float] = field(default_factory=dict)
    model: dict = field(default_factory=dict)
    skipped: str = ""

    def total(self, key: str) -> int:
        return sum(v.get(key, 0) for v in self.by_source.values())


def link_counts(engine: Engine) -> dict[str, dict[str, int]]:
    """Per source: records, links per method, review (tonight's relations of the link step)."""
    rows = engine.rows(
        """
        SELECT source, method, count(*) FROM links GROUP BY source, method
        UNION ALL SELECT source, 'review', count(*) FROM review GROUP BY source
        UNION ALL SELECT source, 'records', count(*) FROM link_records GROUP BY source
        """)
    out: dict[str, dict[str, int]] = {}
    for source, method, n in rows:
        out.setdefault(source, {})[method] = int(n)
    return out
