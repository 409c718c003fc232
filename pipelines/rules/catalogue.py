"""The rule catalogue and the rule parameters: configuration files, loaded and checked.

`config/rule_catalogue.yaml` says what each rule is (title, category rule, department, subject,
the prefix of its 预警编号, what a clerk checks, and who alone may see it);
its SELECT is the model `sql/models/rules/<code in lower case>.sql`, which also tells which
sources it reads. `config/rules.yaml` holds the thresholds. Both are data so that a province can
retune a rule without touching code; this module only validates them, so a typo fails the run
with the file and the rule named instead of producing silently wrong warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from pipelines import paths

PREFIX = re.compile(r"^[A-HJKMNP-TV-Z]{2}$")   # two capitals, none of I L O U (read like 1 and 0)
CATEGORY_RULES = {"covered", "household_covered"}
SUBJECTS = {"person", "household", "identity"}


class CatalogueError(ValueError):
    """A catalogue or parameter file that cannot be used: names the file and the problem."""


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    category: str          # "1".."4", "covered" or "household_covered"
    department: str
    subject: str           # person | household | identity
    prefix: str = ""       # of the rule's 预警编号 (warning_id)
    check: str = ""        # 核查要点: what the clerk checks
    restricted_to: str | None = None   # the one department whose own files alone may show it

    @property
    def sql_path(self) -> Path:
        return paths.SQL / "models" / "rules" / f"{self.code.lower()}.sql"


@dataclass(frozen=True)
class Catalogue:
    rules: tuple[Rule, ...]
    categories: dict[int, str]
    category_names: dict[int, str]

    def rule(self, code: str) -> Rule:
        for r in self.rules:
            if r.code == code:
                return r
        raise KeyError(code)

    @property
    def departments(self) -> list[str]:
        """Departments in the order rules.md first names them."""
        return list(dict.fromkeys(r.department for r in self.rules))

    def needs(self, rule: Rule) -> tuple[str, ...]:
        """Every landing source the rule's model needs (read or declared), registry included."""
        from pipelines.models.project import load_project

        return tuple(sorted(load_project().sources_of(rule.code.lower())))


def _parse_catalogue(path: Path) -> Catalogue:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = path.name
    categories = {int(k): str(v) for k, v in doc["categories"].items()}
    rules, seen, prefixes = [], set(), {}
    for raw in doc["rules"]:
        try:
            rule = Rule(code=raw["code"], title=raw["title"], category=str(raw["category"]),
                        department=raw["department"], subject=raw["subject"], prefix=str(raw["prefix"]),
                        check=str(raw["check"]).strip(), restricted_to=raw.get("restricted_to"))
        except KeyError as e:
            raise CatalogueError(f"{where}: rule {raw.get('code', '?')}: missing field {e}") from None
        if rule.code in seen:
            raise CatalogueError(f"{where}: rule {rule.code} is listed twice")
        seen.add(rule.code)
        if rule.category not in CATEGORY_RULES and not (rule.category.isdigit() and int(rule.category) in categories):
            raise CatalogueError(f"{where}: rule {rule.code}: category {rule.category!r} is neither "
                                 f"{sorted(categories)} nor one of {sorted(CATEGORY_RULES)}")
        if rule.subject not in SUBJECTS:
            raise CatalogueError(f"{where}: rule {rule.code}: subject must be one of {sorted(SUBJECTS)}")
        if not PREFIX.match(rule.prefix):
            raise CatalogueError(f"{where}: rule {rule.code}: prefix {rule.prefix!r} must be two capital letters "
                                 f"other than I, L, O and U")
        if rule.prefix in prefixes:
            raise CatalogueError(f"{where}: rule {rule.code}: prefix {rule.prefix} is {prefixes[rule.prefix]}'s too")
        prefixes[rule.prefix] = rule.code
        if not rule.check:
            raise CatalogueError(f"{where}: rule {rule.code}: check (核查要点) is empty")
        if rule.restricted_to is not None and rule.restricted_to != rule.department:
            raise CatalogueError(f"{where}: rule {rule.code}: restricted_to must be its own department "
                                 f"({rule.department})")
        if not rule.sql_path.exists():
            raise CatalogueError(f"{where}: rule {rule.code}: no model {rule.sql_path}")
        rules.append(rule)
    models = {p.stem.upper() for p in (paths.SQL / "models" / "rules").glob("*.sql")}
    orphans = sorted(models - seen)
    if orphans:
        raise CatalogueError(f"{where}: rule model(s) without a catalogue entry: {', '.join(orphans)}")
    names = {int(k): str(v) for k, v in (doc.get("category_names") or {}).items()}
    return Catalogue(tuple(rules), categories, {k: names.get(k, v) for k, v in categories.items()})


@cache
def load_catalogue(path: Path = paths.CONFIG / "rule_catalogue.yaml") -> Catalogue:
    return _parse_catalogue(Path(path))


@cache
def _load_params(path: Path) -> tuple[tuple[str, object], ...]:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    for name in doc:
        if not name.isidentifier():
            raise CatalogueError(f"{Path(path).name}: parameter name {name!r} is not an identifier")
    return tuple(doc.items())


def load_params(path: Path = paths.CONFIG / "rules.yaml") -> dict[str, object]:
    """The thresholds, as a fresh dict (callers may override entries, e.g. in tests)."""
    return {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
            for k, v in _load_params(Path(path))}
