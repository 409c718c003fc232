"""The report's one HTML file: the sections laid out, the chart specs and the chart library
inlined, nothing loaded from anywhere (no link, script or font outside the file).

The template lives here, as text, so that every install of the package has it.
"""

from __future__ import annotations

import json
from datetime import date

from jinja2 import Environment, select_autoescape

from pipelines.report_html import assets
from pipelines.report_html.sections import Section, night_label

CSS = """
:root { --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --band: #f8fafc; --accent: #1d4ed8; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.55; font-size: 14px;
  font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', 'WenQuanYi Micro Hei', sans-serif; }
header { padding: 20px 32px 12px; border-bottom: 3px solid var(--accent); }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; color: var(--muted); }
nav { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); padding: 6px 32px; z-index: 5; }
nav a { margin-right: 18px; color: var(--accent); text-decoration: none; }
main { padding: 8px 32px 32px; max-width: 1200px; }
section { margin-top: 22px; }
h2 { font-size: 18px; border-left: 4px solid var(--accent); padding-left: 8px; margin: 18px 0 6px; }
h3 { font-size: 15px; margin: 16px 0 4px; }
.intro { color: var(--muted); margin: 0 0 8px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(165px, 1fr)); gap: 12px; margin: 8px 0; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; background: var(--band); }
.kpi .label { color: var(--muted); font-size: 13px; }
.kpi .value { font-size: 24px; font-weight: 600; }
.kpi .hint { color: var(--muted); font-size: 12px; }
.chart { width: 100%; min-height: 40px; margin: 4px 0 8px; }
.pair { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 24px; align-items: start; }
.pair-table { padding-top: 30px; }
@media (max-width: 900px) { .pair { grid-template-columns: 1fr; } .pair-table { padding-top: 0; } }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
caption { caption-side: top; text-align: left; color: var(--muted); padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--band); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
details summary { cursor: pointer; color: var(--accent); margin: 4px 0; }
.note { background: #fffbeb; border: 1px solid #fde68a; border-radius: 4px; padding: 6px 10px; margin: 6px 0; }
.empty { color: var(--muted); font-style: italic; margin: 6px 0; }
footer { color: var(--muted); font-size: 12px; padding: 12px 32px 24px; border-top: 1px solid var(--line); }
@media print { nav { display: none; } .pair, table, .chart { break-inside: avoid; } main { max-width: none; } }
"""

TEMPLATE = """{% macro chart(b) %}
<h3>{{ b.chart.title }}</h3>
<div class="chart" id="{{ b.chart_id }}" role="img" aria-label="{{ b.chart.title }}"></div>
<script type="application/json" data-chart="{{ b.chart_id }}">{{ b.spec_json | safe }}</script>
{% endmacro %}
{% macro table(t) %}
{% if t.collapsed %}<details><summary>{{ t.caption or "展开表格" }}（{{ t.rows | length }} 行）</summary>{% endif %}
<table>
  {% if t.caption and not t.collapsed %}<caption>{{ t.caption }}</caption>{% endif %}
  <thead><tr>{% for h in t.headers %}<th{% if loop.index0 in t.numeric %} class="num"{% endif %}>{{ h }}</th>{% endfor %}</tr></thead>
  <tbody>{% for row in t.rows %}<tr>{% for v in row %}<td{% if loop.index0 in t.numeric %} class="num"{% endif %}>{{ v }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table>
{% if t.collapsed %}</details>{% endif %}
{% endmacro %}
<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>低收入人口动态监测 夜间运行报告 {{ day }}</title>
<style>{{ css }}</style>
</head>
<body>
<header>
  <h1>低收入人口动态监测 · 夜间运行报告</h1>
  <p>数据日期 {{ day_label }}（{{ day }}）{% if run_id %} · 运行 {{ run_id }}{% endif %} · 本报告不含身份证号、姓名等个人信息</p>
</header>
<nav>{% for s in sections %}<a href="#{{ s.id }}">{{ s.title }}</a>{% endfor %}</nav>
<main>
{% for s in sections %}
<section id="{{ s.id }}">
  <h2>{{ s.title }}</h2>
  {% if s.intro %}<p class="intro">{{ s.intro }}</p>{% endif %}
  {% for b in s.blocks %}
    {% if b.kind == "kpis" %}
    <div class="kpis">{% for label, value, hint in b.kpis %}
      <div class="kpi"><div class="label">{{ label }}</div><div class="value">{{ value }}</div><div class="hint">{{ hint }}</div></div>
    {% endfor %}</div>
    {% elif b.kind == "chart" %}
    {{ chart(b) }}
    {% elif b.kind == "pair" %}
    <div class="pair"><div class="pair-chart">{{ chart(b) }}</div><div class="pair-table">{{ table(b.table) }}</div></div>
    {% elif b.kind == "table" %}
    {{ table(b.table) }}
    {% elif b.kind == "note" %}
    <p class="note">{{ b.text }}</p>
    {% elif b.kind == "empty" and b.text %}
    <p class="empty">{{ b.text }}</p>
    {% endif %}
  {% endfor %}
</section>
{% endfor %}
</main>
<footer>
  由 lowincome-monitor 生成；图表：{{ libraries }}（已内嵌，离线可看）。身份证号、姓名、家庭编号不出现在本报告中。
</footer>
{% for s in scripts %}<script>{{ s | safe }}</script>
{% endfor %}
<script>
(function () {
  var specs = document.querySelectorAll('script[data-chart]');
  specs.forEach(function (node) {
    var target = document.getElementById(node.getAttribute('data-chart'));
    var spec = JSON.parse(node.textContent);
    vegaEmbed(target, spec, {renderer: 'svg', actions: false, tooltip: true}).catch(function (err) {
      target.textContent = '图表无法显示：' + err;
      console.error(err);
    });
  });
})();
</script>
</body>
</html>
"""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True), trim_blocks=True,
                   lstrip_blocks=True)


def render(as_of: date, sections: list[Section], run_id: str = "") -> str:
    """The whole page as text."""
    scripts = assets.scripts()
    n = 0
    for s in sections:
        for b in s.blocks:
            if b.kind in ("chart", "pair"):
                n += 1
                b.chart_id = f"chart-{n}"
                b.spec_json = assets.json_for_script(json.dumps(b.chart.spec, ensure_ascii=False, separators=(",", ":")))
    return _ENV.from_string(TEMPLATE).render(
        day=as_of.isoformat(), day_label=night_label(as_of), run_id=run_id, sections=sections, css=CSS,
        scripts=[assets.inline(s.text) for s in scripts], libraries=", ".join(s.spec for s in scripts))
