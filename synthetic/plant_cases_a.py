"""Planted cases of the special-assistance rules (categories 1 and 2): MED_SUBSIDY, EDU_AID,
HEATING_AID, DISABILITY_SUBSIDY, HOUSING_RENOVATION, EMPLOYMENT_AID, DISASTER_AID, TWO_CANCERS,
WORKER_AID. See plant_cases.py for the shape; `fires` is the expected category."""

from __future__ import annotations

from synthetic.plant_cases import CaseBook, in_heating_season


def add_cases(b: CaseBook) -> None:
    med = "medins_burden"
    b.add("med_tekun_partial", "MED_SUBSIDY", "特困分散 member, 参保资助 定额资助 (not 全额)", category="特困分散",
          records=[(med, {"premium_subsidy": "定额资助"})], fires=1)
    b.add("med_tekun_full", "MED_SUBSIDY", "near miss: 特困集中 member with 全额资助", category="特困集中",
          records=[(med, {"premium_subsidy": "全额资助"})])
    b.add("med_dibao_none", "MED_SUBSIDY", "低保 member without any 参保资助", records=[(med, {"premium_subsidy": "无"})],
          fires=1)
    b.add("med_dibao_partial", "MED_SUBSIDY", "near miss: 低保 member with 定额资助",
          records=[(med, {"premium_subsidy": "定额资助"})])
    b.add("med_watch_none", "MED_SUBSIDY", "返贫监测 member (not covered) without 参保资助: category 2",
          category="返贫监测", records=[(med, {"premium_subsidy": "无"})], fires=2)
    b.add("med_single_none", "MED_SUBSIDY", "低保边缘 member 单独纳入 = 是 (covered) without 参保资助",
          category="低保边缘", person={"single": "是"}, records=[(med, {"premium_subsidy": "无"})], fires=1)
    b.add("med_edge_none", "MED_SUBSIDY", "near miss: 低保边缘 member not 单独纳入 without 参保资助",
          category="低保边缘", records=[(med, {"premium_subsidy": "无"})])
    b.add("med_dibao_interrupted", "MED_SUBSIDY", "低保 member whose 参保状态 is 中断",
          records=[(med, {"insurance_status": "中断"})], fires=1)
    b.add("med_terminated", "MED_SUBSIDY", "near miss: member of an 已终止 低保 household without 参保资助",
          status="已终止", records=[(med, {"premium_subsidy": "无"})])
    b.add("med_other_uninsured", "MED_SUBSIDY", "near miss: 其他困难 member not insured (not a target group)",
          category="其他困难", records=[(med, {"insurance_status": "未参保", "premium_subsidy": "无"})])

    edu = "edu_students"
    for cid, desc, cat, status, prog, fires in (
        ("edu_dibao_child", "低保 child with no 资助项目", "低保", "有效", None, 1),
        ("edu_edge_child", "低保边缘 child with no 资助项目: category 2", "低保边缘", "有效", None, 2),
        ("edu_aided", "near miss: 低保 child receiving 生活补助", "低保", "有效", "生活补助", None),
        ("edu_terminated", "near miss: child of an 已终止 household with no 资助项目", "低保", "已终止", None, None),
    ):
        child = b.person(f"{cid}_child", age=12, relation="子女")
        b.add(cid, "EDU_AID", desc, category=cat, status=status, members=(child,), subject=child.handle,
              records=[(edu, {"who": child.handle, "aid_programme": prog, "aid_amount": 1000.0 if prog else None})],
              fires=fires)

    season = in_heating_season(b.as_of, b.params)
    spouse = b.person("heat_dibao_spouse", age=44, relation="配偶", sex="女")
    b.add("heat_dibao", "HEATING_AID", "低保 household of two, 取暖救助 未发放: one warning, subject the head",
          heating="未发放", members=(spouse,), fires=1 if season else None)
    b.add("heat_tekun_dispersed", "HEATING_AID", "特困分散 household, 取暖救助 未发放", category="特困分散",
          heating="未发放", fires=1 if season else None)
    b.add("heat_tekun_central", "HEATING_AID", "near miss: 特困集中 household (not entitled), 未发放",
          category="特困集中", heating="未发放")
    b.add("heat_paid", "HEATING_AID", "near miss: 低保 household, 取暖救助 已发放", heating="已发放")
    b.add("heat_terminated", "HEATING_AID", "near miss: 已终止 低保 household, 未发放", status="已终止", heating="未发放")

    dpf = "dpf_disabled"
    for cid, desc, cat, kind, grade, living, fires in (
        ("dis_dibao", "低保 member, 困难残疾人生活补贴 未享受", "低保", "肢体", "三级", "未享受", 1),
        ("dis_rigid", "刚性支出 member, 未享受: category 2", "刚性支出", "视力", "四级", "未享受", 2),
        ("dis_edge", "低保边缘 member, 未享受: category 2", "低保边缘", "听力", "四级", "未享受", 2),
        ("dis_watch", "near miss: 返贫监测 member (not a listed category), 未享受", "返贫监测", "肢体", "三级", "未享受", None),
        ("dis_enjoyed", "near miss: 低保 member already 已享受", "低保", "肢体", "三级", "已享受", None),
    ):
        b.add(cid, "DISABILITY_SUBSIDY", desc, category=cat,
              records=[(dpf, {"disability_kind": kind, "disability_grade": grade, "living_subsidy": living})],
              fires=fires)

    hou = "housing"
    b.add("house_rural_dibao", "HOUSING_RENOVATION", "农村 低保 head, 危房改造 D级 未办理", area="农村",
          records=[(hou, {"danger_grade": "D级", "progress": "未办理"})], fires=1)
    b.add("house_rural_edge", "HOUSING_RENOVATION", "农村 低保边缘 head, C级 未办理: household not covered, category 2",
          category="低保边缘", area="农村", records=[(hou, {"danger_grade": "C级", "progress": "未办理"})], fires=2)
    b.add("house_urban", "HOUSING_RENOVATION", "near miss: 城市 household head, D级 未办理",
          records=[(hou, {"danger_grade": "D级", "progress": "未办理"})])
    b.add("house_in_progress", "HOUSING_RENOVATION", "near miss: 农村 head, D级 在办", area="农村",
          records=[(hou, {"danger_grade": "D级", "progress": "在办"})])
    b.add("house_no_grade", "HOUSING_RENOVATION", "near miss: 农村 head, 危房改造 without 危房等级, 未办理", area="农村",
          records=[(hou, {"danger_grade": None, "progress": "未办理"})])
    spouse = b.person("house_not_head_spouse", age=43, relation="配偶", sex="女")
    b.add("house_not_head", "HOUSING_RENOVATION", "near miss: the record is the spouse's, not the head's", area="农村",
          members=(spouse,), records=[(hou, {"who": spouse.handle, "danger_grade": "D级", "progress": "未办理"})])
    b.add("house_terminated", "HOUSING_RENOVATION", "near miss: 已终止 农村 household, D级 未办理", area="农村",
          status="已终止", records=[(hou, {"danger_grade": "D级", "progress": "未办理"})])

    une = "hrss_unemployed"
    no_aid = {"employment_aid": "否"}
    b.add("emp_59", "EMPLOYMENT_AID", "低保 member aged 59 (60 tomorrow), 就业援助 否",
          person={"birth": b.born(59, birthday_in=1)}, records=[(une, no_aid)], fires=1)
    b.add("emp_60", "EMPLOYMENT_AID", "near miss: 低保 member turning 60 today", person={"birth": b.born(60, 0)},
          records=[(une, no_aid)])
    for cid, desc, age, day, fires in (("emp_16", "低保边缘 member turning 16 today: category 2", 16, 0, 2),
                                       ("emp_15", "near miss: 低保边缘 member aged 15 (16 tomorrow)", 15, 1, None)):
        teen = b.person(f"{cid}_teen", birth=b.born(age, day), relation="子女")
        b.add(cid, "EMPLOYMENT_AID", desc, category="低保边缘", members=(teen,), subject=teen.handle,
              records=[(une, {"who": teen.handle, **no_aid})], fires=fires)
    b.add("emp_aided", "EMPLOYMENT_AID", "near miss: 低保 member aged 30 with 就业援助 是", person={"age": 30},
          records=[(une, {"employment_aid": "是"})])

    vic = "emergency_victims"
    b.add("dis_180", "DISASTER_AID", "低保 victim 180 days ago (window's first day), nothing paid",
          records=[(vic, {"disaster_date": b.day(180), "relief_paid": 0.0})], fires=1)
    b.add("dis_181", "DISASTER_AID", "near miss: victim 181 days ago, nothing paid",
          records=[(vic, {"disaster_date": b.day(181), "relief_paid": 0.0})])
    b.add("dis_other", "DISASTER_AID", "其他困难 victim 10 days ago, nothing paid: category 2", category="其他困难",
          records=[(vic, {"disaster_date": b.day(10), "relief_paid": 0.0})], fires=2)
    b.add("dis_paid", "DISASTER_AID", "near miss: 低保 victim 10 days ago, 500 paid",
          records=[(vic, {"disaster_date": b.day(10), "relief_paid": 500.0})])

    can = "acwf_two_cancers"
    woman = {"sex": "女"}
    for cid, desc, cat, cancer, stage, aided, fires in (
        ("tc_cervical_iib", "低保 woman, 宫颈癌 IIB, not aided", "低保", "宫颈癌", "IIB", "否", 1),
        ("tc_cervical_iia", "near miss: 宫颈癌 IIA", "低保", "宫颈癌", "IIA", "否", None),
        ("tc_breast_i", "低保边缘 woman, 乳腺癌 I, not aided: category 2", "低保边缘", "乳腺癌", "I", "否", 2),
        ("tc_breast_0", "near miss: 乳腺癌 0期", "低保", "乳腺癌", "0期", "否", None),
        ("tc_aided", "near miss: 宫颈癌 IVB already aided", "低保", "宫颈癌", "IVB", "是", None),
    ):
        b.add(cid, "TWO_CANCERS", desc, category=cat, person=woman,
              records=[(can, {"cancer": cancer, "stage": stage, "aided": aided})], fires=fires)

    acf = "acftu_workers"
    for cid, desc, cat, status, fires in (
        ("wk_dibao", "低保 worker, 未帮扶", "低保", "未帮扶", 1),
        ("wk_rigid", "刚性支出 worker, 未帮扶: category 2", "刚性支出", "未帮扶", 2),
        ("wk_tekun", "near miss: 特困分散 worker (not a listed category), 未帮扶", "特困分散", "未帮扶", None),
        ("wk_aided", "near miss: 低保 worker 已帮扶", "低保", "已帮扶", None),
    ):
        b.add(cid, "WORKER_AID", desc, category=cat, records=[(acf, {"aid_status": status})], fires=fires)
