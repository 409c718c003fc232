"""push_rows frames written in a test (the model's columns exactly: pipelines.publish.rows.PUSH_COLUMNS),
for the writers' tests: a few warnings of a few people in a few counties, generated, never committed."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import polars as pl

from pipelines.publish.rows import PUSH_COLUMNS

from rulezone import make_id

AS_OF = date(2026, 11, 28)
CATEGORY_NAMES = {1: "已纳入救助范围但救助政策落实不到位", 2: "未纳入救助范围但可能符合救助条件",
                  3: "特殊困难现有政策无法覆盖", 4: "可能不再符合救助条件"}
TITLES = {"MED_SUBSIDY": "医疗保险参保资助未落实", "VEHICLE_OWNER": "名下有非豁免机动车",
          "MULTI_HARDSHIP": "多重困难叠加", "STAFF_RELATIVE": "村（社区）干部及经办人员近亲属享受救助",
          "DECEASED": "已死亡注销户籍", "EMPLOYMENT_AID": "登记失业未获就业援助"}
_n = itertools.count(1)


def evidence(source: str, record_no: str | None, **fields) -> dict:
    return {"source": source, "delivery_date": AS_OF.isoformat(), "序号": record_no, "fields": fields}


def row(department: str = "民政厅", rule_code: str = "VEHICLE_OWNER", category: int = 4, county: str = "230102",
        township: str | None = "230102001", village: str | None = "230102001001", status: str = "new",
        pushed: bool | None = None, urgent: bool = False, overdue: bool = False, first_seen: date = AS_OF,
        match: str | None = "exact_id", evidence_records: list[dict] | None = None, followup: str | None = None,
        reply: dict | None = None, name: str | None = None, warning_id: str | None = None,
        address: str | None = None) -> dict:
    n = next(_n)
    number = make_id(county, date(1970 + n % 40, 1 + n % 12, 1 + n % 27), n, "男" if n % 2 else "女")
    reply = reply or {}
    records = evidence_records if evidence_records is not None else [
        evidence("registry_persons", None, 成员编号=f"P{n:09d}", 救助类别="低保"),
        evidence("vehicles", str(n), 车辆类型="小型轿车", 车辆状态="正常")]
    return {
        "department": department, "status": status, "warning_id": warning_id or f"VO-{n:08d}",
        "category": category, "category_name": CATEGORY_NAMES[category], "rule_code": rule_code,
        "rule_title": TITLES.get(rule_code, rule_code), "check_points": f"核查{TITLES.get(rule_code, rule_code)}",
        "county_code": county, "township_code": township, "village_code": village,
        "address": address or f"黑龙江省某市某区某街道某社区{n}号", "name": name or f"测试{chr(0x4E00 + n % 20000)}{n}",
        "id_number": number, "person_id": f"P{n:09d}", "household_id": f"HH{county}{n:07d}",
        "first_seen": first_seen, "last_seen": AS_OF, "deadline": first_seen + timedelta(days=7 if category == 3 or urgent else 15),
        "urgent": urgent, "overdue": overdue, "match": match, "evidence": json.dumps(records, ensure_ascii=False),
        "followup": followup, "followup_date": reply.get("date"), "reply_result": reply.get("result"),
        "reply_action": reply.get("action"), "reply_handler": reply.get("handler"), "reply_note": reply.get("note"),
        "pushed": (status == "new") if pushed is None else pushed,
        "departments_visible": "民政厅" if rule_code == "STAFF_RELATIVE" else None,
    }


def frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=PUSH_COLUMNS)


def sheet_rows(path: Path, sheet: str | int = 0) -> list[tuple]:
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[sheet] if isinstance(sheet, int) else book[sheet]
    return list(ws.iter_rows(values_only=True))


def table(path: Path, sheet: str | int = 0) -> list[dict]:
    """The rows under the header row (found by 预警编号), as dicts by header; group lines
    (only the first cell filled) are left out."""
    rows = sheet_rows(path, sheet)
    at = next(i for i, r in enumerate(rows) if "预警编号" in r)
    header = rows[at]
    return [dict(zip(header, r)) for r in rows[at + 1:] if any(v is not None for v in r[1:])]


def all_text(path: Path) -> str:
    book = openpyxl.load_workbook(path)
    return "\n".join(str(c.value) for ws in book.worksheets for r in ws.iter_rows() for c in r if c.value is not None)
