"""Rule unit tests: one file per rule of config/rule_catalogue.yaml (a package, so its conftest
and helpers do not shadow tests/conftest.py, which tests/rulezone.py imports as `conftest`)."""
