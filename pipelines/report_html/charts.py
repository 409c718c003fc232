"""The report's charts as Vega-Lite specs, made with altair (labels in Chinese).

Each function takes a small frame of counts (pipelines.report_html.data) with ASCII field
names and returns the spec as a dict; the page inlines it and vega-embed draws it as SVG. A
chart whose frame is empty is not drawn (the page says there is nothing to show instead).
"""

from __future__ import annotations

import altair as alt
import polars as pl

FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', 'WenQuanYi Micro Hei', sans-serif"
STATUS_ORDER = ["新增", "持续", "已解除"]
STATUS_COLORS = ["#d62728", "#ff7f0e", "#2ca02c"]
WIDTH = "container"
VALIDATE = False   # tests validate every spec against the Vega-Lite schema; a night does not pay for it

CONFIG = {
    "font": FONT,
    "axis": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 12, "titleFontSize": 12, "labelLimit": 320},
    "legend": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 12, "titleFontSize": 12, "labelLimit": 360,
               "orient": "bottom", "direction": "horizontal", "columns": 4},
    "title": {"font": FONT, "fontSize": 14, "anchor": "start"},
    "view": {"stroke": None},
}


def _spec(chart: alt.Chart) -> dict:
    spec = chart.properties(width=WIDTH).to_dict(validate=VALIDATE)
    spec.setdefault("config", {}).update(CONFIG)
    spec["usermeta"] = {"embedOptions": {"renderer": "svg", "actions": False}}
    return spec


def stacked_bars(frame: pl.DataFrame, label: str, label_title: str, value_title: str = "预警数",
                 order: list[str] | None = None, colors: list[str] | None = None, kind: str = "status",
                 kind_title: str = "状态") -> dict | None:
    """Horizontal bars, one per `label`, stacked by `kind` (frame: label, kind, n)."""
    if frame.is_empty() or int(frame["n"].sum()) == 0:
        return None
    labels = frame.group_by(label).agg(pl.col("n").sum()).sort(["n", label], descending=[True, False])[label].to_list()
    frame = frame.sort(frame.columns, nulls_last=True)   # the same night gives the same file
    color = alt.Color(f"{kind}:N", title=kind_title,
                      scale=alt.Scale(domain=order, range=colors) if order and colors else
                      alt.Scale(domain=order) if order else alt.Undefined,
                      sort=order or "ascending")
    chart = alt.Chart(frame.filter(pl.col("n") > 0)).mark_bar().encode(
        y=alt.Y(f"{label}:N", title=None, sort=labels),
        x=alt.X("sum(n):Q", title=value_title, axis=alt.Axis(format=",d", tickMinStep=1)),
        color=color,
        order=alt.Order("kind_order:Q") if "kind_order" in frame.columns else alt.Undefined,
        tooltip=[alt.Tooltip(f"{label}:N", title=label_title), alt.Tooltip(f"{kind}:N", title=kind_title),
                 alt.Tooltip("sum(n):Q", title=value_title, format=",d")],
    ).properties(height=max(60, 26 * len(labels)))
    return _spec(chart)


def lines_by_night(frame: pl.DataFrame, series: str, series_title: str, value_title: str,
                   order: list[str] | None = None, colors: list[str] | None = None) -> dict | None:
    """One line per `series` over the nights, a point on each night (frame: night (ISO date
    text), series, n)."""
    if frame.is_empty():
        return None
    scale = alt.Scale(domain=order, range=colors) if order and colors else alt.Undefined
    frame = frame.sort(frame.columns, nulls_last=True)
    chart = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=40)).encode(
        x=alt.X("night:T", title="日期", axis=alt.Axis(format="%m-%d", labelAngle=0, tickCount="day")),
        y=alt.Y("n:Q", title=value_title, axis=alt.Axis(format=",d", tickMinStep=1)),
        color=alt.Color(f"{series}:N", title=series_title or None, sort=order or "ascending", scale=scale),
        tooltip=[alt.Tooltip("night:T", title="日期", format="%Y-%m-%d"),
                 alt.Tooltip(f"{series}:N", title=series_title), alt.Tooltip("n:Q", title=value_title, format=",d")],
    ).properties(height=220)
    return _spec(chart)


def simple_bars(frame: pl.DataFrame, label: str, label_title: str, value: str, value_title: str,
                fmt: str = ",.2~f", color: str = "#4c78a8") -> dict | None:
    """One bar per row (frame: label, value), longest first."""
    if frame.is_empty():
        return None
    frame = frame.sort(frame.columns, nulls_last=True)
    chart = alt.Chart(frame).mark_bar(color=color).encode(
        y=alt.Y(f"{label}:N", title=None, sort="-x"),
        x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format=fmt)),
        tooltip=[alt.Tooltip(f"{label}:N", title=label_title), alt.Tooltip(f"{value}:Q", title=value_title, format=fmt)],
    ).properties(height=max(60, 24 * frame.height))
    return _spec(chart)
