"""`DemoConfig`: every tunable of the demo generator, with realistic defaults.

The functions of this package read their rates, shares and tables from here; none is
hard-coded where it is used. Rates are per record unless said otherwise. Override with
`dataclasses.replace(DemoConfig(), households=200, ...)` or by passing keyword arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Mapping

from pipelines.contracts import load_contracts

REGISTRY_SOURCES = ("registry_households", "registry_persons")
DEPARTMENT_SOURCES = (
    "edu_students", "hrss_unemployed", "hrss_contributions", "health_serious_illness", "medins_burden",
    "housing", "emergency_victims", "dpf_disabled", "acftu_workers", "acwf_two_cancers",
    "agri_monitoring", "mps_cancellations", "vehicles", "market_entities", "staff_roster",
)
ALL_SOURCES = REGISTRY_SOURCES + DEPARTMENT_SOURCES

ID_CORRUPTIONS = ("clean", "fullwidth", "spaces", "quote", "lower_x", "id15", "typo", "transposition",
                  "mangled", "blank")
NAME_CORRUPTIONS = ("clean", "homophone", "traditional", "spaces", "dot_variant")


def _ro(d: dict) -> Mapping:
    return MappingProxyType(dict(d))


def _d(default: Mapping):
    """A read-only table as a dataclass default (pass a plain dict to override)."""
    return field(default_factory=lambda: default)


# Identity numbers as departments type them. `lower_x` applies only to numbers ending in X,
# `id15` only to people born before 2000, `mangled` only to all-digit numbers (Excel leaves
# "...X" as text); the rate is of all records, drawn among the eligible ones.
DEFAULT_ID_CORRUPTION = _ro({
    "fullwidth": 0.010, "spaces": 0.012, "quote": 0.008, "lower_x": 0.008, "id15": 0.010,
    "typo": 0.010, "transposition": 0.005, "mangled": 0.015, "blank": 0.020,
})
# The registry's own extract: mostly clean, ~0.3% with a formatting problem or one typo.
DEFAULT_REGISTRY_ID_CORRUPTION = _ro({
    "fullwidth": 0.0005, "spaces": 0.0008, "lower_x": 0.0004, "typo": 0.0010, "transposition": 0.0003,
})
# Records of decoys (namesakes of registry persons) come with a blank or mangled number often.
DEFAULT_DECOY_ID_CORRUPTION = _ro({
    "blank": 0.35, "mangled": 0.25, "fullwidth": 0.01, "spaces": 0.01, "id15": 0.01, "typo": 0.01,
})
DEFAULT_NAME_CORRUPTION = _ro({
    "homophone": 0.010, "traditional": 0.005, "spaces": 0.012,
    # share of records of minority (middle-dot) names written with `•`, `.` or `。`
    "dot_variant": 0.40,
})
DEFAULT_REGISTRY_NAME_CORRUPTION = _ro({"spaces": 0.001})
# How Excel mangled numbers look in a CSV: scientific text with 6/9/12 significant digits or
# the 15-significant-digit integer text.
DEFAULT_MANGLED_STYLES = _ro({"sci6": 0.3, "sci9": 0.25, "sci12": 0.2, "int15": 0.25})
DEFAULT_MONEY_STYLES = _ro({"plain": 0.93, "thousands": 0.04, "yuan": 0.03})
# Date styles: iso 2024-03-01, slash 2024/3/1, compact 20240301, cn 2024年3月1日, excel = a date cell.
DEFAULT_CSV_DATE_STYLES = _ro({"iso": 0.50, "slash": 0.20, "compact": 0.15, "cn": 0.15})
DEFAULT_EXCEL_DATE_STYLES = _ro({"excel": 0.60, "iso": 0.20, "slash": 0.15, "cn": 0.05})

# Department records per registry household at dept_scale 1 (from the sample's proportions).
DEFAULT_RECORDS_PER_HOUSEHOLD = _ro({
    "hrss_contributions": 8.7, "medins_burden": 6.7, "edu_students": 1.6, "vehicles": 1.1,
    "market_entities": 0.53, "dpf_disabled": 0.53, "hrss_unemployed": 0.43, "housing": 0.38,
    "agri_monitoring": 0.32, "health_serious_illness": 0.32, "emergency_victims": 0.28,
    "mps_cancellations": 0.27, "acftu_workers": 0.15, "acwf_two_cancers": 0.085,
    "staff_roster": 0.12,   # rows: staff members' own rows and their declared relatives
})
# Share of a source's records (persons for hrss_contributions, households for agri_monitoring,
# heads for housing) that belong to registry persons; capped by how many registry persons fit.
DEFAULT_REGISTRY_SHARE = _ro({
    "dpf_disabled": 0.45, "health_serious_illness": 0.40, "acftu_workers": 0.45, "edu_students": 0.30,
    "medins_burden": 0.25, "agri_monitoring": 0.50, "acwf_two_cancers": 0.40, "housing": 0.40,
    "hrss_unemployed": 0.30, "emergency_victims": 0.25, "mps_cancellations": 0.15,
    "hrss_contributions": 0.03, "vehicles": 0.04, "market_entities": 0.02,
    "staff_roster": 0.20,   # staff members who are registry persons
})
# Probability that a decoy appears in a source it fits (age, sex) — on top of the normal draw.
DEFAULT_DECOY_PRESENCE = _ro({s: 0.12 for s in DEPARTMENT_SOURCES} | {"hrss_contributions": 0.25,
                                                                         "medins_burden": 0.35})

# ------------------------------------------------------------------ deliveries
# Main delivery: days before as_of. Older complete snapshot: days before the main one.
DEFAULT_DELIVERY_OFFSET = _ro({
    "registry_households": 0, "registry_persons": 0, "hrss_contributions": 0, "medins_burden": 0,
    "housing": 0, "market_entities": 0, "vehicles": 0, "hrss_unemployed": 1, "edu_students": 1,
    "health_serious_illness": 3, "emergency_victims": 5, "agri_monitoring": 5, "mps_cancellations": 5,
    "acftu_workers": 7, "acwf_two_cancers": 7, "dpf_disabled": 9, "staff_roster": 12,
})
DEFAULT_OLDER_DELIVERY = _ro({"dpf_disabled": 30, "mps_cancellations": 30, "medins_burden": 31})
DEFAULT_NEWER_DELIVERY = _ro({"vehicles": 4})              # days after as_of, complete
DEFAULT_INCOMPLETE_DELIVERY = _ro({"hrss_unemployed": 0})  # days before as_of, no _SUCCESS
# CSV exports that put a byte-order mark before UTF-8 (sources.md: "UTF-8 with or without BOM");
# which encoding each source is written in is its contract's (`DemoConfig.encodings`).
DEFAULT_UTF8_BOM = ("emergency_victims",)

# ------------------------------------------------------------------ registry
DEFAULT_HOUSEHOLD_SIZES = _ro({1: 0.30, 2: 0.27, 3: 0.21, 4: 0.13, 5: 0.06, 6: 0.03})  # ≈2.4 persons
DEFAULT_CATEGORIES = _ro({"低保": 0.45, "特困分散": 0.08, "特困集中": 0.03, "返贫监测": 0.10,
                          "低保边缘": 0.14, "刚性支出": 0.12, "其他困难": 0.08})
DEFAULT_DIBAO_STANDARD = _ro({"城市": 760.0, "农村": 560.0})


# Value mixes: the distributions each generator draws from (shares, weights, ranges in days or
# years). `DemoConfig.mix` overrides them per source, key by key (see `DemoConfig.mix_for`).
DEFAULT_MIX: Mapping[str, Mapping] = _ro({
    "population": _ro({  # the province's people (the non-registry pool)
        "age_pyramid": {"ages": [0, 15, 30, 45, 60, 70, 80, 90, 99],
                        "weights": [0.55, 0.75, 1.0, 1.15, 1.3, 1.0, 0.5, 0.15, 0.02]},
        "male": 0.5,
    }),
    "registry": _ro({
        "urban_share": {"district": 0.85, "county": 0.25},     # 城市 among households of 市辖区 / counties
        "head_male": 0.6,
        "head_age": {"ages": [0, 22, 30, 45, 55, 65, 75, 85, 95, 99], "weights": [0, 0, 0.3, 0.8, 1.2, 1.3, 1.0, 0.5, 0.1, 0]},
        # relation of the 2nd member, then of the others: 配偶 子女 父母 孙子女 兄弟姐妹 其他
        "second_member": [0.70, 0.22, 0.04, 0.0, 0.02, 0.02],
        "other_members": [0.0, 0.72, 0.10, 0.12, 0.03, 0.03],
        "children_take_father_surname": 0.95,
        "ill": {"child": 0.03, "adult": 0.07, "old": 0.14},       # 重病
        "chronic": {"child": 0.05, "adult": 0.18, "old": 0.40},   # 慢性病
        "disabled": {"young": 0.09, "old": 0.16},
        "disability_grades": [0.15, 0.25, 0.30, 0.30],            # 一级..四级
        "labour": {"adult": [0.78, 0.14, 0.08], "old": [0.10, 0.30, 0.60]},   # 有 部分 无
        "employment": {                                           # 在业 失业 无业 在校 学龄前 退休
            "youth": [0.15, 0.08, 0.12, 0.65, 0, 0], "adult": [0.42, 0.18, 0.40, 0, 0, 0],
            "old": [0.03, 0, 0.55, 0, 0, 0.42]},
        "individually_included": {"eligible": 0.25, "other": 0.004},  # eligible: ill/disabled in 低保边缘/刚性支出
        "included_since": "2014-01-01",
        "included_skew": 0.8,                                      # <1: more recent inclusions
        "income_vs_standard": {"低保": [0.0, 0.9], "特困": [0.0, 0.5], "低保边缘": [1.0, 1.5], "other": [0.6, 2.2]},
        "tekun_benefit_factor": 1.3,                               # 特困 benefit ≈ standard × this + up to 200
    }),
    "edu_students": _ro({"high_school_general": 0.8, "university_bachelor": 0.6, "aided": {"low_income": 0.75, "other": 0.12},
                         "free_tuition": 0.5}),
    "hrss_unemployed": _ro({"registry_weight": {"失业": 6.0, "无业": 2.0, "other": 0.3}, "registered_within_days": 730,
                            "employment_aid": 0.5, "city_agency": 0.1}),
    "hrss_contributions": _ro({"registry_weight": {"在业": 5.0, "other": 0.4}, "flexible": {"registry": 0.6, "other": 0.15},
                               "median_base": {"registry": 3600.0, "other": 5200.0}, "base_sigma": 0.4,
                               "base_range": [3000.0, 40000.0]}),
    "health_serious_illness": _ro({"registry_weight": {"重病": 10.0, "慢性病": 2.0, "other": 0.5},
                                   "diagnosed_within_days": 5 * 365}),
    "medins_burden": _ro({
        "insurance_status": {"参保": 0.92, "未参保": 0.03, "中断": 0.05},
        # 参保资助类型 (全额资助, 定额资助, 无) by who the person is
        "subsidy": {"tekun": [0.90, 0.07, 0.03], "dibao": [0.25, 0.60, 0.15], "watch": [0.0, 0.6, 0.4],
                    "low_income": [0.0, 0.15, 0.85], "other": [0.0, 0.02, 0.98]},
        "spent": 0.45, "burden_log_mean": 7.6, "burden_log_sigma": 1.25, "burden_range": [50.0, 300000.0],
        "assisted": 0.6, "assist_share": [0.1, 0.6]}),
    "housing": _ro({"registry_rural_weight": 3.0, "rural_renovation": 0.9, "urban_renovation": 0.05,
                    "urban_public": 0.5, "other_rural_in_district": 0.15,
                    "danger_grade": {"C级": 0.45, "D级": 0.35, None: 0.20},
                    "progress": {"已完成": 0.6, "在办": 0.2, "未办理": 0.2}}),
    "emergency_victims": _ro({"month_weights": [1, 1, 1, 2, 3, 5, 9, 10, 6, 2, 1, 1], "years_back": 2,
                              "damage": {"无": 0.6, "一般损坏": 0.25, "严重损坏": 0.1, "倒塌": 0.05},
                              "unpaid": 0.5, "paid_range": [500.0, 8000.0]}),
    "dpf_disabled": _ro({"registry_weight": {"disabled": 12.0, "other": 0.4},
                         "grades": {"一级": 0.12, "二级": 0.2, "三级": 0.3, "四级": 0.38},
                         "living_subsidy": {"low_income": 0.7, "other": 0.1}, "care_subsidy": {"severe": 0.75, "other": 0.02}}),
    "acftu_workers": _ro({"registry_weight": {"在业": 3.0, "other": 1.0}, "filed_within_days": 4 * 365, "aided": 0.6}),
    "acwf_two_cancers": _ro({"cervical": 0.45, "diagnosed_within_days": 3 * 365, "aided": 0.55}),
    "agri_monitoring": _ro({"weight": {"返贫监测": 8.0, "other": 1.0, "rural": 4.0, "urban": 0.3},
                            "other_sizes": {1: 0.3, 2: 0.3, 3: 0.2, 4: 0.15, 5: 0.05},
                            "monitoring_type": {"脱贫不稳定户": 0.45, "边缘易致贫户": 0.4, "突发严重困难户": 0.15},
                            "risk_cleared": 0.6}),
    "mps_cancellations": _ro({"death_by_age": {"from": 40, "span": 45, "min": 0.02, "max": 0.92}, "moved_share": 0.9,
                              "destination": {"in_province": 0.55, "other_province": 0.40, "no_province": 0.05},
                              "cancelled_within_days": 365}),
    "vehicles": _ro({"types_registry": [0.30, 0.05, 0.02, 0.25, 0.15, 0.20, 0.03],   # order of refdata.VEHICLE_TYPES
                     "types_other": [0.62, 0.14, 0.02, 0.09, 0.05, 0.06, 0.02],
                     "status": {"正常": 0.85, "注销": 0.08, "报废": 0.07}, "registered_within_days": 15 * 365}),
    "market_entities": _ro({"status": {"存续": 0.75, "注销": 0.2, "吊销": 0.05}, "founded_days": [30, 20 * 365]}),
    "staff_roster": _ro({
        # 职务 of the staff members
        "positions": {"村党组织书记": 0.12, "村委会主任": 0.12, "村（居）委会委员": 0.25, "社区工作人员": 0.18,
                      "社会救助协理员": 0.15, "乡镇（街道）经办人员": 0.12, "县级经办人员": 0.06},
        "relatives": {0: 0.3, 1: 0.35, 2: 0.25, 3: 0.1},          # near relatives declared per staff member
        "relation": {"配偶": 0.35, "父母": 0.25, "子女": 0.25, "兄弟姐妹": 0.1, "其他近亲属": 0.05},
        "relative_in_registry": 0.3,                               # declared relatives who are registry persons
        "filed": {"是": 0.2, "否": 0.6, None: 0.2},                # 享受救助备案
        "township_staff": 0.2}),                                   # serve a township (code ends in 000)
})


@dataclass(frozen=True)
class DemoConfig:
    seed: int = 20261128
    as_of: date = date(2026, 11, 28)
    households: int = 4000
    dept_scale: float = 1.0
    excel_part_rows: int = 1_000_000
    csv_part_rows: int = 4_000_000
    sources: tuple[str, ...] | None = None

    # people
    decoy_rate: float = 0.01                 # decoys per registry person
    decoy_same_county: float = 0.85          # a decoy lives (and was born) in its twin's county
    decoy_presence: Mapping[str, float] = _d(DEFAULT_DECOY_PRESENCE)
    # Every decoy is an ordinary insured person: it appears in this source with its own valid
    # number (the province knows it exists), whatever its other records look like. Without any
    # valid trace no method could tell a decoy from its registry twin.
    decoy_anchor_source: str | None = "medins_burden"
    minority_rate: float = 0.005             # names with a middle dot
    other_province_rate: float = 0.03        # born (identity number) outside the province
    other_county_birth_rate: float = 0.08    # born in another county of the province
    single_given_name_rate: float = 0.30     # 王伟: one-character given names from a short list
    common_double_rate: float = 0.45         # two-character given names from the era's common list
    nonregistry_pool_factor: float = 1.3     # pool of non-registry people = max need per source × this

    # registry
    household_sizes: Mapping[int, float] = _d(DEFAULT_HOUSEHOLD_SIZES)
    categories: Mapping[str, float] = _d(DEFAULT_CATEGORIES)
    terminated_rate: float = 0.08
    dibao_standard: Mapping[str, float] = _d(DEFAULT_DIBAO_STANDARD)
    heating_not_paid_rate: float = 0.15
    townships_per_county: int = 12
    villages_per_township: int = 15

    # departments
    records_per_household: Mapping[str, float] = _d(DEFAULT_RECORDS_PER_HOUSEHOLD)
    registry_share: Mapping[str, float] = _d(DEFAULT_REGISTRY_SHARE)
    contribution_months: int = 6
    contribution_missing_rate: float = 0.12  # workers missing one or more of the months
    second_vehicle_rate: float = 0.10
    second_company_rate: float = 0.08

    # messiness
    id_corruption: Mapping[str, float] = _d(DEFAULT_ID_CORRUPTION)
    # per "<source>.<column>": the identity-number corruption rates of that one column instead of
    # `id_corruption` (e.g. agri_monitoring's member numbers blank or mangled more often than the
    # head's beside them, as a benchmark of the household-context tier needs)
    column_id_corruption: Mapping[str, Mapping[str, float]] = _d(_ro({}))
    registry_id_corruption: Mapping[str, float] = _d(DEFAULT_REGISTRY_ID_CORRUPTION)
    decoy_id_corruption: Mapping[str, float] = _d(DEFAULT_DECOY_ID_CORRUPTION)
    name_corruption: Mapping[str, float] = _d(DEFAULT_NAME_CORRUPTION)
    registry_name_corruption: Mapping[str, float] = _d(DEFAULT_REGISTRY_NAME_CORRUPTION)
    mangled_styles: Mapping[str, float] = _d(DEFAULT_MANGLED_STYLES)
    money_styles: Mapping[str, float] = _d(DEFAULT_MONEY_STYLES)
    csv_date_styles: Mapping[str, float] = _d(DEFAULT_CSV_DATE_STYLES)
    excel_date_styles: Mapping[str, float] = _d(DEFAULT_EXCEL_DATE_STYLES)
    code_alias_rate: float = 0.003           # a coded value written with an alias spelling of the schema
    header_alias_rate: float = 0.15          # per delivery and person column: an alias header of the schema
    excel_notes_sheet: tuple[str, ...] = ("dpf_disabled", "edu_students")

    # deliveries
    delivery_offset: Mapping[str, int] = _d(DEFAULT_DELIVERY_OFFSET)
    older_delivery: Mapping[str, int] = _d(DEFAULT_OLDER_DELIVERY)
    newer_delivery: Mapping[str, int] = _d(DEFAULT_NEWER_DELIVERY)
    incomplete_delivery: Mapping[str, int] = _d(DEFAULT_INCOMPLETE_DELIVERY)
    snapshot_drop_rate: float = 0.05         # records of the main snapshot missing from another one
    incomplete_fraction: float = 0.6         # rows present in a delivery still being copied
    utf8_bom: tuple[str, ...] = DEFAULT_UTF8_BOM

    # value mixes per source (partial overrides: {"medins_burden": {"spent": 0.6}})
    mix: Mapping[str, Mapping] = _d(_ro({}))

    # planted rule cases (synthetic/plant.py): every warning rule's firing cases and near
    # misses, on a background kept quiet for the rules; `python -m synthetic demo` plants by default
    plant_cases: bool = False
    # with plant_cases: share of registry persons whose background values are left as drawn
    # (not quieted), so that a benchmark sees a realistic volume of warnings besides the planted
    background_warning_share: float = 0.0
    # with plant_cases: share of agri_monitoring's background households whose 风险消除 is left as
    # drawn instead of 是 — MONITORING_INTAKE then fires on the background too (outsiders, members
    # of 已终止 households), and on any registry member the linker fails to tie (benchmarks)
    monitoring_background: float = 0.0

    # execution
    excel_workers: int = 1                   # processes writing Excel parts beside the main one (0 = inline)
    excel_background_min_rows: int = 200_000  # below this many Excel rows, write inline (spawning costs ~1 s)

    def __post_init__(self) -> None:
        if self.sources is not None:
            unknown = set(self.sources) - set(ALL_SOURCES)
            if unknown:
                raise ValueError(f"unknown sources: {sorted(unknown)}")
        if self.households < 1 or self.dept_scale < 0 or self.excel_part_rows < 1 or self.csv_part_rows < 1:
            raise ValueError("households, excel_part_rows, csv_part_rows must be positive, dept_scale >= 0")
        for label, rates, allowed in (
            *((f"column_id_corruption[{k}]", v, ID_CORRUPTIONS) for k, v in self.column_id_corruption.items()),
            ("id_corruption", self.id_corruption, ID_CORRUPTIONS),
            ("registry_id_corruption", self.registry_id_corruption, ID_CORRUPTIONS),
            ("decoy_id_corruption", self.decoy_id_corruption, ID_CORRUPTIONS),
            ("name_corruption", self.name_corruption, NAME_CORRUPTIONS),
            ("registry_name_corruption", self.registry_name_corruption, NAME_CORRUPTIONS),
        ):
            bad = set(rates) - set(allowed)
            if bad:
                raise ValueError(f"{label}: unknown kinds {sorted(bad)}")
            if sum(v for k, v in rates.items() if k != "dot_variant") > 1:
                raise ValueError(f"{label}: rates add up to more than 1")

    @property
    def encodings(self) -> dict[str, str]:
        """Per CSV source, the encoding its files are written in: the first (preferred) of its
        contract's encodings, with a BOM when that is UTF-8 and the source is in `utf8_bom`."""
        out = {}
        for source, c in load_contracts().items():
            if c.format != "csv":
                continue
            enc = c.encodings[0] if c.encodings else "utf-8"
            out[source] = "utf-8-sig" if enc == "utf-8" and source in self.utf8_bom else enc
        return out

    def mix_for(self, key: str) -> dict:
        """The value mix of a source (or "registry"): defaults, then this config's overrides."""
        return {**DEFAULT_MIX.get(key, {}), **self.mix.get(key, {})}

    @property
    def selected_sources(self) -> tuple[str, ...]:
        return ALL_SOURCES if self.sources is None else tuple(s for s in ALL_SOURCES if s in self.sources)
