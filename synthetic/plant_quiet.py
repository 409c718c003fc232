"""Keep the generator's background quiet for the warning rules, so that the demo's warnings are
exactly the planted cases (plant_cases.py) and an end-to-end test can say "all found, nothing
else".

Only rows of people who can be linked to a registry person are touched: registry persons and
decoys (a decoy is treated as its registry twin, in case a record of it were ever linked to
the twin). People of the general pool keep their random values, except in agri_monitoring,
where anyone outside the registry with 风险消除 = 否 is a MONITORING_INTAKE case, so every
background row there is 是 (but for a share `monitoring_share` of households, left as drawn, when
a benchmark wants the rule to fire on the background too).

Per low-income person two of the six hardship kinds are allowed (drawn once per population,
independent of which sources are generated), never severe illness or disability for a
低保边缘 member not 单独纳入: no background person reaches MULTI_HARDSHIP's three signals or
DIBAO_SINGLE. Everything else is a value change that fails the rule's condition (aid given,
subsidy paid, vehicle exempt, company 注销, a 低保边缘 household's income above the 低保 standard,
no contributions of a 低保边缘 member, a covered staff member dropped from the roster and a
covered relative's 享受救助备案 = 是 ...). Vectorised: one polars expression per rule.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from synthetic.population import Population

KINDS = ("ill", "disabled", "unemployed", "disaster", "cancer", "housing")
COVERED = ("低保", "特困分散", "特困集中")
TEKUN = ("特困分散", "特困集中")


class Quiet:
    def __init__(self, pop: Population, params: dict, seed: int, planted: np.ndarray, noisy_share: float = 0.0,
                 monitoring_share: float = 0.0):
        n, n_reg = pop.n, pop.n_registry
        # agri_monitoring households (by head) whose 风险消除 stays as drawn
        self.monitored = (np.random.default_rng(np.random.SeedSequence([seed, 97])).random(n) < monitoring_share
                          if monitoring_share > 0 else np.zeros(n, dtype=bool))
        keys = np.arange(n)
        decoy_of = pop.people["decoy_of"].fill_null(-1).to_numpy()
        self.reg = np.where(keys < n_reg, keys, np.where(pop.is_decoy, decoy_of, -1))
        if noisy_share > 0:  # these registry persons (and their decoys) keep their drawn values
            noisy = np.random.default_rng(np.random.SeedSequence([seed, 98])).random(n_reg) < noisy_share
            self.reg = np.where((self.reg >= 0) & noisy[np.maximum(self.reg, 0)], -1, self.reg)
        view = pl.DataFrame({"person_key": np.arange(n_reg)}).join(pop.registry_view(), on="person_key", how="left",
                                                                    maintain_order="left")
        self.active = (view["status"] == "有效").fill_null(False).to_numpy()
        self.cat = view["assistance_category"].fill_null("").to_numpy().astype(str)
        self.single = (view["individually_included"] == "是").fill_null(False).to_numpy()
        self.covered = self.active & (np.isin(self.cat, COVERED) | self.single)
        rng = np.random.default_rng(np.random.SeedSequence([seed, 99]))
        allowed = np.zeros((n_reg, len(KINDS)), dtype=bool)
        two = np.argsort(rng.random((n_reg, len(KINDS))), axis=1)[:, :2]
        allowed[np.arange(n_reg)[:, None], two] = True
        edge = self.active & (self.cat == "低保边缘") & ~self.single
        allowed[edge, :2] = False  # neither ill nor disabled: DIBAO_SINGLE stays quiet
        self.allowed = allowed
        self.params = params
        self.planted = planted

    def facts(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Helper columns per row: _known (linkable to the registry), _active, _covered, _cat,
        and _allow_<kind>."""
        r = self.reg[frame["person_key"].to_numpy()]
        known = r >= 0
        rr = np.where(known, r, 0)
        cols = {"_known": known, "_active": known & self.active[rr], "_covered": known & self.covered[rr],
                "_cat": np.where(known, self.cat[rr], "")}
        for i, kind in enumerate(KINDS):
            cols[f"_allow_{kind}"] = ~known | ~self.active[rr] | self.allowed[rr, i]
        return frame.with_columns(**{k: pl.Series(v) for k, v in cols.items()})

    def __call__(self, source: str, frame: pl.DataFrame) -> pl.DataFrame:
        fix = getattr(self, f"_{source}", None)
        if fix is None or frame.height == 0:
            return frame
        if source == "registry_households":
            return fix(frame)
        out = fix(self.facts(frame), pl.col)
        return out.drop(pl.selectors.starts_with("_"))

    # ------------------------------------------------------------------ one per source
    def _registry_households(self, f: pl.DataFrame) -> pl.DataFrame:
        background = ~pl.col("head_key").is_in(self.planted)
        standard = self.params["dibao_standard"]
        line = pl.when(pl.col("urban_rural") == "城市").then(pl.lit(float(standard["城市"]))) \
            .otherwise(pl.lit(float(standard["农村"])))
        low_margin = background & (pl.col("assistance_category") == "低保边缘") & (pl.col("income_per_head") <= line)
        return f.with_columns(
            heating_aid=pl.when(background & (pl.col("heating_aid") == "未发放"))
            .then(pl.lit("已发放")).otherwise(pl.col("heating_aid")),
            income_per_head=pl.when(low_margin).then(line + 0.01).otherwise(pl.col("income_per_head")))

    def _edu_students(self, f, c):
        blank = c("_known") & c("aid_programme").is_null()
        return f.with_columns(aid_programme=pl.when(blank).then(pl.lit("生活补助")).otherwise(c("aid_programme")),
                              aid_amount=pl.when(blank).then(pl.lit(1000.0)).otherwise(c("aid_amount")))

    def _hrss_unemployed(self, f, c):
        f = f.filter(c("_allow_unemployed"))
        return f.with_columns(employment_aid=pl.when(c("_known")).then(pl.lit("是")).otherwise(c("employment_aid")))

    def _hrss_contributions(self, f, c):
        return f.filter(~(c("_active") & c("_cat").is_in((*COVERED, "低保边缘"))))

    def _health_serious_illness(self, f, c):
        return f.filter(c("_allow_ill"))

    def _medins_burden(self, f, c):
        ref = float(self.params["income_reference_yuan"])
        cap = float(self.params["catastrophic_multiple"]) * ref - 100
        burden = c("out_of_pocket_12m")
        burden = pl.when(c("_active")).then(pl.min_horizontal(burden, pl.lit(cap))).otherwise(burden)
        burden = pl.when(~c("_allow_ill")).then(pl.min_horizontal(burden, pl.lit(ref - 100))).otherwise(burden)
        subsidy = (pl.when(c("_active") & c("_cat").is_in(TEKUN)).then(pl.lit("全额资助"))
                   .when(c("_active") & (c("_cat").is_in(["低保", "返贫监测"]) | c("_covered"))
                         & (c("premium_subsidy") == "无")).then(pl.lit("定额资助"))
                   .otherwise(c("premium_subsidy")))
        return f.with_columns(out_of_pocket_12m=burden, premium_subsidy=subsidy,
                              insurance_status=pl.when(c("_known")).then(pl.lit("参保")).otherwise(c("insurance_status")))

    def _housing(self, f, c):
        danger = (c("programme") == "危房改造") & c("danger_grade").is_in(["C级", "D级"])
        progress = (pl.when(danger & ~c("_allow_housing")).then(pl.lit("已完成"))
                    .when(danger & c("_known") & (c("progress") == "未办理")).then(pl.lit("在办"))
                    .otherwise(c("progress")))
        return f.with_columns(progress=progress)

    def _emergency_victims(self, f, c):
        severe = c("house_damage").is_in(["严重损坏", "倒塌"])
        return f.with_columns(
            relief_paid=pl.when(c("_known") & (c("relief_paid") == 0)).then(pl.lit(800.0)).otherwise(c("relief_paid")),
            house_damage=pl.when(severe & ~c("_allow_disaster")).then(pl.lit("一般损坏")).otherwise(c("house_damage")))

    def _dpf_disabled(self, f, c):
        p = self.params
        severe = (c("disability_grade").is_in(p["severe_disability_grades"])
                  | ((c("disability_grade") == "三级") & c("disability_kind").is_in(p["severe_disability_grade3_kinds"])))
        down = severe & ~c("_allow_disabled")
        return f.with_columns(
            disability_grade=pl.when(down).then(pl.lit("四级")).otherwise(c("disability_grade")),
            card_no=pl.when(down).then(c("card_no").str.slice(0, 19) + "4").otherwise(c("card_no")),
            living_subsidy=pl.when(c("_known")).then(pl.lit("已享受")).otherwise(c("living_subsidy")))

    def _acftu_workers(self, f, c):
        return f.with_columns(aid_status=pl.when(c("_known")).then(pl.lit("已帮扶")).otherwise(c("aid_status")))

    def _acwf_two_cancers(self, f, c):
        p = self.params
        qualifying = (((c("cancer") == "宫颈癌") & c("stage").is_in(p["cervical_cancer_stages"]))
                      | ((c("cancer") == "乳腺癌") & ~c("stage").is_in(p["breast_cancer_excluded_stages"])))
        down = qualifying & ~c("_allow_cancer")
        stage = pl.when(down & (c("cancer") == "宫颈癌")).then(pl.lit("IIA")).when(down).then(pl.lit("0期"))
        return f.with_columns(stage=stage.otherwise(c("stage")),
                              aided=pl.when(c("_known")).then(pl.lit("是")).otherwise(c("aided")))

    def _agri_monitoring(self, f, c):
        keep = pl.Series(self.monitored[f["head_key"].to_numpy()])
        return f.with_columns(risk_cleared=pl.when(keep).then(c("risk_cleared")).otherwise(pl.lit("是")))

    def _mps_cancellations(self, f, c):
        f = f.filter(~(c("_active") & (c("reason") == "死亡")))
        home = self.params["home_province"] + "哈尔滨市"
        return f.with_columns(destination=pl.when(c("_active") & (c("reason") == "迁出")).then(pl.lit(home))
                              .otherwise(c("destination")))

    def _staff_roster(self, f, c):
        """No covered staff member (their rows go); a covered relative's 享受救助备案 is 是."""
        rel = f["relative_key"].to_numpy()
        r = self.reg[np.maximum(rel, 0)]
        covered_relative = (rel >= 0) & (r >= 0) & self.covered[np.maximum(r, 0)]
        f = f.with_columns(filed_assistance=pl.when(pl.Series(covered_relative)).then(pl.lit("是"))
                           .otherwise(c("filed_assistance")))
        return f.filter(~c("_covered"))

    def _vehicles(self, f, c):
        counts = (c("vehicle_status") == "正常") & ~c("vehicle_type").is_in(self.params["vehicle_exempt_types"])
        return f.with_columns(vehicle_type=pl.when(c("_covered") & counts).then(pl.lit("摩托车"))
                              .otherwise(c("vehicle_type")))

    def _market_entities(self, f, c):
        return f.with_columns(entity_status=pl.when(c("_covered") & (c("entity_status") == "存续"))
                              .then(pl.lit("注销")).otherwise(c("entity_status")))
