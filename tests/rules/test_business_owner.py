"""BUSINESS_OWNER (民政厅, category 4): a member of a covered household, or a person with
单独纳入 = 是, who is 法定代表人 of a market entity in 登记状态 存续."""

from __future__ import annotations

from .ruletools import STRANGER, Case, evidence_of, expected, outcomes, rec, run_cases

RULE, DEPARTMENT = "BUSINESS_OWNER", "民政厅"


def entity(status: str = "存续", **more):
    return rec("market_entities", entity_status=status, **more)


CASES = [
    Case("dibao_running", 4, [entity()]),
    Case("tekun_scattered_running", 4, [entity()], category="特困分散"),
    Case("tekun_central_running", 4, [entity()], category="特困集中"),
    Case("margin_single_running", 4, [entity()], category="低保边缘", single="是"),
    Case("dibao_deregistered", None, [entity("注销")]),
    Case("dibao_revoked", None, [entity("吊销")]),
    Case("margin_running", None, [entity()], category="低保边缘"),
    Case("rigid_running", None, [entity()], category="刚性支出"),
    Case("ended_dibao_running", None, [entity()], status="已终止"),
    Case("unlinked_dibao_running", None, [entity(name=STRANGER)]),
    Case("dibao_two_entities", 4, [entity(company="甲商店", credit_code="92230102MA0000001A"),
                                   entity("吊销", company="乙商店", credit_code="92230102MA0000002B"),
                                   entity(company="丙商店", credit_code="92230102MA0000003C")]),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    found = ran.found(RULE)
    assert evidence_of(ran, found["dibao_running"], "market_entities") == [
        {"企业名称": "某某商贸有限公司", "统一社会信用代码": "91230102MA1234567X", "登记状态": "存续",
         "注册资本(万元)": 50, "成立日期": "2018-03-01"}]
    assert [f["企业名称"] for f in evidence_of(ran, found["dibao_two_entities"], "market_entities", only=[0, 2])] == [
        "甲商店", "丙商店"]
