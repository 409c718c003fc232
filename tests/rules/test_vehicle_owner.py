"""VEHICLE_OWNER (民政厅, category 4): a member of a covered household, or a person with
单独纳入 = 是, owning a vehicle in 车辆状态 正常 whose 车辆类型 is not exempt (摩托车, 三轮汽车,
低速货车, 残疾人专用车)."""

from __future__ import annotations

from .ruletools import STRANGER, Case, evidence_of, expected, member, outcomes, rec, run_cases

RULE, DEPARTMENT = "VEHICLE_OWNER", "民政厅"
EXEMPT = ["摩托车", "三轮汽车", "低速货车", "残疾人专用车"]


def vehicle(kind: str = "小型轿车", status: str = "正常", who: str | None = None, **more):
    return rec("vehicles", who, vehicle_type=kind, vehicle_status=status, **more)


CASES = [
    Case("dibao_car", 4, [vehicle()]),
    Case("dibao_suv", 4, [vehicle("小型越野客车")]),
    Case("tekun_scattered_car", 4, [vehicle()], category="特困分散"),
    Case("tekun_central_bus", 4, [vehicle("中型客车")], category="特困集中"),
    Case("margin_single_car", 4, [vehicle()], category="低保边缘", single="是"),
    *(Case(f"dibao_exempt_{kind}", None, [vehicle(kind)]) for kind in EXEMPT),
    Case("dibao_car_cancelled", None, [vehicle(status="注销")]),
    Case("dibao_car_scrapped", None, [vehicle(status="报废")]),
    Case("margin_car", None, [vehicle()], category="低保边缘"),
    Case("monitoring_car", None, [vehicle()], category="返贫监测"),
    Case("ended_dibao_car", None, [vehicle()], status="已终止"),
    Case("unlinked_dibao_car", None, [vehicle(name=STRANGER)]),
    # the spouse owns two cars and a motorbike: one warning, the cars as evidence
    Case("family", 4, [vehicle(who="family_spouse"), vehicle("摩托车", who="family_spouse"),
                       vehicle("小型越野客车", who="family_spouse")],
         members=[member("family_head"), member("family_spouse", relation="配偶")], subject="family_spouse"),
]


def test_cases_fire_as_the_table_says():
    ran = run_cases(CASES)
    assert outcomes(ran, RULE) == expected(CASES, DEPARTMENT)

    found = ran.found(RULE)
    assert evidence_of(ran, found["dibao_car"], "vehicles") == [
        {"车辆类型": "小型轿车", "车辆状态": "正常", "初次登记日期": "2019-04-01"}]
    assert [f["车辆类型"] for f in evidence_of(ran, found["family_spouse"], "vehicles", only=[0, 2])] == [
        "小型轿车", "小型越野客车"]
