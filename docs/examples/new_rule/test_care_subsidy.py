"""CARE_SUBSIDY: fires for a severely disabled low-income person without the care subsidy; near
misses: a third-grade disability, a subsidy already received, a household no longer 有效."""

from datetime import date

from modelkit import Night


def test_care_subsidy():
    n = Night(date(2026, 11, 28))
    people = {key: n.person(pid, name) for key, pid, name in [
        ("fires", "P1", "张伟"), ("grade3", "P2", "李娜"), ("received", "P3", "王芳"), ("ended", "P4", "刘洋")]}
    for i, (key, p) in enumerate(people.items()):
        n.household(f"H{i}", [p], status="已终止" if key == "ended" else "有效")
    grade = {"grade3": "三级"}
    subsidy = {"received": "已享受"}
    n.records("dpf_disabled", [{"name": p["name"], "id_number": p["id_number"], "disability_kind": "肢体",
                                "disability_grade": grade.get(k, "一级"), "care_subsidy": subsidy.get(k, "未享受"),
                                "living_subsidy": "已享受"} for k, p in people.items()])
    assert n.fired("CARE_SUBSIDY") == {"P1"}
    (w,) = [w for w in n.warnings() if w["rule_code"] == "CARE_SUBSIDY"]
    assert (w["category"], w["department"]) == (1, "残联")
