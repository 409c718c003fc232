"""Run the linker's SQL files (sql/linking/*.sql) with `$name` parameters substituted."""

from __future__ import annotations

from string import Template

from pipelines import paths


def render(name: str, **params: object) -> str:
    text = (paths.SQL / "linking" / f"{name}.sql").read_text(encoding="utf-8")
    return Template(text).substitute(**{k: str(v) for k, v in params.items()}) if params else text
