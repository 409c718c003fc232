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

REGISTRY_SOURCES = ("registry_households", "registry_persons")
DEPARTMENT_SOURCES = (
    "edu_students", "hrss_unemployed", "hrss_contributions", "health_serious_illness", "medins_burden",
    "housing", "emergency_victims", "dpf_disabled", "acftu_workers", "acwf_two_cancers",
    "agri_monitoring", "mps_cancellations", "vehicles", "market_entities",
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
})
# Share of a source's records (persons for hrss_contributions, households for agri_monitoring,
# heads for housing) that belong to registry persons; capped by how many registry persons fit.
DEFAULT_REGISTRY_SHARE = _ro({
    "dpf_disabled": 0.45, "health_serious_illness": 0.40, "acftu_workers": 0.45, "edu_students": 0.30,
    "medins_burden": 0.25, "agri_monitoring": 0.50, "acwf_two_cancers": 0.40, "housing": 0.40,
    "hrss_unemployed": 0.30, "emergency_victims": 0.25, "mps_cancellations": 0.15,
    "hrss_contributions": 0.03, "vehicles": 0.04, "market_entities": 0.02,
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
    "acftu_workers": 7, "acwf_two_cancers": 7, "dpf_disabled": 9,
})
DEFAULT_OLDER_DELIVERY = _ro({"dpf_disabled": 30, "mps_cancellations": 30, "medins_burden": 31})
DEFAULT_NEWER_DELIVERY = _ro({"vehicles": 4})              # days after as_of, complete
DEFAULT_INCOMPLETE_DELIVERY = _ro({"hrss_unemployed": 0})  # days before as_of, no _SUCCESS
DEFAULT_ENCODINGS = _ro({
    "registry_households": "utf-8-sig", "registry_persons": "utf-8-sig",
    "hrss_unemployed": "gb18030", "hrss_contributions": "gb18030", "acftu_workers": "gb18030",
    "mps_cancellations": "gb18030", "emergency_victims": "utf-8-sig", "health_serious_illness": "utf-8",
    "medins_burden": "utf-8", "agri_monitoring": "utf-8", "vehicles": "utf-8", "market_entities": "utf-8",
})

# ------------------------------------------------------------------ registry
DEFAULT_HOUSEHOLD_SIZES = _ro({1: 0.35, 2: 0.25, 3: 0.20, 4: 0.12, 5: 0.06, 6: 0.02})
DEFAULT_CATEGORIES = _ro({"低保": 0.45, "特困分散": 0.08, "特困集中": 0.03, "返贫监测": 0.10,
                          "低保边缘": 0.14, "刚性支出": 0.12, "其他困难": 0.08})
DEFAULT_DIBAO_STANDARD = _ro({"城市": 760.0, "农村": 560.0})


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
    individually_included_rate: float = 0.02
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
    encodings: Mapping[str, str] = _d(DEFAULT_ENCODINGS)

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
    def selected_sources(self) -> tuple[str, ...]:
        return ALL_SOURCES if self.sources is None else tuple(s for s in ALL_SOURCES if s in self.sources)
