"""The warning rules of rules.md over the linked data (issue 4). Entry point: `apply_rules`.

  catalogue.py  config/rule_catalogue.yaml (what each rule is) and config/rules.yaml (thresholds)
  context.py    variables, rule_persons, linked_<source> tables for one date
  engine.py     signals, then every rule whose sources are usable → pending_* tables
"""

from pipelines.rules.engine import RulesSummary, apply_rules

__all__ = ["RulesSummary", "apply_rules"]
