"""Planted cases of the second contract round's rules: MARGIN_TO_DIBAO (a 低保边缘 household at or
below the 低保 standard), MARGIN_INCOME_ABOVE (its contribution income above 1.5 × the standard)
and STAFF_RELATIVE (人情保、关系保: a covered staff member, a covered relative not declared through
备案), each with near misses at its boundaries. Thresholds come from the rule parameters. See
plant_cases.py for the shape; `fires` is the expected category."""

from __future__ import annotations

from synthetic.plant_cases import CaseBook, contribution_months

ROSTER = "staff_roster"


def add_cases(b: CaseBook) -> None:
    _margin_cases(b)
    _staff_cases(b)


def _margin_cases(b: CaseBook) -> None:
    urban, rural = (float(b.params["dibao_standard"][k]) for k in ("城市", "农村"))
    edge = {"category": "低保边缘"}
    b.add("mtd_urban_line", "MARGIN_TO_DIBAO", "城市 低保边缘 household whose income per head is exactly the standard",
          **edge, income=urban, fires=2)
    b.add("mtd_rural_below", "MARGIN_TO_DIBAO", "农村 低保边缘 household well below the standard", **edge,
          area="农村", income=rural - 160, fires=2)
    b.add("mtd_urban_fen_above", "MARGIN_TO_DIBAO", "near miss: income per head one fen above the standard",
          **edge, income=urban + 0.01)
    b.add("mtd_terminated", "MARGIN_TO_DIBAO", "near miss: 已终止 低保边缘 household below the standard", **edge,
          status="已终止", income=rural - 160)
    b.add("mtd_rigid", "MARGIN_TO_DIBAO", "near miss: 刚性支出 (not 低保边缘) household below the standard",
          category="刚性支出", income=rural - 160)

    con = "hrss_contributions"
    latest = contribution_months(b.as_of)[-int(b.params["contribution_months"]):]
    multiple = float(b.params["margin_income_multiple"])

    def paid(base: float, who: str | None = None) -> list:
        return [(con, {"contribution_month": m, "contribution_base": base, **({"who": who} if who else {})})
                for m in latest]

    b.add("mia_urban_above", "MARGIN_INCOME_ABOVE", "城市 低保边缘 household of one, 缴费基数 1 fen above 1.5 × standard",
          **edge, records=paid(round(multiple * urban + 0.01, 2)), fires=4)
    b.add("mia_urban_line", "MARGIN_INCOME_ABOVE", "near miss: 缴费基数 exactly 1.5 × the standard", **edge,
          records=paid(multiple * urban))
    spouse = b.person("mia_rural_two_spouse", age=44, relation="配偶", sex="女")
    b.add("mia_rural_two", "MARGIN_INCOME_ABOVE", "农村 低保边缘 household of two: the spouse's base is 30 above "
          "1.5 × standard per head", **edge, area="农村", members=(spouse,),
          records=paid(2 * multiple * rural + 30, who="mia_rural_two_spouse"), fires=4)
    b.add("mia_rigid", "MARGIN_INCOME_ABOVE", "near miss: 刚性支出 household far above", category="刚性支出",
          records=paid(9000.0))


def _staff_cases(b: CaseBook) -> None:
    b.add("sr_staff_dibao", "STAFF_RELATIVE", "低保 head who is a 村委会主任 (own roster row)",
          records=[(ROSTER, {"position": "村委会主任"})], fires=4)
    b.add("sr_staff_margin", "STAFF_RELATIVE", "near miss: a 低保边缘 (not covered) 社区工作人员",
          category="低保边缘", records=[(ROSTER, {"position": "社区工作人员"})])
    for cid, category, filed, fires in (
        ("sr_relative_unfiled", "低保", "否", 4),
        ("sr_relative_blank", "特困分散", None, 4),
        ("sr_relative_filed", "低保", "是", None),
        ("sr_relative_monitoring", "返贫监测", "否", None),
    ):
        staff = b.person(f"{cid}_staff", age=48)
        head = b.person(cid, age=74)
        desc = (f"{category} head declared as 父母 by a 乡镇（街道）经办人员 outside the registry, 享受救助备案 "
                f"{filed or '(blank)'}")
        b.add(cid, "STAFF_RELATIVE", desc if fires else "near miss: " + desc,
              households=(b.household(cid, category, head),), outsiders=(staff,),
              records=[(ROSTER, {"who": staff.handle, "relative": cid, "position": "乡镇（街道）经办人员",
                                 "relation": "父母", "filed_assistance": filed})], fires=fires)
