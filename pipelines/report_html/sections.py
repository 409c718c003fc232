"""From the night's counts (data.NightFacts) to the report's sections: headings, short texts,
charts and tables, all in Chinese. The page (page.py) only lays them out.

A section whose data does not exist yet (no feedback loop, no review decisions, no division
names) says so in one sentence instead of showing an empty chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from pipelines.report_html import charts, wording
from pipelines.report_html.data import NightFacts

STEP_NAMES = {"discover": "发现交付", "stage": "读取、规范与校验（暂存）", "load": "登记交付", "link": "关联",
              "rules": "预警规则", "validate_outputs": "输出校验", "publish": "发布"}
SOURCE_STATES = {"loaded": "已加载", "quarantined": "已隔离", "missing": "缺失"}
SEVERITY = {"critical": "严重", "warning": "警告"}
ACTIONS = {"quarantined": "已隔离该交付", "stopped": "停止发布", "reported": "已报告"}
RULE_STATES = {"evaluated": "已执行", "skipped": "未执行"}
REVIEW = "待人工复核"
TOP_COUNTIES = 15
TOP_ROWS = 30


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    numeric: set[int] = field(default_factory=set)   # right-aligned columns
    caption: str = ""
    collapsed: bool = False                          # long tables fold under a summary line


@dataclass
class Chart:
    title: str
    spec: dict


@dataclass
class Block:
    kind: str                      # chart | table | pair (a chart beside its table) | note | kpis | empty
    chart: Chart | None = None
    table: Table | None = None
    text: str = ""
    kpis: list[tuple[str, str, str]] = field(default_factory=list)   # (label, value, hint)
    chart_id: str = ""             # set by the page
    spec_json: str = ""


@dataclass
class Section:
    id: str
    title: str
    intro: str
    blocks: list[Block]


@dataclass
class Labels:
    """Chinese names for codes (config/rule_catalogue.yaml, config/files.yaml, the contracts)."""
    categories: dict[int, str]
    statuses: dict[str, str]
    methods: dict[str, str]
    followups: dict[str, str]
    sources: dict[str, str]
    columns: dict[tuple[str, str], str]     # (source, column) → the contract's Chinese header

    @classmethod
    def load(cls) -> "Labels":
        from pipelines.contracts import load_contracts
        from pipelines.publish.settings import files_config
        from pipelines.rules.catalogue import load_catalogue

        cfg = files_config()
        contracts = load_contracts()
        return cls(
            categories={k: f"{k}类 {v}" for k, v in load_catalogue().category_names.items()},
            statuses=dict(cfg.status_names), methods=dict(cfg.match_methods), followups=dict(cfg.followup_names),
            sources={s: c.title for s, c in contracts.items()},
            columns={(s, col.name): (col.headers[0] if col.headers else col.name)
                     for s, c in contracts.items() for col in c.columns})

    def category(self, k) -> str:
        return self.categories.get(int(k), f"{k}类") if k is not None else "（未知）"

    def source(self, s: str) -> str:
        return self.sources.get(s, s)

    def method(self, m: str | None) -> str:
        return self.methods.get(m, m) if m else "（无）"


def _n(v) -> str:
    return f"{int(v or 0):,}"


def _pivot(frame: pl.DataFrame, key: str, kinds: list[str], kind: str = "status") -> pl.DataFrame:
    """key × kinds → counts (0 where none), with `total` of all kinds."""
    if frame.is_empty():
        return pl.DataFrame(schema={key: frame.schema.get(key, pl.String), **{k: pl.Int64 for k in kinds},
                                    "total": pl.Int64})
    wide = frame.group_by(key, kind).agg(pl.col("n").sum()).pivot(on=kind, index=key, values="n")
    for k in kinds:
        if k not in wide.columns:
            wide = wide.with_columns(pl.lit(0, pl.Int64).alias(k))
    wide = wide.select(key, *[pl.col(k).fill_null(0).cast(pl.Int64) for k in kinds])
    return wide.with_columns(total=pl.sum_horizontal(kinds)).sort("total", key, descending=[True, False],
                                                                  nulls_last=True)


def _status_frame(frame: pl.DataFrame, key: str, label, labels: Labels) -> pl.DataFrame:
    """(label, status in Chinese, n, kind_order) for a stacked chart by status."""
    order = {s: i for i, s in enumerate(("new", "open", "resolved"))}
    grouped = frame.group_by(key, "status").agg(pl.col("n").sum())
    return pl.DataFrame({
        "label": [label(k) for k in grouped[key].to_list()],
        "status": [labels.statuses.get(s, s) for s in grouped["status"].to_list()],
        "n": grouped["n"].to_list(),
        "kind_order": [order.get(s, 9) for s in grouped["status"].to_list()],
    }, schema={"label": pl.String, "status": pl.String, "n": pl.Int64, "kind_order": pl.Int64})


def _chart(title: str, spec: dict | None, empty: str) -> Block:
    if spec is None:
        return Block("empty", text=empty)
    return Block("chart", chart=Chart(title, spec))


def _pair(chart: Block, table: Table) -> Block:
    """A chart with its numbers beside it (the table alone when there is nothing to draw)."""
    if chart.kind != "chart":
        return Block("table", table=table)
    return Block("pair", chart=chart.chart, table=table)


def _status_table(wide: pl.DataFrame, key: str, first: str, label, labels: Labels, caption: str = "",
                  extra: list[tuple[str, str]] | None = None, collapsed: bool = False) -> Table:
    names = [labels.statuses.get(s, s) for s in ("new", "open", "resolved")]
    headers = [first, *names, "当前合计"] + [h for _, h in extra or []]
    rows = []
    for r in wide.iter_rows(named=True):
        rows.append([label(r[key]), _n(r["new"]), _n(r["open"]), _n(r["resolved"]), _n(r["new"] + r["open"]),
                     *[_n(r.get(c)) for c, _ in extra or []]])
    return Table(headers, rows, numeric=set(range(1, len(headers))), caption=caption, collapsed=collapsed)


# --------------------------------------------------------------------------- sections
def overview(f: NightFacts, labels: Labels) -> Section:
    w = f.warnings
    by = {s: int(w.filter(pl.col("status") == s)["n"].sum()) for s in ("new", "open", "resolved")}
    src = f.sources
    states = {s: int((src["status"] == s).sum()) for s in SOURCE_STATES}
    evaluated = int((f.rules["status"] == "evaluated").sum())
    kpis = [("当前预警", _n(by["new"] + by["open"]), f"新增 {_n(by['new'])}，持续 {_n(by['open'])}"),
            ("今日解除", _n(by["resolved"]), "上一次执行该规则时存在、今晚不再出现")]
    if "urgent" in f.columns:
        urgent = int(f.current().filter(pl.col("urgent").fill_null(False))["n"].sum())
        kpis.append(("急难", _n(urgent), "当前预警中标为急难的"))
    if "overdue" in f.columns:
        overdue = int(f.warnings.filter(pl.col("overdue").fill_null(False))["n"].sum())
        kpis.append(("逾期未反馈", _n(overdue), "超过处置时限且无反馈"))
    kpis += [("数据源", f"{states['loaded']} / {src.height}",
              f"已加载；隔离 {states['quarantined']}，缺失 {states['missing']}"),
             ("预警规则", f"{evaluated} / {f.rules.height}", "已执行；其余因数据源缺失或隔离未执行")]
    intro = (f"{f.as_of.isoformat()} 夜间运行的结果。本报告只含统计数字，不含姓名、身份证号或家庭编号；"
             "明细见各部门推送清单与县级工作簿。")
    return Section("overview", "概览", intro, [Block("kpis", kpis=kpis)])


def warnings_section(f: NightFacts, labels: Labels) -> Section:
    w = f.warnings
    county = lambda c: (f"{f.county_names[c]}（{c}）" if c in f.county_names else (c or "（未知）"))  # noqa: E731
    blocks = []
    by_cat = _pivot(w, "category", list(("new", "open", "resolved"))).sort("category")
    blocks.append(_pair(_chart("按处置类别", charts.stacked_bars(
        _status_frame(w, "category", labels.category, labels), "label", "处置类别",
        order=charts.STATUS_ORDER, colors=charts.STATUS_COLORS), "今晚没有预警。"),
        _status_table(by_cat, "category", "处置类别", labels.category, labels)))
    by_dep = _pivot(w, "department", ["new", "open", "resolved"])
    blocks.append(_pair(_chart("按责任部门", charts.stacked_bars(
        _status_frame(w, "department", str, labels), "label", "责任部门",
        order=charts.STATUS_ORDER, colors=charts.STATUS_COLORS), "今晚没有预警。"),
        _status_table(by_dep, "department", "责任部门", str, labels)))
    by_county = _pivot(w, "county_code", ["new", "open", "resolved"])
    extra = []
    if "urgent" in f.columns:
        urgent = f.current().filter(pl.col("urgent").fill_null(False)).group_by("county_code").agg(urgent=pl.col("n").sum())
        by_county = by_county.join(urgent, on="county_code", how="left")
        extra.append(("urgent", "急难"))
    if "overdue" in f.columns:
        overdue = w.filter(pl.col("overdue").fill_null(False)).group_by("county_code").agg(overdue=pl.col("n").sum())
        by_county = by_county.join(overdue, on="county_code", how="left")
        extra.append(("overdue", "逾期"))
    top = by_county.filter((pl.col("new") + pl.col("open")) > 0).sort(
        pl.col("new") + pl.col("open"), "county_code", descending=[True, False]).head(TOP_COUNTIES)
    top_frame = _status_frame(w.filter(pl.col("county_code").is_in(top["county_code"].to_list())
                                       & (pl.col("status") != "resolved")), "county_code", county, labels)
    title = f"当前预警最多的{min(TOP_COUNTIES, top.height)}个县（市、区）"
    blocks.append(_chart(title, charts.stacked_bars(top_frame, "label", "县（市、区）", order=charts.STATUS_ORDER[:2],
                                                    colors=charts.STATUS_COLORS[:2]), "今晚没有当前预警。"))
    note = "" if f.divisions_known else "（区划名称表尚未生成，县以代码显示）"
    blocks.append(Block("table", table=_status_table(by_county, "county_code", "县（市、区）", county, labels,
                                                     caption=f"全部 {by_county.height} 个有预警的县（市、区）{note}",
                                                     extra=extra, collapsed=by_county.height > TOP_COUNTIES)))
    titles = dict(f.rules.select("rule_code", "title").iter_rows())
    by_rule = _pivot(w, "rule_code", ["new", "open", "resolved"])
    blocks.append(Block("table", table=_status_table(
        by_rule, "rule_code", "预警规则", lambda c: f"{titles.get(c, c)}（{c}）", labels,
        caption=f"按预警规则（{by_rule.height} 条规则有预警）", collapsed=by_rule.height > 8)))
    intro = ("新增：今晚第一次发现；持续：此前已发现、今晚仍然存在；已解除：上一次执行该规则时存在、今晚不再出现。"
             "当前合计 = 新增 + 持续。")
    return Section("warnings", "预警分布", intro, blocks)


def trends_section(f: NightFacts, labels: Labels) -> Section:
    t = f.trend.with_columns(night=pl.col("as_of").cast(pl.String))
    nights = t["night"].n_unique()
    current = t.filter(pl.col("status") != "resolved")
    cat = current.group_by("night", "category").agg(pl.col("n").sum()).sort("night", "category")
    cat = cat.with_columns(series=pl.col("category").map_elements(labels.category, return_dtype=pl.String))
    order = [labels.category(k) for k in sorted(labels.categories)]
    blocks = []
    if nights <= 1:
        blocks.append(Block("note", text="目前只有今晚一晚的数据，趋势从下一晚起逐渐显示。"))
    blocks.append(_chart("当前预警数（按处置类别）", charts.lines_by_night(cat.select("night", "series", "n"), "series",
                                                             "处置类别", "当前预警数", order), "没有历史数据。"))
    flow = t.filter(pl.col("status").is_in(["new", "resolved"])).group_by("night", "status").agg(pl.col("n").sum())
    flow = flow.with_columns(kind=pl.col("status").replace_strict(labels.statuses, default=pl.col("status")))
    blocks.append(_chart("每晚新增与解除", charts.lines_by_night(
        flow.select("night", "kind", "n").sort("night"), "kind", "状态", "预警数",
        order=[labels.statuses["new"], labels.statuses["resolved"]],
        colors=[charts.STATUS_COLORS[0], charts.STATUS_COLORS[2]]), "没有历史数据。"))
    dep = current.group_by("night", "department").agg(pl.col("n").sum()).rename({"department": "series"})
    blocks.append(_chart("当前预警数（按责任部门）", charts.lines_by_night(dep.select("night", "series", "n").sort("night"),
                                                             "series", "责任部门", "当前预警数"), "没有历史数据。"))
    first = t["as_of"].min()
    intro = (f"{first.isoformat() if first else ''} 至 {f.as_of.isoformat()} 共 {nights} 晚"
             "（每个已发布的夜晚一个点；补跑较早日期时只显示该日期及以前）。")
    return Section("trends", "趋势", intro, blocks)


def followup_section(f: NightFacts, labels: Labels) -> Section:
    if not f.has_followup:
        return Section("followup", "跟进处置", "", [Block("note", text=(
            "暂无数据：尚未接入部门反馈（核查结果、办结日期），跟进状态和逾期情况从接入之后的夜晚开始显示。"))])
    w = f.current()
    states = [k for k in labels.followups if k != "none"]
    frame = w.with_columns(state=pl.col("followup").fill_null("none"))
    names = [labels.followups.get(s, s) for s in ["none", *states]]
    by_dep = frame.group_by("department", "state").agg(pl.col("n").sum()).with_columns(
        kind=pl.col("state").replace_strict(labels.followups, default=pl.col("state")))
    blocks = []
    replied = int(frame.filter(pl.col("state") != "none")["n"].sum())
    overdue = int(f.warnings.filter(pl.col("overdue").fill_null(False))["n"].sum())
    blocks.append(Block("kpis", kpis=[("已反馈", _n(replied), f"当前预警 {_n(w['n'].sum())} 条中"),
                                      ("逾期未反馈", _n(overdue), "超过处置时限且无反馈")]))
    blocks.append(_chart("各部门反馈情况（当前预警）", charts.stacked_bars(
        by_dep.select(pl.col("department").alias("label"), "kind", "n"), "label", "责任部门", kind="kind",
        kind_title="跟进状态", order=names), "没有当前预警。"))
    wide = _pivot(by_dep.rename({"kind": "k"}), "department", names, kind="k")
    od = f.warnings.filter(pl.col("overdue").fill_null(False)).group_by("department").agg(overdue=pl.col("n").sum())
    wide = wide.join(od, on="department", how="left").with_columns(pl.col("overdue").fill_null(0))
    rows = [[r["department"], *[_n(r[k]) for k in names], _n(r["total"]), _n(r["overdue"])]
            for r in wide.iter_rows(named=True)]
    blocks.append(Block("table", table=Table(["责任部门", *names, "当前合计", "逾期"], rows,
                                             numeric=set(range(1, len(names) + 3)))))
    if "overdue" in f.trend.columns:
        od_trend = f.trend.group_by("as_of").agg(pl.col("overdue").sum().alias("n")).with_columns(
            night=pl.col("as_of").cast(pl.String), series=pl.lit("逾期未反馈")).sort("night")
        blocks.append(_chart("逾期未反馈（每晚）", charts.lines_by_night(od_trend.select("night", "series", "n"),
                                                                 "series", "", "预警数"), "没有历史数据。"))
    if f.replies is not None:
        blocks.append(_replies(f))
        if f.reply_rejects is not None and not f.reply_rejects.is_empty():
            blocks.append(Block("table", table=Table(
                ["退回的反馈行：原因", "行数"], [[r or "", _n(n)] for r, n in f.reply_rejects.iter_rows()], numeric={1},
                caption="这些反馈行没有被采用，请相关部门更正后重新报送")))
    if "resolved_reason" in f.columns:
        res = f.warnings.filter(pl.col("status") == "resolved").group_by("resolved_reason").agg(pl.col("n").sum())
        rows = [[r or "（未说明）", _n(n)] for r, n in res.sort(["n", "resolved_reason"], descending=[True, False], nulls_last=True).iter_rows()]
        blocks.append(Block("table", table=Table(["解除原因", "今晚解除"], rows, numeric={1}, caption="今晚解除的预警为何解除"))
                      if rows else Block("note", text="今晚没有解除的预警。"))
    return Section("followup", "跟进处置", "各部门对推送预警的反馈（核查结果与办结日期）与逾期情况。", blocks)


OUTCOMES = {"accepted": "已采用", "rejected": "退回", "empty": "未填写"}
DECISIONS = {"confirm": "是同一人", "refuse": "不是同一人"}
REVIEW_KINDS = {"review": "待人工复核（关联不确定）", "identity": "身份待核实（规则因身份不明暂缓）"}


def _replies(f: NightFacts) -> Block:
    """Reply rows of the departments' returned lists, by department and outcome."""
    if f.replies.is_empty():
        return Block("note", text="还没有收到任何部门的反馈文件。")
    kinds = list(OUTCOMES)
    wide = _pivot(f.replies, "department", kinds, kind="outcome")
    rows = [[r["department"], *[_n(r[k]) for k in kinds], _n(r["total"])] for r in wide.iter_rows(named=True)]
    return Block("table", table=Table(["部门", *[OUTCOMES[k] for k in kinds], "合计"], rows,
                                      numeric=set(range(1, len(kinds) + 2)),
                                      caption="各部门报送的反馈行（今晚及以前的全部反馈文件）"))


def _review_backlog(f: NightFacts) -> list[Block]:
    """What the counties are asked to check (issue 13) and what they decided."""
    blocks = []
    if f.review_backlog is None:
        blocks.append(Block("note", text="人工复核清单：暂无数据（县级复核清单尚未生成）。"))
    elif f.review_backlog.is_empty():
        blocks.append(Block("note", text="今晚没有需要县级人工复核或身份待核实的记录。"))
    else:
        by_kind = f.review_backlog.group_by("kind").agg(pl.col("n").sum()).sort("kind")
        blocks.append(Block("table", table=Table(
            ["待县级核实", "问题数"], [[REVIEW_KINDS.get(k, k), _n(n)] for k, n in by_kind.iter_rows()], numeric={1},
            caption="今晚发给各县的核实问题（同一记录每晚同一核查编号）")))
        county = f.review_backlog.group_by("county_code").agg(pl.col("n").sum()).sort(
            ["n", "county_code"], descending=[True, False], nulls_last=True)
        name = lambda c: f"{f.county_names[c]}（{c}）" if c in f.county_names else (c or "（未知）")  # noqa: E731
        blocks.append(Block("table", table=Table(
            ["县（市、区）", "问题数"], [[name(c), _n(n)] for c, n in county.iter_rows()], numeric={1},
            caption=f"按县（{county.height} 个县有待核实问题）", collapsed=county.height > TOP_COUNTIES)))
    if f.review_decisions is None:
        blocks.append(Block("note", text="人工复核决定：暂无数据（复核结果尚未接入）。"))
    elif f.review_decisions.is_empty():
        blocks.append(Block("note", text="还没有收到县级复核决定。"))
    else:
        rows = [[OUTCOMES.get(st, st), DECISIONS.get(d, d or "—"), _n(n)] for st, d, n in f.review_decisions.iter_rows()]
        blocks.append(Block("table", table=Table(["复核决定", "结论", "行数"], rows, numeric={2},
                                                 caption="县级报送的复核决定（今晚及以前）")))
    if f.tie_decisions is not None and not f.tie_decisions.is_empty():
        rows = [[DECISIONS.get(d, d), o or "", _n(n)] for d, o, n in f.tie_decisions.iter_rows()]
        blocks.append(Block("table", table=Table(["今晚生效的人工决定", "来源", "记录数"], rows, numeric={2})))
    return blocks


def linking_section(f: NightFacts, labels: Labels) -> Section:
    links, review = f.links, f.review
    loaded = {r["source"]: r["rows_loaded"] for r in f.sources.iter_rows(named=True)}
    methods = sorted(set(links["method"].to_list()), key=lambda m: list(labels.methods).index(m)
                     if m in labels.methods else 99)
    names = [labels.method(m) for m in methods] + [REVIEW]
    per = pl.concat([
        links.select(pl.col("source"), pl.col("method").map_elements(labels.method, return_dtype=pl.String).alias("kind"),
                     pl.col("n")),
        review.group_by("source").agg(pl.col("n").sum()).select("source", pl.lit(REVIEW).alias("kind"), "n"),
    ], how="vertical_relaxed")
    blocks = []
    blocks.append(_chart("各数据源记录的关联方式", charts.stacked_bars(
        per.with_columns(label=pl.col("source").map_elements(labels.source, return_dtype=pl.String)), "label",
        "数据源", value_title="记录数", kind="kind", kind_title="关联方式", order=names), "今晚没有关联任何记录。"))
    wide = _pivot(per, "source", names, kind="kind")
    rows = []
    for r in wide.iter_rows(named=True):
        linked = r["total"] - r[REVIEW]
        base = loaded.get(r["source"]) or 0
        share = f"{linked / base:.1%}" if base else "—"
        rows.append([labels.source(r["source"]), *[_n(r[k]) for k in names], _n(base), share])
    blocks.append(Block("table", table=Table(
        ["数据源", *names, "已加载记录", "关联比例"], rows, numeric=set(range(1, len(names) + 3)),
        caption="关联比例 = 已关联记录 / 已加载记录（部门数据中多数人本不在低收入人口库，比例低不代表质量差）；"
                "待人工复核的记录不关联，也不产生预警")))
    if not review.is_empty():
        reasons = review.group_by("reason").agg(pl.col("n").sum()).sort(["n", "reason"], descending=[True, False],
                                                                         nulls_last=True)
        blocks.append(Block("table", table=Table(["待复核原因", "记录数"],
                                                 [[wording.review_reason(r), _n(n)] for r, n in reasons.iter_rows()],
                                                 numeric={1}, caption="为何不自动关联（精确优先：错误的关联可能停掉一户的救助）")))
    trend = f.linking_trend.with_columns(night=pl.col("as_of").cast(pl.String))
    for table, title, series, color in (("review", "每晚待人工复核记录", REVIEW, "#e45756"),
                                        ("links", "每晚已关联记录", "已关联", "#4c78a8")):
        part = trend.filter(pl.col("table") == table).select("night", pl.lit(series).alias("series"), "n")
        blocks.append(_chart(title, charts.lines_by_night(part, "series", "", "记录数", [series], [color]),
                             "没有历史数据。"))
    if "match" in f.columns:
        m = f.current().group_by("match").agg(pl.col("n").sum()).sort(["n", "match"], descending=[True, False],
                                                                         nulls_last=True)
        blocks.append(Block("table", table=Table(["预警依据的最弱关联", "当前预警"],
                                                 [[labels.method(k), _n(n)] for k, n in m.iter_rows()], numeric={1})))
    blocks += _review_backlog(f)
    intro = "部门记录如何与低收入人口库中的人对应：按身份证号、纠错、残疾人证号或姓名与出生日期模型；不确定的送人工复核。"
    return Section("linking", "关联质量", intro, blocks)


def quality_section(f: NightFacts, labels: Labels) -> Section:
    s = f.sources
    rows = []
    for r in s.iter_rows(named=True):
        rows.append([labels.source(r["source"]), r["source"], r["delivery_date"].isoformat() if r["delivery_date"] else "—",
                     SOURCE_STATES.get(r["status"], r["status"]), _n(r["rows_read"]), _n(r["rows_loaded"]),
                     _n(r["rows_rejected"]), _n(r["value_issues"]),
                     f"{r['staged_seconds']:.1f}" if r["staged_seconds"] is not None else "—"])
    blocks = [Block("table", table=Table(["数据源", "代码", "交付日期", "状态", "读取行", "加载行", "拒收行", "值问题", "暂存秒数"],
                                         rows, numeric={4, 5, 6, 7, 8}))]
    bad = s.filter(pl.col("status") != "loaded")
    if bad.is_empty():
        blocks.append(Block("note", text="今晚没有被隔离或缺失的数据源。"))
    else:
        blocks.append(Block("table", table=Table(
            ["数据源", "状态", "原因"],
            [[labels.source(r["source"]), SOURCE_STATES.get(r["status"], r["status"]),
              r["message"] or ("没有在该日期或以前的完整交付" if r["status"] == "missing" else "")]
             for r in bad.iter_rows(named=True)], caption="被隔离的交付整体不用（其余数据源照常），缺失的数据源没有可用交付")))
    counts = pl.concat([
        s.select(pl.col("source"), pl.lit("拒收行").alias("kind"), pl.col("rows_rejected").fill_null(0).alias("n")),
        s.select(pl.col("source"), pl.lit("值问题").alias("kind"), pl.col("value_issues").fill_null(0).alias("n")),
    ]).with_columns(label=pl.col("source").map_elements(labels.source, return_dtype=pl.String))
    blocks.append(_chart("拒收行与值问题（按数据源）", charts.stacked_bars(
        counts, "label", "数据源", value_title="行数", kind="kind", kind_title="", order=["拒收行", "值问题"],
        colors=["#d62728", "#bcbd22"]), "今晚没有拒收行，也没有值问题。"))
    if not f.rejects.is_empty():
        blocks.append(Block("table", table=Table(
            ["数据源", "拒收原因", "行数"],
            [[labels.source(a), wording.reject_reason(b, lambda c, a=a: labels.columns.get((a, c), c)), _n(n)]
             for a, b, n in f.rejects.head(TOP_ROWS).iter_rows()], numeric={2},
            caption="整行不加载的原因")))
    if not f.issues.is_empty():
        blocks.append(Block("table", table=Table(
            ["数据源", "字段", "问题", "行数"],
            [[labels.source(a), labels.columns.get((a, b), b), c, _n(n)] for a, b, c, n in f.issues.head(TOP_ROWS).iter_rows()],
            numeric={3}, caption=f"无法识别的值（该行照常加载，该值置空）；最多列出 {TOP_ROWS} 项")))
    if f.expectations.is_empty():
        blocks.append(Block("note", text="所有数据质量检查均通过。"))
    else:
        blocks.append(Block("table", table=Table(
            ["数据源", "检查项", "级别", "处理", "观测值", "不符合行数"],
            [[labels.source(r["source"]) if r["source"] else "预警输出", r["expectation"],
              SEVERITY.get(r["severity"], r["severity"]), ACTIONS.get(r["action"], r["action"] or ""),
              "" if r["observed_value"] is None else f"{r['observed_value']:.4g}", _n(r["unexpected_count"])]
             for r in f.expectations.iter_rows(named=True)], numeric={4, 5}, caption="未通过的数据质量检查")))
    skipped = f.rules.filter(pl.col("status") == "skipped")
    if not skipped.is_empty():
        blocks.append(Block("table", table=Table(
            ["未执行的规则", "责任部门", "原因"],
            [[f"{r['title']}（{r['rule_code']}）", r["department"] or "", wording.skip_reason(r["reason"], labels.source)]
             for r in skipped.iter_rows(named=True)],
            caption="所需数据源缺失或被隔离的规则今晚不执行，也不解除任何预警")))
    if not f.ignored.is_empty():
        blocks.append(Block("table", table=Table(["落地区中未使用的内容", "个数"],
                                                 [[wording.ignored_reason(r), _n(n)] for r, n in f.ignored.iter_rows()],
                                                 numeric={1}, collapsed=f.ignored.height > 5)))
    return Section("quality", "数据质量", "每个数据源今晚用的交付、读入与拒收情况，以及数据质量检查。", blocks)


def timings_section(f: NightFacts, labels: Labels) -> Section:
    blocks = []
    steps = [(STEP_NAMES.get(k, k), v) for k, v in f.step_seconds.items()]
    if steps:
        frame = pl.DataFrame(steps, schema={"step": pl.String, "seconds": pl.Float64}, orient="row")
        blocks.append(_pair(_chart("各步骤耗时（秒）", charts.simple_bars(frame, "step", "步骤", "seconds", "秒"), ""),
                            Table(["步骤", "秒"], [[a, f"{b:.1f}"] for a, b in steps], numeric={1},
                                  caption=f"发布之前的步骤合计 {sum(v for _, v in steps):.1f} 秒（发布步骤在报告写成之后才结束）")))
    else:
        blocks.append(Block("note", text="本次运行没有把各步骤耗时交给报告（由 Airflow 分任务运行时，各任务耗时见 Airflow 界面）。"))
    staged = f.sources.filter(pl.col("staged_seconds").is_not_null()).select(
        pl.col("source").map_elements(labels.source, return_dtype=pl.String).alias("label"),
        pl.col("staged_seconds").alias("seconds"))
    blocks.append(_chart("各数据源暂存耗时（秒，读取、规范、校验、写入）",
                         charts.simple_bars(staged, "label", "数据源", "seconds", "秒", color="#72b7b2"),
                         "没有暂存的交付。"))
    return Section("timings", "运行耗时", "本次运行各步骤所用时间；交付未变时暂存结果会被复用，表中为其首次暂存的耗时。", blocks)


def build(f: NightFacts, labels: Labels | None = None) -> list[Section]:
    labels = labels or Labels.load()
    return [overview(f, labels), warnings_section(f, labels), trends_section(f, labels), followup_section(f, labels),
            linking_section(f, labels), quality_section(f, labels), timings_section(f, labels)]


def night_label(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
