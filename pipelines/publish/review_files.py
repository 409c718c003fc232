"""The counties' identity lists (issue 13), one workbook per county and night:

    review/<date>/<县级区划代码>_<date>.xlsx     身份核查清单: the records the linker sent to review
    identity/<date>/<县级区划代码>_<date>.xlsx   身份待核实清单: the records an absence rule
                                                 (MONITORING_INTAKE) did not fire on because their
                                                 identity is unresolved

Both from the night's `review_items` (sql/models/review/review_items.sql): per question (a
department record, its 核查编号 the same on every night) a group line, then one row per candidate:
the record's evidence beside the candidate's registry data, and the columns a clerk fills in —
核查结论 (drop-down: 是同一人 / 不是同一人), 核实人, 核实日期, 核实备注. The returned workbook (or a
CSV with those columns) is delivered to the landing zone's review_decisions folder; every row
filled in is checked (review_decision_log) and the latest decision about a record and a person is
honoured on every later night (tie_overrides: 是同一人 links, 不是同一人 forbids the tie).

Who sees what: identity numbers in full only for people of the workbook's own county (the
record's own number when its county is this one, a candidate's when the candidate lives here);
any other county's numbers masked. Workbooks are encrypted with the county's password when
encryption is on (pipelines/publish/encrypt.py), as the county workbooks are.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.masking import mask_id_expr, mask_expr
from pipelines.publish.excel import Column
from pipelines.publish.workers import each

DECISIONS = ("是同一人", "不是同一人")
KINDS = {
    "review": ("身份核查清单", "下列部门记录可能是多名低收入人口成员之一，或与某成员相似但不能确认，未予关联。"),
    "identity": ("身份待核实清单", "下列记录按规则本应预警（未关联到低收入人口），但其身份尚未核实：可能就是下列候选成员之一，"
                 "故暂不预警。"),
}
STATUS_NAMES = {"valid": "有效", "bad_check": "校验位错误", "bad_date": "出生日期无效", "mangled": "被Excel截断",
                "malformed": "格式错误", "blank": "空白"}
WHY_NAMES = {"review": "待人工核查", "fuzzy_candidate": "姓名等信息相近", "namesake_in_county": "本县同名"}
# Why a record is on a list, in words (the linker's reasons, sql/models/linking/, are English).
REASONS = [
    (r"^in review: no candidate is clearly the person$", "比对不确定：没有一名候选能确定是本人"),
    (r"^in review: another known person \((\d+) in all\) shares the name and birth date$",
     "另有同名、同出生日期的人员（共${1}人），无法区分"),
    (r"^in review: the identity number is a registry person's but the name is not$", "身份证号属于低收入人口成员，但姓名不符"),
    (r"^in review: the mistyped identity number is one edit away from (\d+) registry persons with that name$",
     "身份证号有误，与${1}名同名成员的号码只差一位"),
    (r"^in review: the number may be a typo of a registry person's or Excel's rounding of another known person's$",
     "号码可能是某成员号码的笔误，也可能是另一人号码被Excel截断"),
    (r"^in review: the disability card holds a registry person's number but the name differs$",
     "残疾人证号属于低收入人口成员，但姓名不符"),
    (r"^in review: the household was found by its head's name in the village alone, and another known person of "
     r"that name \((\d+) in all\) was born in the county$",
     "仅凭户主姓名和村（社区）找到家庭，本县另有同名人员（共${1}人）"),
    (r"^in review: the household named by its head has (\d+) members whose name fits$",
     "户主所在家庭中有${1}名成员姓名相符"),
    (r"^a registry person of the county has this name.*$", "本县有同名低收入人口成员，记录无有效身份证号和出生日期，无法区分"),
    (r"^a registry person could be this record.*$", "有低收入人口成员与本记录相近，可能是同一人"),
]


def reason_text(why: pl.Expr) -> pl.Expr:
    """The linker's reason in Chinese (an unknown one as it is)."""
    out = why
    for pattern, text in REASONS:
        out = out.str.replace(pattern, text)
    return out


def file_name(county_code: str, as_of: date) -> str:
    return f"{re.sub(r'[^0-9A-Za-z]', '-', county_code)}_{as_of.isoformat()}.xlsx"


def columns(kind: str) -> list[Column]:
    rule = [Column("rule_title", "暂缓的预警", 16, "wrap")] if kind == "identity" else []
    return [
        Column("review_id", "核查编号", 14), *rule,
        Column("source_title", "来源部门", 16, "wrap"), Column("record_no", "记录序号", 8),
        Column("name", "记录姓名", 9), Column("typed_number", "记录身份证号", 20),
        Column("number_status", "号码状态", 10), Column("birth_date", "记录出生日期", 11, "date"),
        Column("record_place", "记录区划", 14, "wrap"), Column("head", "记录户主", 16, "wrap"),
        Column("candidate_rank", "候选", 5, "int"), Column("person_id", "候选成员编号", 12),
        Column("candidate_name", "候选姓名", 9), Column("candidate_id_number", "候选身份证号", 20),
        Column("candidate_sex", "性别", 5), Column("candidate_birth_date", "出生日期", 11, "date"),
        Column("candidate_relation", "与户主关系", 8), Column("candidate_household_id", "家庭编号", 17),
        Column("candidate_head_name", "户主姓名", 9), Column("candidate_place", "家庭住址", 24, "wrap"),
        Column("candidate_household", "家庭状态", 12, "wrap"), Column("candidate_match", "比对情况", 12, "wrap"),
        Column("decision", "核查结论", 12, options=DECISIONS, entry=True),
        Column("decided_by", "核实人", 10, entry=True), Column("decided_on", "核实日期", 11, "date", entry=True),
        Column("note", "核实备注", 16, "wrap", entry=True),
    ]


def _source_titles() -> dict[str, str]:
    from pipelines.contracts import load_contracts

    return {s: f"{c.department} {c.title.removeprefix(c.department).strip()}".strip()
            for s, c in load_contracts().items()}


def prepared(items: pl.DataFrame, county: str, names: dict[str, dict[str, str]], rule_titles: dict[str, str]
             ) -> pl.DataFrame:
    """One county's rows, ready to write: numbers masked unless the person is of this county,
    places and statuses in words."""
    villages, counties = names.get("village", {}), names.get("county", {})

    def place(code: pl.Expr) -> pl.Expr:
        village = code.replace_strict(list(villages), list(villages.values()), default=None, return_dtype=pl.String)
        county_name = code.str.slice(0, 6).replace_strict(list(counties), list(counties.values()), default=None,
                                                          return_dtype=pl.String)
        return pl.concat_str([pl.coalesce(county_name, pl.lit("")), pl.coalesce(village, pl.lit("")),
                              pl.lit("（"), code, pl.lit("）")]).fill_null(pl.lit(None, pl.String))

    own_record = pl.col("record_county_code") == county
    own_candidate = pl.col("candidate_county_code") == county
    titles = _source_titles()
    out = items.with_columns(
        why=reason_text(pl.col("why")),
        source_title=pl.col("source").replace_strict(list(titles), list(titles.values()), default=pl.col("source")),
        rule_title=pl.col("rule_code").replace_strict(list(rule_titles), list(rule_titles.values()),
                                                      default=pl.col("rule_code")),
        typed_number=pl.when(own_record.fill_null(False)).then(pl.col("typed_number"))
        .otherwise(mask_expr(pl.col("typed_number"))),
        number_status=pl.col("id_status").replace_strict(list(STATUS_NAMES), list(STATUS_NAMES.values()),
                                                         default=pl.col("id_status")),
        record_place=place(pl.col("village")),
        head=pl.when(pl.col("head_name").is_not_null()).then(pl.concat_str([
            pl.col("head_name"), pl.lit(" "),
            pl.when(own_record.fill_null(False)).then(pl.col("head_id18")).otherwise(mask_id_expr(pl.col("head_id18")))
            .fill_null("（号码无法识别）")])),
        candidate_id_number=pl.when(own_candidate.fill_null(False)).then(pl.col("candidate_id_number"))
        .otherwise(mask_id_expr(pl.col("candidate_id_number"))),
        candidate_place=pl.concat_str([place(pl.col("candidate_division_code")), pl.lit(" "),
                                       pl.coalesce(pl.col("candidate_address"), pl.lit(""))]),
        candidate_household=pl.concat_str([pl.col("candidate_household_status"), pl.lit(" "),
                                           pl.col("candidate_category")], ignore_nulls=True),
        candidate_match=pl.concat_str([
            pl.col("candidate_why").replace_strict(list(WHY_NAMES), list(WHY_NAMES.values()),
                                                   default=pl.col("candidate_why")),
            pl.when(pl.col("score").is_not_null()).then(pl.format("，概率{}", pl.col("score").round(3)))],
            ignore_nulls=True),
    )
    return out.sort("source", pl.col("record_no").cast(pl.Int64, strict=False), "record_no", "rule_code",
                    "candidate_rank", nulls_last=True)


def write_county_list(path: Path, kind: str, county: str, county_name: str, rows: pl.DataFrame, as_of: date,
                      protection=None) -> None:
    from pipelines.publish.encrypt import protected_book

    title, intro = KINDS[kind]
    book = protected_book(path, "county", county, protection)
    try:
        sheet = book.sheet(title, columns(kind))
        questions = rows.select("review_id", "rule_code").unique().height
        sheet.title(f"{county_name}（{county}）{title}（{as_of.isoformat()}）")
        sheet.title(f"{intro}共 {questions} 项待核实。请逐行核实：记录与该候选成员是同一人的选“是同一人”，不是的选“不是同一人”，"
                    "并填写核实人和核实日期，将本表（或含 核查编号、候选成员编号、核查结论、核实人、核实日期 的表格）"
                    "报送至 review_decisions；核实结论在之后每晚的比对中生效，可用新的结论更正。"
                    "本县（市、区）人员的身份证号完整显示，其他地区人员已脱敏，仅限身份核实使用。", "subtitle")
        sheet.header()
        for (review_id, rule_title), question in rows.group_by(["review_id", "rule_title"], maintain_order=True):
            first = question.row(0, named=True)
            line = (f"{review_id}　{first['source_title']} {first['delivery_date']} 第{first['record_no']}行　"
                    f"{first['name'] or ''}　原因：{first['why'] or ''}")
            if kind == "identity":
                line += f"　（暂缓：{rule_title}）"
            sheet.group(line, 2)
            for values in question.iter_rows(named=True):
                sheet.record(values, level=1)
        sheet.finish(autofilter=False)
    finally:
        book.close()


def write_lists(engine, pending: Path, as_of: date, kind: str, protection=None) -> list[str]:
    """Every county's list of one kind from tonight's review_items; returns the file names. The
    night's folder is made even when empty, so a rerun replaces an earlier one whole."""
    from pipelines.fileperms import secure_dir
    from pipelines.publish.files import place_names

    folder = pending / kind / as_of.isoformat()
    secure_dir(folder)
    if not engine.exists("review_items"):
        return []
    items = engine.frame("SELECT * FROM review_items WHERE kind = $k", {"k": kind})
    if items.is_empty():
        return []
    names = place_names(engine)
    titles = dict(engine.rows("SELECT rule_code, title FROM rule_catalogue"))
    counties = sorted(items["county_code"].unique().to_list())
    calls = [(folder / file_name(county, as_of), kind, county, names.get("county", {}).get(county, county),
              prepared(items.filter(pl.col("county_code") == county), county, names, titles), as_of, protection)
             for county in counties]
    each(write_county_list, calls, [c[4].height for c in calls])   # side by side (pipelines/publish/workers.py)
    return [file_name(county, as_of) for county in counties]


def _protection():
    from pipelines.publish.encrypt import Protection

    return Protection()


def write_review_lists(engine, pending: Path, as_of: date, summary) -> None:
    """WRITERS entry: review/<date>/<county>_<date>.xlsx."""
    write_lists(engine, pending, as_of, "review", _protection())


def write_identity_lists(engine, pending: Path, as_of: date, summary) -> None:
    """WRITERS entry: identity/<date>/<county>_<date>.xlsx (身份待核实)."""
    write_lists(engine, pending, as_of, "identity", _protection())
