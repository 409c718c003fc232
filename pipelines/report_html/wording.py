"""The pipeline's English reasons, said in Chinese for the report's readers.

The reasons are written by the models and the ingest code in English (they are logged and
tested that way); the report translates the ones it knows, keeping numbers and names, and
shows any other as it is (masked) rather than hide it.
"""

from __future__ import annotations

import re
from typing import Callable

Sources = Callable[[str], str]   # source id → its Chinese title

REVIEW = [
    (r"^no candidate is clearly the person$", "没有哪位候选人明显就是此人"),
    (r"^another known person \((\d+) in all\) shares the name and birth date$", r"另有已知人员与其同名且出生日期相同（共\1人）"),
    (r"^the identity number is a registry person's but the name is not$", "身份证号属于库中某人，但姓名不同"),
    (r"^the disability card holds a registry person's number but the name differs$", "残疾人证号含库中某人的身份证号，但姓名不同"),
    (r"^the mistyped identity number is one edit away from (\d+) registry persons with that name$",
     r"有误的身份证号与库中\1位同名人员的号码都只差一位"),
    (r"^the number may be a typo of a registry person's or Excel's rounding of another known person's$",
     "号码可能是库中某人号码的笔误，也可能是另一已知人员号码被 Excel 截断"),
    (r"^the household was found by its head's name in the village alone, and another known person of that name "
     r"\((\d+) in all\) was born in the county$",
     r"仅凭户主姓名在村内找到该户，而县内另有同名的已知人员（共\1人）"),
]
IGNORED = [
    (r"^no _SUCCESS marker: not yet complete$", "没有 _SUCCESS 标记：交付尚未完成"),
    (r"^dated after the logical date (\S+)$", r"日期晚于数据日期 \1"),
    (r"^stray file in a delivery folder$", "交付目录中多余的文件"),
    (r"^stray file at the top of the landing zone$", "落地区顶层多余的文件"),
    (r"^unknown source \(no schemas/<source>\.yaml\)$", "未知数据源（没有对应的数据契约）"),
    (r"^not a YYYY-MM-DD delivery folder$", "不是 YYYY-MM-DD 格式的交付目录"),
    (r"^refused: (.*)$", r"已拒绝：\1"),
]
REJECTS = [
    (r"^empty row$", "空行"),
    (r"^序号 is blank$", "序号为空"),
    (r"^序号 is not a whole number$", "序号不是整数"),
    (r"^delivery quarantined: (.*)$", r"整个交付被隔离：\1"),
]
STATES = {"quarantined": "已隔离", "missing": "缺失"}


def _translate(text: str | None, table: list[tuple[str, str]]) -> str:
    text = text or ""
    for pattern, replacement in table:
        if re.match(pattern, text):
            return re.sub(pattern, replacement, text)
    return text


def review_reason(text: str | None) -> str:
    return _translate(text, REVIEW)


def ignored_reason(text: str | None) -> str:
    return _translate(text, IGNORED)


def reject_reason(text: str | None, column_header: Callable[[str], str]) -> str:
    """A reject reason; `<column> is blank` names the column by its Chinese header."""
    m = re.match(r"^(\w+) is blank$", text or "")
    if m and m.group(1) != "序号":
        return f"{column_header(m.group(1))}为空"
    return _translate(text, REJECTS)


def skip_causes(text: str | None) -> list[tuple[str, str]]:
    """(source, missing | quarantined) of each source a skip reason names, in order, once each.

    A reason is `<source> <state>[: <message>]` for each source, joined by '; ' (or `input <model>
    skipped: ` and the same); a message may hold '; ' itself, so the sources are found by name."""
    from pipelines.contracts import load_contracts

    names = "|".join(sorted(map(re.escape, load_contracts()), key=len, reverse=True))
    found = re.findall(rf"(?:^|; )(?:input \w+ skipped: )?({names}) (quarantined|missing)\b", text or "")
    return list(dict.fromkeys(found))


def skip_reason(text: str | None, source_title: Sources) -> str:
    """Why a rule did not run: each source it needs that is missing or quarantined, by title (the
    quarantine's own message is in the table of quarantined sources, said once)."""
    causes = skip_causes(text)
    if not causes:
        return text or ""
    return "；".join(f"{source_title(source)}{STATES[state]}" for source, state in causes)
