"""Planted cases of DIBAO_SINGLE, MONITORING_INTAKE, MULTI_HARDSHIP, CATASTROPHIC_MEDICAL and
the category-4 rules (DECEASED, MOVED_AWAY, INCOME_ABOVE_LINE, VEHICLE_OWNER, BUSINESS_OWNER,
DUPLICATE_ENROLLMENT). Thresholds come from the rule parameters, so the boundaries move with
them. See plant_cases.py for the shape; `fires` is the expected category."""

from __future__ import annotations

from synthetic.plant_cases import CaseBook, Expect, Member, contribution_months


def add_cases(b: CaseBook) -> None:
    ref = float(b.params["income_reference_yuan"])
    med, ill, dpf = "medins_burden", "health_serious_illness", "dpf_disabled"
    edge = {"category": "低保边缘"}
    b.add("ds_ill", "DIBAO_SINGLE", "低保边缘 member, not 单独纳入, in the serious-illness list", **edge,
          records=[(ill, {})], fires=2)
    b.add("ds_disabled_2", "DIBAO_SINGLE", "低保边缘 member with a 二级 肢体 disability", **edge,
          records=[(dpf, {"disability_grade": "二级"})], fires=2)
    b.add("ds_mental_3", "DIBAO_SINGLE", "低保边缘 member with a 三级 精神 disability", **edge,
          records=[(dpf, {"disability_kind": "精神", "disability_grade": "三级"})], fires=2)
    b.add("ds_burden", "DIBAO_SINGLE", "低保边缘 member whose 个人负担 is 1 fen above the reference income", **edge,
          records=[(med, {"out_of_pocket_12m": ref + 0.01})], fires=2)
    b.add("ds_burden_line", "DIBAO_SINGLE", "near miss: 个人负担 exactly the reference income", **edge,
          records=[(med, {"out_of_pocket_12m": ref})])
    b.add("ds_limb_3", "DIBAO_SINGLE", "near miss: a 三级 肢体 disability (not severe)", **edge,
          records=[(dpf, {"disability_grade": "三级"})])
    b.add("ds_already_single", "DIBAO_SINGLE", "near miss: seriously ill but already 单独纳入", **edge,
          person={"single": "是"}, records=[(ill, {})])
    b.add("ds_rigid", "DIBAO_SINGLE", "near miss: 刚性支出 (not 低保边缘) member, seriously ill", category="刚性支出",
          records=[(ill, {})])
    b.add("ds_terminated", "DIBAO_SINGLE", "near miss: 已终止 低保边缘 household, seriously ill", **edge,
          status="已终止", records=[(ill, {})])

    agri = "agri_monitoring"
    for cid, desc, cleared, fires, demo in (
        ("mon_outsider", "someone outside the registry under monitoring, risk not cleared", "否", 2, True),
        ("mon_cleared", "near miss: outside the registry, risk cleared", "是", None, True),
        ("mon_blank_id", "outside the registry, risk not cleared, identity number blank", "否", 2, False),
    ):
        out = b.person(cid, age=50)
        rec = {"risk_cleared": cleared, **({"id_number": None} if cid == "mon_blank_id" else {})}
        b.add(cid, "MONITORING_INTAKE", desc, outsiders=(out,), records=[(agri, rec)], fires=fires, demo=demo)
    b.add("mon_terminated", "MONITORING_INTAKE", "member of an 已终止 household only, risk not cleared",
          status="已终止", records=[(agri, {"risk_cleared": "否"})], fires=2)
    b.add("mon_low_income", "MONITORING_INTAKE", "near miss: a 低保 member, risk not cleared",
          records=[(agri, {"risk_cleared": "否"})])

    une, vic = ("hrss_unemployed", {}), "emergency_victims"
    fallen = {"house_damage": "倒塌", "disaster_date": b.day(30), "relief_paid": 1000.0}
    b.add("mh_three", "MULTI_HARDSHIP", "低保 member: seriously ill, unemployed, house collapsed 30 days ago",
          records=[(ill, {}), une, (vic, fallen)], fires=3)
    b.add("mh_two", "MULTI_HARDSHIP", "near miss: two signals (ill, unemployed)", records=[(ill, {}), une])
    b.add("mh_ill_twice", "MULTI_HARDSHIP", "near miss: ill twice (list and 个人负担) + unemployed = 2 kinds",
          records=[(ill, {}), (med, {"out_of_pocket_12m": ref + 9000}), une])
    b.add("mh_old_disaster", "MULTI_HARDSHIP", "near miss: ill, unemployed, house collapsed 181 days ago",
          records=[(ill, {}), une, (vic, {**fallen, "disaster_date": b.day(181)})])
    b.add("mh_terminated", "MULTI_HARDSHIP", "near miss: three signals, household 已终止", status="已终止",
          records=[(ill, {}), une, (vic, fallen)])
    b.add("mh_rural_head", "MULTI_HARDSHIP", "农村 低保 head (woman): dangerous house 在办, 宫颈癌 IIIA, 一级 disability",
          area="农村", person={"sex": "女"}, fires=3, records=[
              ("housing", {"danger_grade": "C级", "progress": "在办"}),
              ("acwf_two_cancers", {"cancer": "宫颈癌", "stage": "IIIA", "aided": "是"}),
              (dpf, {"disability_grade": "一级", "care_subsidy": "已享受"})])

    cap = float(b.params["catastrophic_multiple"]) * ref
    b.add("cm_above", "CATASTROPHIC_MEDICAL", "低保 member, 个人负担 1 fen above 2 × reference",
          records=[(med, {"out_of_pocket_12m": cap + 0.01})], fires=3)
    b.add("cm_line", "CATASTROPHIC_MEDICAL", "near miss: 个人负担 exactly 2 × reference",
          records=[(med, {"out_of_pocket_12m": cap})])
    b.add("cm_not_covered", "CATASTROPHIC_MEDICAL", "near miss: 返贫监测 (not covered), 个人负担 far above",
          category="返贫监测", records=[(med, {"out_of_pocket_12m": cap + 28000})])
    b.add("cm_single", "CATASTROPHIC_MEDICAL", "低保边缘 member 单独纳入 (covered), 个人负担 above", **edge,
          person={"single": "是"}, records=[(med, {"out_of_pocket_12m": cap + 8000})], fires=3)

    mps = "mps_cancellations"
    b.add("dec_dibao", "DECEASED", "低保 member, 户籍 cancelled: 死亡", records=[(mps, {"reason": "死亡"})], fires=4)
    b.add("dec_terminated", "DECEASED", "near miss: 已终止 household member, 死亡", status="已终止",
          records=[(mps, {"reason": "死亡"})])
    b.add("dec_army", "DECEASED", "near miss: cancelled for 服兵役", records=[(mps, {"reason": "服兵役"})])
    for cid, place, fires in (("mv_liaoning", "辽宁省沈阳市", 4), ("mv_inner_mongolia", "内蒙古自治区呼和浩特市", 4),
                              ("mv_home", b.params["home_province"] + "哈尔滨市", None),
                              ("mv_no_province", "大连市", None), ("mv_blank", None, None)):
        b.add(cid, "MOVED_AWAY", f"{'' if fires else 'near miss: '}迁出 to {place or '(blank)'}",
              records=[(mps, {"reason": "迁出", "destination": place})], fires=fires)

    _income_cases(b)
    _vehicle_business_cases(b)
    _duplicate_cases(b)


def _income_cases(b: CaseBook) -> None:
    con = "hrss_contributions"
    months = contribution_months(b.as_of)
    latest, old = months[-int(b.params["contribution_months"]):], months[-int(b.params["contribution_months"]) - 1]
    urban, rural = (float(b.params["dibao_standard"][k]) for k in ("城市", "农村"))

    def paid(base: float, *in_months) -> list:
        return [(con, {"contribution_month": m, "contribution_base": base}) for m in in_months]

    def spouse(cid: str) -> tuple[Member, ...]:
        return (b.person(f"{cid}_spouse", age=44, relation="配偶", sex="女"),)

    b.add("inc_urban_above", "INCOME_ABOVE_LINE", "城市 低保 household of one, 缴费基数 1 fen above the standard",
          records=paid(urban + 0.01, *latest), fires=4)
    b.add("inc_urban_line", "INCOME_ABOVE_LINE", "near miss: 缴费基数 exactly the standard", records=paid(urban, *latest))
    b.add("inc_rural_two", "INCOME_ABOVE_LINE", "农村 低保 household of two: per head 40 above the standard",
          area="农村", members=spouse("inc_rural_two"), records=paid(2 * rural + 80, *latest), fires=4)
    b.add("inc_rural_missing", "INCOME_ABOVE_LINE",
          "near miss: one month only (missing months count 0) = the standard; an older month does not count",
          area="农村", members=spouse("inc_rural_missing"),
          records=paid(6 * rural, latest[-1]) + paid(5000.0, old))
    b.add("inc_tekun_row", "INCOME_ABOVE_LINE", "特困分散 household with one contribution row", category="特困分散",
          records=paid(3000.0, latest[-1]), fires=4)
    b.add("inc_tekun_old_row", "INCOME_ABOVE_LINE", "near miss: 特困集中, a row in an older month only",
          category="特困集中", records=paid(3000.0, old))
    b.add("inc_edge", "INCOME_ABOVE_LINE", "near miss: 低保边缘 household far above the standard (MARGIN_INCOME_ABOVE's)",
          category="低保边缘", records=paid(9000.0, *latest),
          expect=(Expect("MARGIN_INCOME_ABOVE", "inc_edge", True, 4),))


def _vehicle_business_cases(b: CaseBook) -> None:
    veh, biz = "vehicles", "market_entities"
    b.add("veh_dibao_car", "VEHICLE_OWNER", "低保 member owning a 小型轿车 in 正常 state",
          records=[(veh, {})], fires=4)
    b.add("veh_single_bus", "VEHICLE_OWNER", "低保边缘 member 单独纳入 owning a 中型客车", category="低保边缘",
          person={"single": "是"}, records=[(veh, {"vehicle_type": "中型客车"})], fires=4)
    for i, kind in enumerate(b.params["vehicle_exempt_types"]):
        b.add(f"veh_exempt_{i}", "VEHICLE_OWNER", f"near miss: exempt type {kind}",
              records=[(veh, {"vehicle_type": kind})])
    for state in ("注销", "报废"):
        b.add(f"veh_{'cancelled' if state == '注销' else 'scrapped'}", "VEHICLE_OWNER",
              f"near miss: 小型轿车 in state {state}", records=[(veh, {"vehicle_status": state})])
    b.add("veh_watch", "VEHICLE_OWNER", "near miss: 返贫监测 member (not covered) with a car", category="返贫监测",
          records=[(veh, {})])
    b.add("veh_edge", "VEHICLE_OWNER", "near miss: 低保边缘 member not 单独纳入 with a car", category="低保边缘",
          records=[(veh, {})])
    b.add("biz_tekun", "BUSINESS_OWNER", "特困分散 member, 法定代表人 of a 存续 company", category="特困分散",
          records=[(biz, {})], fires=4)
    b.add("biz_cancelled", "BUSINESS_OWNER", "near miss: company 注销", records=[(biz, {"entity_status": "注销"})])
    b.add("biz_revoked", "BUSINESS_OWNER", "near miss: company 吊销", records=[(biz, {"entity_status": "吊销"})])
    b.add("biz_rigid", "BUSINESS_OWNER", "near miss: 刚性支出 member (not covered)", category="刚性支出",
          records=[(biz, {})])


def _duplicate_cases(b: CaseBook) -> None:
    for cid, second_status, fires, desc in (
        ("dup_two_active", "有效", 4, "one person in a 低保 (2020) and a 低保边缘 household (recent): the recent one"),
        ("dup_one_terminated", "已终止", None, "near miss: the second household is 已终止"),
    ):
        first = b.person(cid)
        again = Member(f"{cid}_again", first.birth, same_as=cid)
        households = (b.household(cid, "低保", first, since=2200),
                      b.household(f"{cid}_again", "低保边缘", again, status=second_status, since=300))
        b.add(cid, "DUPLICATE_ENROLLMENT", desc, households=households, subject=again.handle, fires=fires)
