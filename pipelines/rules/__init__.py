"""The warning rules of rules.md over the linked data (issue 4). Entry point: `apply_rules`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class RulesSummary:
    as_of: date
    found: dict[str, int] = field(default_factory=dict)     # rule → warnings found
    skipped: dict[str, str] = field(default_factory=dict)   # rule → why it was skipped


def apply_rules(wh, as_of: date) -> RulesSummary:  # placeholder until the rules land
    return RulesSummary(as_of)
