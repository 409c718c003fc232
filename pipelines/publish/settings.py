"""config/files.yaml, loaded once and checked: the wording, drop-down values and who-sees-what
rules of the files for people are data (a province changes them without touching code), so a
typo fails the night naming the file and the key instead of writing a wrong workbook."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from pipelines import paths

FILE = "files.yaml"
REPLY_KEYS = ("result", "action", "handler", "date", "note")


class FilesConfigError(ValueError):
    """config/files.yaml cannot be used: names the key and the problem."""


@dataclass(frozen=True)
class FilesConfig:
    province_code: str
    province_name: str
    match_methods: dict[str, str]
    evidence: dict[str, str]
    reply: dict[str, dict]             # result/action/handler/date/note → {header, options?}
    followup_names: dict[str, str]
    status_names: dict[str, str]
    masked_push_lists: frozenset[str]
    visit_followups: tuple[str | None, ...]
    page_break_per_township: bool
    encryption: dict
    charity_columns: dict[str, str]
    charity_min_households: int

    def reply_header(self, key: str) -> str:
        return self.reply[key]["header"]

    @property
    def reply_headers(self) -> list[str]:
        """The feedback contract's reply columns, in their order (核查结果 … 备注)."""
        return [self.reply[k]["header"] for k in REPLY_KEYS]

    def method_name(self, method: str | None) -> str:
        """匹配方式 in Chinese; an unknown method shows its code (a test keeps the map complete)."""
        if method is None:
            return ""
        return self.match_methods.get(method, method)

    def followup_name(self, state: str | None) -> str:
        return self.followup_names.get(state or "none", state or "")


def _need(doc: dict, key: str, kind: type, where: str):
    if key not in doc:
        raise FilesConfigError(f"{where}: missing key {key!r}")
    value = doc[key]
    if not isinstance(value, kind):
        raise FilesConfigError(f"{where}: {key!r} must be a {kind.__name__}")
    return value


def parse(path: Path) -> FilesConfig:
    where = path.name
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    province = _need(doc, "province", dict, where)
    reply = _need(doc, "reply", dict, where)
    for key in REPLY_KEYS:
        entry = _need(reply, key, dict, f"{where}: reply")
        if not isinstance(entry.get("header"), str) or not entry["header"]:
            raise FilesConfigError(f"{where}: reply.{key} needs a header")
        for option in entry.get("options") or []:
            if not isinstance(option, str) or "," in option or len(option) > 50:
                raise FilesConfigError(f"{where}: reply.{key}: option {option!r} cannot be a drop-down value")
    evidence = {str(k): str(v) for k, v in _need(doc, "evidence", dict, where).items()}
    for key in ("record_line", "record_line_no_number", "blank_value", "field_separator"):
        if key not in evidence:
            raise FilesConfigError(f"{where}: evidence.{key} is missing")
    county = _need(doc, "county", dict, where)
    encryption = _need(doc, "encryption", dict, where)
    charity = _need(doc, "charity", dict, where)
    forbidden = {"name", "id_number", "household_id", "person_id", "village_code", "address"} & set(charity.get("columns") or {})
    if forbidden:
        raise FilesConfigError(f"{where}: charity.columns may not include {sorted(forbidden)} (policy 三(六): de-identified)")
    for key in ("enabled", "enabled_env", "secrets_env", "password_env_prefix", "department_keys"):
        if key not in encryption:
            raise FilesConfigError(f"{where}: encryption.{key} is missing")
    for dept, key in encryption["department_keys"].items():
        if not str(key).replace("_", "").isalnum() or not str(key).isascii():
            raise FilesConfigError(f"{where}: encryption.department_keys.{dept}: {key!r} is not an ASCII name")
    return FilesConfig(
        province_code=str(province["code"]), province_name=str(province["name"]),
        match_methods={str(k): str(v) for k, v in _need(doc, "match_methods", dict, where).items()},
        evidence=evidence, reply=reply,
        followup_names={str(k): str(v) for k, v in _need(doc, "followup_names", dict, where).items()},
        status_names={str(k): str(v) for k, v in _need(doc, "status_names", dict, where).items()},
        masked_push_lists=frozenset(doc.get("masked_push_lists") or ()),
        visit_followups=tuple(county.get("visit_followups") or (None,)),
        page_break_per_township=bool(county.get("page_break_per_township", True)),
        encryption=encryption,
        charity_columns={str(k): str(v) for k, v in (charity.get("columns") or {}).items()},
        charity_min_households=int(charity.get("min_households_default", 5)),
    )


@cache
def files_config(path: Path | None = None) -> FilesConfig:
    return parse(Path(path) if path else paths.CONFIG / FILE)
