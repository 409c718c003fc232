"""The household-context tier (issue 13, sql/models/linking/tier_context.sql): a record whose own
number is unusable, tied through the household its head names — run on rows written here, through
the real normaliser and every linking model (tests/modelkit.py)."""

from __future__ import annotations

import json
from datetime import date

from modelkit import Night, make_id

AS_OF = date(2026, 11, 28)
VILLAGE = "230102003004"
OTHER_VILLAGE = "230102003005"


def agri(name: str, head_name: str, head_id: str | None, id_number: str | None = None,
         division_code: str = VILLAGE, risk_cleared: str = "是") -> dict:
    return {"name": name, "id_number": id_number, "head_name": head_name, "head_id_number": head_id,
            "division_code": division_code, "monitoring_type": "边缘易致贫户", "risk_type": "因病",
            "risk_cleared": risk_cleared}


def family(kit: Night, hid: str, names: list[str], village: str = VILLAGE, **household) -> list[dict]:
    """A registry household of `names` (the first the head), people P_<hid>_<i>."""
    people = [kit.person(f"P_{hid}_{i}", n, sex="男" if i % 2 == 0 else "女", birth=date(1960 + 7 * i, 3, 1 + i))
              for i, n in enumerate(names)]
    kit.household(hid, people, division_code=village, **household)
    return people


def links(kit: Night) -> dict[str, tuple]:
    """record_no → (person_id, method, score) of the night's agri/housing links."""
    return {r["record_no"]: (r["person_id"], r["method"], r["score"])
            for r in kit.frame("SELECT * FROM links ORDER BY source, record_no").to_dicts()}


def review(kit: Night) -> dict[str, tuple[str, list[str]]]:
    rows = kit.frame("SELECT record_no, reason, candidates FROM review").to_dicts()
    return {r["record_no"]: (r["reason"], sorted(c["person_id"] for c in json.loads(r["candidates"])))
            for r in rows}


def test_members_without_a_number_are_tied_through_the_head_s_number():
    kit = Night(AS_OF)
    head, wife, son, daughter = family(kit, "H1", ["王建国", "李丽", "王伟", "阿依古丽·买买提"])
    family(kit, "H2", ["赵强", "王伟"])                 # a namesake in another household: no matter
    kit.records("agri_monitoring", [
        agri("李莉", "王建国", head["id_number"]),                       # 1 homophone, blank number
        agri("王偉", "王建国", head["id_number"], "2.30102E+17"),        # 2 traditional, Excel-mangled number
        agri("阿依古丽•买买提", "王建国", head["id_number"], "-"),          # 3 a dot variant
        agri("王建国", "王建国", head["id_number"]),                      # 4 the head's own row, blank number
        agri("王建国", "王建国", head["id_number"], head["id_number"]),    # 5 a valid number: the exact tier
    ])
    got = links(kit)
    assert got["1"][:2] == (wife["person_id"], "household_context")
    assert got["2"][:2] == (son["person_id"], "household_context")
    assert got["3"][:2] == (daughter["person_id"], "household_context")
    assert got["4"][:2] == (head["person_id"], "household_context")
    assert got["5"] == (head["person_id"], "exact_id", 1.0)
    assert got["1"][2] == kit.params["context_score_head_number"]
    why = json.loads(kit.frame("SELECT explanation FROM link_explanations WHERE record_no = '1'")["explanation"][0])
    assert why["household"] == "head_number" and why["name"] == "pinyin" and why["household_id"] == "H1"


def test_two_members_that_fit_the_name_go_to_review_never_a_guess():
    kit = Night(AS_OF)
    head, a, b = family(kit, "H1", ["张建军", "张丽", "张莉"])   # two daughters whose names read the same
    kit.records("agri_monitoring", [agri("张丽", "张建军", head["id_number"])])
    assert "1" not in links(kit)
    reason, candidates = review(kit)["1"]
    assert "2 members" in reason and candidates == sorted([a["person_id"], b["person_id"]])


def test_a_valid_head_number_nobody_has_names_no_household():
    kit = Night(AS_OF)
    family(kit, "H1", ["孙志刚", "孙悦"])
    stranger = make_id("230102", date(1961, 1, 1), 77)
    kit.records("agri_monitoring", [agri("孙悦", "孙志刚", stranger)])
    assert "1" not in links(kit) or links(kit)["1"][1] != "household_context"


def test_a_head_number_with_one_typo_is_repaired_first():
    kit = Night(AS_OF)
    head, wife = family(kit, "H1", ["欧阳明辉", "刘芳"])
    n = head["id_number"]
    typo = n[:9] + str((int(n[9]) + 3) % 10) + n[10:]
    kit.records("agri_monitoring", [agri("刘芳", "欧阳明辉", typo)])
    got = links(kit)["1"]
    assert got[:2] == (wife["person_id"], "household_context")
    assert got[2] == kit.params["context_score_head_repaired"]


def test_without_a_head_number_the_village_and_the_head_s_name_find_the_household():
    kit = Night(AS_OF)
    head, wife = family(kit, "H1", ["诸葛云龙", "马丽"])
    family(kit, "H2", ["诸葛云龙", "马丽"], village=OTHER_VILLAGE)   # same names, another village
    kit.records("agri_monitoring", [agri("马丽", "诸葛云龙", None)])
    got = links(kit)["1"]
    assert got[:2] == (wife["person_id"], "household_context")
    assert got[2] == kit.params["context_score_head_in_village"]


def test_two_households_of_the_village_whose_heads_share_the_name_give_no_context():
    kit = Night(AS_OF)
    family(kit, "H1", ["李建华", "王芳"])
    family(kit, "H2", ["李建华", "王芳"])
    kit.records("agri_monitoring", [agri("王芳", "李建华", None)])
    assert links(kit).get("1", (None, None))[1] != "household_context"


def test_a_mangled_number_must_fit_the_member_s_number():
    kit = Night(AS_OF)
    head, son = family(kit, "H1", ["周建设", "周杰"])
    other = make_id("230104", date(1990, 6, 6), 55)            # Excel's remains of someone else's number
    mangled = f"{int(other[:6]) / 1e5:.5f}E+17"
    kit.records("agri_monitoring", [agri("周杰", "周建设", head["id_number"], mangled),
                                    agri("周杰", "周建设", head["id_number"], str(round(int(son["id_number"]), -3)))])
    got = links(kit)
    assert got.get("1", (None, None))[1] != "household_context"
    assert got["2"][:2] == (son["person_id"], "household_context")


def test_housing_heads_without_a_number_are_found_in_their_village_unless_a_namesake_is_known():
    kit = Night(AS_OF)
    lone, _ = family(kit, "H1", ["慕容晓雪", "慕容峰"])
    common, _ = family(kit, "H2", ["王秀英", "李强"])
    housing = {"programme": "危房改造", "danger_grade": "C级", "progress": "已完成", "division_code": VILLAGE}
    kit.records("housing", [{**housing, "name": "慕容晓雪", "id_number": None},
                            {**housing, "name": "王秀英", "id_number": None}])
    # another 王秀英 whose number was issued in the county is known (a medical-insurance record)
    kit.records("medins_burden", [{"name": "王秀英", "id_number": make_id("230102", date(1950, 2, 2), 12, "女"),
                                   "insurance_status": "参保", "premium_subsidy": "无", "out_of_pocket_12m": "10",
                                   "medical_assistance": "0"}])
    got = links(kit)
    assert got["1"][:2] == (lone["person_id"], "household_context")
    assert "2" not in got
    reason, candidates = review(kit)["2"]
    assert "another known person" in reason and candidates == [common["person_id"]]


def test_the_tier_never_overrides_a_valid_number_and_comes_before_the_fuzzy_tier():
    """Order: the number tiers decide first (a valid number is never re-tied through a household),
    the household-context tier next, the fuzzy tier sees only what is left."""
    kit = Night(AS_OF)
    head, wife = family(kit, "H1", ["郭建民", "郭霞"])
    kit.records("agri_monitoring", [agri("郭霞", "郭建民", head["id_number"], wife["id_number"]),
                                    agri("郭霞", "郭建民", head["id_number"])])
    order = dict(kit.frame("SELECT record_no, tier_order FROM link_decisions").iter_rows())
    assert order == {"1": 1, "2": 4}
    fuzzy = set(kit.frame("SELECT record_no FROM fuzzy_records")["record_no"])
    assert "2" not in fuzzy


def test_a_warning_resting_on_a_household_tie_says_so():
    """warnings.match names the weakest tie behind a warning: a tie made through the household
    (no valid number of the person's own) is household_context, not one of the number methods."""
    kit = Night(AS_OF)
    head, _ = family(kit, "H1", ["慕容晓雪", "慕容峰"], urban_rural="农村")
    kit.records("housing", [{"programme": "危房改造", "danger_grade": "D级", "progress": "未办理",
                             "division_code": VILLAGE, "name": "慕容晓雪", "id_number": None}])
    found = [(w["person_id"], w["match"]) for w in kit.warnings() if w["rule_code"] == "HOUSING_RENOVATION"]
    assert found == [(head["person_id"], "household_context")]
    assert "household_context" not in kit.params["number_methods"]
    certainty = kit.params["match_certainty"]
    assert certainty.index("household_context") > certainty.index("repaired_id")
    assert certainty.index("clerk_confirmed") < certainty.index("household_context") < certainty.index("fuzzy_name")
