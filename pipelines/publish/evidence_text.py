"""预警依据 in words a clerk reads: one line per evidence record,
"医保局 2026-11-28 第37行: 参保资助类型=无" — the department (from the source's contract),
the delivery date, the record's 序号, then its fields. The line layout is config/files.yaml
(evidence). Values that are lists or objects are shown as compact JSON; a missing value as （空）.

Evidence is the warnings' JSON text (a list of {source, delivery_date, 序号, fields}); text that
is not such JSON (an older night's rendered evidence) is shown as it is.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache

from pipelines.publish.settings import FilesConfig, files_config


@cache
def source_labels() -> dict[str, str]:
    """source id → its department, or its title where two sources share the department."""
    from pipelines.contracts import load_contracts

    contracts = load_contracts()
    shared = Counter(c.department for c in contracts.values())
    return {s: (c.title if shared[c.department] > 1 else c.department) for s, c in contracts.items()}


def _value(v, blank: str) -> str:
    if v is None or v == "":
        return blank
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def record_line(record: dict, cfg: FilesConfig | None = None) -> str:
    """One evidence record as a line."""
    cfg = cfg or files_config()
    ev = cfg.evidence
    source = str(record.get("source") or "")
    fields = record.get("fields")
    if isinstance(fields, dict):
        parts = [f"{k}={_value(v, ev['blank_value'])}" for k, v in fields.items()]
    elif fields is None:
        parts = []
    else:
        parts = [_value(fields, ev["blank_value"])]
    number = record.get("序号", record.get("record_no"))
    template = ev["record_line"] if number not in (None, "") else ev["record_line_no_number"]
    line = template.format(source_label=source_labels().get(source, source),
                           delivery_date=record.get("delivery_date") or "", record_no=number,
                           fields=ev["field_separator"].join(parts))
    return line if parts else line.rstrip().rstrip(":：").rstrip()


def evidence_lines(evidence: str | None, cfg: FilesConfig | None = None) -> str:
    """The whole evidence of a warning, one line per record ('' for none)."""
    if evidence is None or evidence == "":
        return ""
    try:
        records = json.loads(evidence)
    except (TypeError, ValueError):
        return str(evidence)
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list):
        return str(evidence)
    return "\n".join(record_line(r, cfg) if isinstance(r, dict) else str(r) for r in records)
