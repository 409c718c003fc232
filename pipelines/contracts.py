"""Source contracts: `schemas/<source>.yaml` loaded into typed objects.

A contract says how a source arrives (format, encodings, header aliases) and what it becomes
(canonical column names, types, coded value sets, which columns identify the person, the
plausible range of dates, amounts and counts). Adding a seventeenth source is adding a file,
not code.

Plausibility bounds: `min` / `max` on a date, year_month, money or int column; a column without
them takes its type's default from `schemas/_common.yaml` (`bounds:`), and an explicit `null`
removes a bound. A date's `max` may be `delivery_date` (the default: nothing happens after the
extract was made); a column that may hold future dates says `max: null`. A value outside its
bounds is loaded as NULL and reported in data_issues with the reason.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from pipelines import paths

COLUMN_TYPES = {
    "record_no", "id_number", "name", "date", "money", "int", "code", "text",
    "division", "year_month", "disability_card",
}
FORMATS = {"csv", "xlsx", "any"}          # any: a delivery may hold either (read by each file's type)
BOUNDED_TYPES = {"date", "year_month", "money", "int"}
DELIVERY_DATE = "delivery_date"  # a date bound meaning "the delivery's own date"
ROLES = {"registry", "department", "reply"}   # reply: what people send back (feedback, decisions)
DELIVERIES = {"newest", "all"}   # which deliveries on or before the night count: the newest, or every one
HEADER_ROWS = {"first", "find"}  # Excel header: the first row, or found among the first rows (a title above it)


class ContractError(ValueError):
    """A schema file that cannot be used: names the file and the problem."""


@dataclass(frozen=True)
class Column:
    name: str
    headers: tuple[str, ...]
    type: str
    required: bool = False
    not_null: bool = False
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    min_value: object = None  # plausibility bounds (dates: a date or "delivery_date"; numbers)
    max_value: object = None
    blank_allowed: bool = False  # an identity number blank by design in some rows (a roster's relative)

    def code_lookup(self) -> dict[str, str]:
        """Every accepted spelling (canonical value and aliases, header-normalised) → canonical value."""
        out: dict[str, str] = {}
        for canonical, aliases in self.codes.items():
            for spelling in (canonical, *aliases):
                out[normalise_header(str(spelling))] = canonical
        return out


@dataclass(frozen=True)
class Contract:
    source: str
    title: str
    department: str
    role: str
    format: str
    encodings: tuple[str, ...]
    columns: tuple[Column, ...]
    subject: dict[str, str]
    key: tuple[str, ...] = ()
    path: Path | None = None
    deliveries: str = "newest"
    header_row: str = "first"   # find: a workbook's header is the first of its first rows naming the required columns

    @property
    def is_registry(self) -> bool:
        return self.role == "registry"

    @property
    def every_delivery(self) -> bool:
        """Every delivery on or before the night counts (feedback), not only the newest."""
        return self.deliveries == "all"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.source} has no column {name!r}")

    def columns_of_type(self, *types: str) -> list[Column]:
        return [c for c in self.columns if c.type in types]

    @property
    def has_record_no(self) -> bool:
        return any(c.type == "record_no" for c in self.columns)

    def header_lookup(self) -> dict[str, str]:
        """Normalised header spelling → canonical column name."""
        out: dict[str, str] = {}
        for c in self.columns:
            for h in c.headers:
                out.setdefault(normalise_header(h), c.name)
        return out


_HEADER_JUNK = re.compile(r"[\s*＊\ufeff]")


def normalise_header(text: str) -> str:
    """Compare headers and coded values the way people type them: NFKC, no spaces/BOM/'*', () for （）."""
    t = unicodedata.normalize("NFKC", text)
    return _HEADER_JUNK.sub("", t).replace("【", "(").replace("】", ")").strip()


def _load_common(schemas_dir: Path) -> dict:
    common = schemas_dir / "_common.yaml"
    if not common.exists():
        return {}
    return yaml.safe_load(common.read_text(encoding="utf-8")) or {}


def _bound(where: str, c: dict, key: str, defaults: dict) -> object:
    """A column's `min`/`max`: its own if given (null: none), else its type's default."""
    value = c[key] if key in c else (defaults.get(c["type"]) or {}).get(key)
    if value is None:
        return None
    if c["type"] not in BOUNDED_TYPES:
        raise ContractError(f"{where}: column {c['name']}: {key} is only for {sorted(BOUNDED_TYPES)} columns")
    if c["type"] in ("date", "year_month"):
        if value == DELIVERY_DATE:
            return value
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                value = None
        if not isinstance(value, date):
            raise ContractError(f"{where}: column {c['name']}: {key} must be a date or {DELIVERY_DATE!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ContractError(f"{where}: column {c['name']}: {key} must be a number")
    return int(value) if c["type"] == "int" else value


def _parse(path: Path, aliases: dict[str, list[str]], bounds: dict | None = None) -> Contract:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = f"{path.name}"
    try:
        cols = []
        for c in doc["columns"]:
            headers = list(c.get("headers", []))
            group = c.get("alias_group")
            if group:
                if group not in aliases:
                    raise ContractError(f"{where}: column {c['name']}: unknown alias_group {group!r}")
                headers += [h for h in aliases[group] if h not in headers]
            if not headers:
                raise ContractError(f"{where}: column {c['name']} has no headers")
            if c["type"] not in COLUMN_TYPES:
                raise ContractError(f"{where}: column {c['name']}: unknown type {c['type']!r}")
            codes = {str(k): tuple(str(a) for a in (v or [])) for k, v in (c.get("codes") or {}).items()}
            if c["type"] == "code" and not codes:
                raise ContractError(f"{where}: coded column {c['name']} lists no codes")
            cols.append(Column(c["name"], tuple(headers), c["type"], bool(c.get("required")),
                               bool(c.get("not_null")), codes,
                               _bound(where, c, "min", bounds or {}), _bound(where, c, "max", bounds or {}),
                               bool(c.get("blank_allowed"))))
        contract = Contract(
            source=doc["source"], title=doc.get("title", doc["source"]), department=doc.get("department", ""),
            role=doc["role"], format=doc["format"], encodings=tuple(doc.get("encodings") or ()),
            columns=tuple(cols), subject=dict(doc.get("subject") or {}), key=tuple(doc.get("key") or ()), path=path,
            deliveries=str(doc.get("deliveries", "newest")), header_row=str(doc.get("header_row", "first")),
        )
    except KeyError as e:
        raise ContractError(f"{where}: missing field {e}") from None
    if contract.source != path.stem:
        raise ContractError(f"{where}: source {contract.source!r} must match the file name")
    if contract.format not in FORMATS or contract.role not in ROLES or contract.deliveries not in DELIVERIES \
            or contract.header_row not in HEADER_ROWS:
        raise ContractError(f"{where}: format must be one of {sorted(FORMATS)}, role one of {sorted(ROLES)}, "
                            f"deliveries one of {sorted(DELIVERIES)}, header_row one of {sorted(HEADER_ROWS)}")
    names = [c.name for c in contract.columns]
    if len(set(names)) != len(names):
        raise ContractError(f"{where}: duplicate column names")
    for part, col in contract.subject.items():
        if col not in names:
            raise ContractError(f"{where}: subject.{part} names unknown column {col!r}")
    if contract.role == "department" and not contract.has_record_no:
        raise ContractError(f"{where}: a department source needs a record_no (序号) column")
    return contract


@cache
def load_contracts(schemas_dir: Path = paths.SCHEMAS) -> dict[str, Contract]:
    """All contracts, keyed by source id, in file-name order."""
    common = _load_common(schemas_dir)
    aliases, bounds = common.get("alias_groups", {}), common.get("bounds", {})
    files = sorted(p for p in schemas_dir.glob("*.yaml") if not p.name.startswith("_"))
    return {p.stem: _parse(p, aliases, bounds) for p in files}


def registry_sources() -> tuple[str, ...]:
    """The sources whose contract's role is registry: without them nothing can be linked."""
    return tuple(s for s, c in load_contracts().items() if c.is_registry)


def contract(source: str) -> Contract:
    return load_contracts()[source]
