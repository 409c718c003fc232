"""预警依据 and 匹配方式 in Chinese: one line per evidence record with the source's department (its
list's title where a department delivers two lists), delivery date, 序号 and fields; registry
records without 序号; nested values as compact JSON; text that is not evidence JSON shown as it is;
and every method a linking tier can give has a Chinese name in config/files.yaml."""

from __future__ import annotations

import json
import re

from pipelines import paths
from pipelines.publish.evidence_text import evidence_lines, record_line, source_labels
from pipelines.publish.settings import files_config


def test_one_line_per_record_as_a_clerk_reads_it():
    ev = [{"source": "registry_persons", "delivery_date": "2026-11-28", "序号": None,
           "fields": {"成员编号": "P1", "救助类别": "低保"}},
          {"source": "medins_burden", "delivery_date": "2026-11-28", "序号": "37", "fields": {"参保资助类型": "无"}},
          {"source": "hrss_unemployed", "delivery_date": "2026-11-20", "序号": 5,
           "fields": {"就业援助": "否", "经办机构": None}},
          {"source": "duplicates", "delivery_date": "2026-11-28", "序号": "2", "fields": {"家庭": ["H1", "H2"]}},
          {"source": "vehicles", "delivery_date": "2026-11-28", "序号": "8", "fields": {}}]
    assert evidence_lines(json.dumps(ev, ensure_ascii=False)).split("\n") == [
        "民政厅 低收入人口数据库 成员 2026-11-28: 成员编号=P1，救助类别=低保",
        "医保局 2026-11-28 第37行: 参保资助类型=无",
        "人社厅 登记失业人员 2026-11-20 第5行: 就业援助=否，经办机构=（空）",
        'duplicates 2026-11-28 第2行: 家庭=["H1","H2"]',
        "公安厅交通管理局 2026-11-28 第8行"]


def test_labels_come_from_the_contracts():
    labels = source_labels()
    assert labels["medins_burden"] == "医保局" and labels["hrss_contributions"] == "人社厅 社会保险缴费明细"
    assert labels["registry_households"] == "民政厅 低收入人口数据库 家庭"


def test_text_that_is_not_evidence_json_is_shown_as_it_is():
    assert evidence_lines("vehicles 2026-11-28 序号1: 车辆类型=小型轿车") == "vehicles 2026-11-28 序号1: 车辆类型=小型轿车"
    assert evidence_lines(None) == "" and evidence_lines("") == ""
    assert record_line({"source": "x", "delivery_date": "2026-11-28", "序号": "1", "fields": "自由文字"}) == \
        "x 2026-11-28 第1行: 自由文字"


def test_every_linking_method_has_a_chinese_name():
    methods = set()
    for path in (paths.SQL / "models" / "linking").glob("*.sql"):
        text = path.read_text(encoding="utf-8")
        for expr in re.findall(r"((?:CASE.*?END)|'[a-z0-9_]+')\s+AS\s+method\b", text, flags=re.S | re.I):
            methods |= set(re.findall(r"'([a-z0-9_]+)'", expr))
    assert {"exact_id", "fuzzy_name", "repaired_id", "disability_card"} <= methods
    names = files_config().match_methods
    assert methods | {"registry"} <= set(names), sorted(methods - set(names))
    assert names["registry"] == "仅低收入人口库数据" and names["id15_converted"] == "15位转18位"
