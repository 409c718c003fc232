"""The warning rules of rules.md (issue 4): each rule is a model, sql/models/rules/<rule>.sql.

  catalogue.py  config/rule_catalogue.yaml (what each rule is) and config/rules.yaml (thresholds)
  runs.py       what the rules step reports: rule_runs (evaluated / skipped and why, found)
"""
