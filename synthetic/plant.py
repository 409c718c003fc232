"""Plant the rule cases (plant_cases.py) into the demo generator, through its `plant=` hook.

    planter = Planter()
    generate(out, cfg, plant=planter)     # or DemoConfig(plant_cases=True), the CLI's default

`prepare(pop, cfg)` (called once, before any source is generated) adds the cases' households
and members to the registry, and the people outside the registry to the general pool, with
fresh valid identity numbers and uncommon names. Then, per source, `__call__` drops the
background rows of planted people (they carry only their planted records), quiets the
background (plant_quiet.py), and appends the planted records. Their numbers and names are
typed cleanly (`clean_keys`), so every planted record links. `write_truth` writes
truth/planted_warnings.parquet: per case and rule, who must (or must not) get a warning.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl

from synthetic import ids, names, population
from synthetic.config import DemoConfig
from synthetic.plant_cases import Case, build_cases, record_values
from synthetic.plant_quiet import Quiet
from synthetic.population import Population

URBAN_COUNTY, RURAL_COUNTY = 230103, 230125      # 南岗区, 宾县


class Planter:
    def __init__(self) -> None:
        self.cases: list[Case] = []
        self.keys: dict[str, int] = {}            # member/outsider handle → person_key
        self.clean_keys = np.zeros(0, dtype=np.int64)
        self.quiet: Quiet | None = None
        self.cfg: DemoConfig | None = None
        self.pop: Population | None = None

    # ------------------------------------------------------------------ population
    def prepare(self, pop: Population, cfg: DemoConfig) -> Population:
        from pipelines.rules.catalogue import load_params

        params = load_params()
        self.cfg, self.cases = cfg, [c for c in build_cases(cfg.as_of, params) if c.demo]
        self.pop = pop = _extend(pop, cfg, self.cases, self.keys)
        self.clean_keys = np.asarray(sorted(self.keys.values()), dtype=np.int64)
        self.quiet = Quiet(pop, params, cfg.seed, self.clean_keys, noisy_share=cfg.background_warning_share,
                           monitoring_share=cfg.monitoring_background)
        return pop

    # ------------------------------------------------------------------ per source
    def __call__(self, source: str, frame: pl.DataFrame, pop: Population, cfg: DemoConfig) -> pl.DataFrame:
        if source.startswith("registry_"):
            return self.quiet(source, frame)
        frame = frame.filter(~pl.col("person_key").is_in(self.clean_keys))
        frame = self.quiet(source, frame)
        rows = [self._row(source, rec) for case in self.cases for rec in case.records if rec.source == source]
        if not rows:
            return frame
        planted = pl.DataFrame(rows, schema={c: frame.schema[c] for c in frame.columns}, strict=False)
        return pl.concat([frame, planted])

    def _who(self, handle: str) -> dict:
        k = self.keys[handle]
        p = self.pop.people.row(k, named=True)
        hh = self.pop.households.filter(pl.col("household_id") == p["household_id"]) if p["household_id"] else None
        division = hh["division_code"][0] if hh is not None and hh.height else f"{p['county']}001001"
        return {"person_key": k, "name": p["name"], "id_number": p["id18"], "sex": p["sex"],
                "birth_date": p["birth_date"], "division_code": division}

    def _row(self, source: str, rec) -> dict:
        who = self._who(rec.who)
        values = dict(rec.values)
        relative = values.pop("relative", None)   # staff_roster: the declared relative's handle
        extra = {}
        if relative is not None:
            rel = self._who(relative)
            values.setdefault("relative_name", rel["name"])
            values.setdefault("relative_id_number", rel["id_number"])
            extra["relative_key"] = rel["person_key"]
        values = record_values(source, values, who, self.cfg.as_of)
        return {"relative_key": -1, **values, **extra, "person_key": who["person_key"], "head_key": who["person_key"]}

    # ------------------------------------------------------------------ truth
    def truth(self) -> pl.DataFrame:
        from pipelines.rules.catalogue import load_catalogue

        cat = load_catalogue()
        rows = []
        for case in self.cases:
            for e in case.expect:
                who = self._who(e.subject)
                p = self.pop.people.row(who["person_key"], named=True)
                registry = e.rule != "MONITORING_INTAKE"
                rows.append({"case_id": case.case_id, "rule_code": e.rule, "expect_fire": e.fires,
                             "category": e.category, "department": cat.rule(e.rule).department,
                             "description": case.description, "person_key": who["person_key"],
                             "person_id": p["person_id"] if registry else None,
                             "household_id": p["household_id"] if registry else None,
                             "id_number": who["id_number"], "name": who["name"]})
        return pl.DataFrame(rows, schema_overrides={"category": pl.Int32})

    def write_truth(self, truth_dir: Path) -> None:
        self.truth().write_parquet(Path(truth_dir) / "planted_warnings.parquet")


def _income(h, cfg: DemoConfig) -> float:
    """A planted household's 家庭月人均收入: the case's, else 300 yuan — for a 低保边缘 household
    20% above the 低保 standard of its area (a margin household is above the line: MARGIN_TO_DIBAO
    fires only where a case says)."""
    if h.income is not None:
        return float(h.income)
    if h.category == "低保边缘":
        return round(float(cfg.dibao_standard.get(h.urban_rural, 760.0)) * 1.2, 2)
    return 300.0


def _extend(pop: Population, cfg: DemoConfig, cases: list[Case], keys: dict[str, int]) -> Population:
    """The population with the cases' registry members inserted after the registry (keys of the
    general pool shift; nothing refers to them yet) and their outsiders appended to the pool."""
    rng = np.random.default_rng(np.random.SeedSequence([cfg.seed, 98]))
    members = [(h, m) for c in cases for h in c.households for m in h.members]
    outsiders = [m for c in cases for m in c.outsiders]
    n_reg, k_reg = pop.n_registry, len(members)
    fresh = [m for _, m in members if not m.same_as] + outsiders
    urban = np.asarray([h.urban_rural == "城市" for h, m in members if not m.same_as] + [True] * len(outsiders))
    county = np.where(urban, URBAN_COUNTY, RURAL_COUNTY).astype(np.int64)
    birth = np.asarray([np.datetime64(m.birth, "D") for m in fresh])
    male = np.asarray([m.sex == "男" for m in fresh])
    taken = set(pop.people["id18"].to_list())
    while True:  # a minted number could, very rarely, be someone's already
        id18 = ids.to_series(ids.mint(rng, county, birth, male)).to_list()
        if not taken & set(id18):
            break
    nm, _, _ = names.draw_names(rng, male, ids.date_parts(birth)[0], single_rate=0.0, double_rate=0.0,
                                minority_rate=0.0)
    ident = {m.handle: (i, nm[i], int(county[i])) for i, m in enumerate(fresh)}

    hh_ids, hh_rows, mem_rows, people_rows = {}, [], [], []
    used_hh = set(pop.households["household_id"].to_list())
    for j, (h, m) in enumerate(members):
        key = n_reg + j
        keys[m.handle] = key
        i, name, cty = ident[m.same_as] if m.same_as else ident[m.handle]
        if h.handle not in hh_ids:
            hid = f"HH{cty}9{len(hh_ids):06d}"
            while hid in used_hh:  # the background drew the same number
                hid = f"HH{cty}9{int(hid[-6:]) + 500:06d}"
            used_hh.add(hid)
            hh_ids[h.handle] = hid
        people_rows.append({"key": key, "i": i, "name": name, "county": cty, "household_id": hh_ids[h.handle],
                            "person_id": f"P9{j:08d}", "in_registry": True})
        mem_rows.append({"person_key": key, "household_id": hh_ids[h.handle], "person_id": f"P9{j:08d}", "name": name,
                         "id_number": id18[i], "sex": m.sex, "birth_date": m.birth, "relation": m.relation,
                         "individually_included": m.single, "labour_capacity": "有", "health": "健康",
                         "disability_grade": None, "employment": "无业"})
    for h in dict.fromkeys(h for h, _ in members):
        head = next(r for r in mem_rows if r["household_id"] == hh_ids[h.handle])
        hh_rows.append({"household_id": hh_ids[h.handle], "head_key": head["person_key"], "head_name": head["name"],
                        "head_id_number": head["id_number"], "urban_rural": h.urban_rural,
                        "assistance_category": h.category, "status": h.status, "included_on": h.included_on,
                        "monthly_benefit": 500.0 if h.category in ("低保", "特困分散", "特困集中") else 0.0,
                        "household_size": len(h.members), "income_per_head": _income(h, cfg),
                        "heating_aid": h.heating})
    hh = pl.DataFrame(hh_rows)
    place = population.division_and_address(rng, cfg, np.asarray([int(r["household_id"][2:8]) for r in hh_rows]),
                                            (hh["urban_rural"] == "城市").to_numpy())
    hh = hh.with_columns(place["division_code"], place["address"]).select(pop.households.columns)
    households = pl.concat([pop.households, hh], how="vertical_relaxed")
    member_frame = pl.concat([pop.members, pl.DataFrame(mem_rows, schema=pop.members.schema, strict=False)])

    n_out = len(outsiders)
    new = pl.DataFrame({
        "id18": [id18[r["i"]] for r in people_rows] + id18[len(fresh) - n_out:],
        "name": [r["name"] for r in people_rows] + list(nm[len(fresh) - n_out:]),
        "county": [str(r["county"]) for r in people_rows] + [str(c) for c in county[len(fresh) - n_out:]],
        "in_registry": [True] * k_reg + [False] * n_out,
        "person_id": [r["person_id"] for r in people_rows] + [None] * n_out,
        "household_id": [r["household_id"] for r in people_rows] + [None] * n_out,
    })
    order = [r["i"] for r in people_rows] + list(range(len(fresh) - n_out, len(fresh)))
    new = new.with_columns(sex=pl.Series([fresh[i].sex for i in order]),
                           birth_date=pl.Series([fresh[i].birth for i in order], dtype=pl.Date),
                           is_decoy=pl.lit(False), decoy_of=pl.lit(None, pl.Int64), minority=pl.lit(False))
    people = pop.people
    reg, rest = people.head(n_reg), people.slice(n_reg).with_columns(pl.col("person_key") + k_reg)
    new = new.with_columns(person_key=pl.Series(list(range(n_reg, n_reg + k_reg))
                                                + list(range(people.height + k_reg, people.height + k_reg + n_out))))
    people = pl.concat([reg, new.head(k_reg).select(people.columns), rest, new.tail(n_out).select(people.columns)],
                       how="vertical_relaxed")
    for j, m in enumerate(outsiders):
        keys[m.handle] = people.height - n_out + j
    b = np.asarray([np.datetime64(fresh[i].birth, "D") for i in order])
    ins = lambda a, new_vals: np.concatenate([a[:n_reg], new_vals[:k_reg], a[n_reg:], new_vals[k_reg:]])  # noqa: E731
    cty_all = np.asarray([int(c) for c in new["county"]])
    return replace(pop, people=people, households=households, members=member_frame, n_registry=n_reg + k_reg,
                   age=ins(pop.age, population.age_at(b, cfg.as_of)), male=ins(pop.male, new["sex"].to_numpy() == "男"),
                   county=ins(pop.county, cty_all), is_decoy=ins(pop.is_decoy, np.zeros(len(order), dtype=bool)),
                   birth=ins(pop.birth, b).astype("datetime64[D]"), _view=None)
