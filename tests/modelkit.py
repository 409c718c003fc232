"""Run the real models of a night on a few rows written in a test: no files, no warehouse.

    kit = Night(date(2026, 11, 28))
    kit.household("H1", category="低保", members=[kit.person("P1", "张三", id_number=...)])
    kit.records("vehicles", [{"name": "张三", "id_number": ..., "vehicle_type": "小型轿车", ...}])
    found = kit.warnings()          # rule_code, person_id, category, evidence ... (warnings_found)

Rows are given in a source's canonical column names with the text a department would type; they
go through the contract's normaliser (pipelines.normalise), as staging would, so a test's rows
mean what a delivery's rows mean. The link and rules steps then run on one in-memory DuckDB
engine (pipelines.models.runner), exactly the models a night runs. The engine is DuckDB, or Spark
with LOWINCOME_TEST_ENGINE=spark or Night(..., engine="spark") (one local session per process).
"""

from __future__ import annotations

import json
import os
from datetime import date
from itertools import count

import polars as pl

from pipelines.contracts import load_contracts
from pipelines.engine.duckdb_engine import DuckDBEngine
from pipelines.models.inputs import night_params
from pipelines.models.runner import NightContext, run_step, seed_tables
from pipelines.normalise.frame import empty_staged, normalise_frame
from pipelines.store.night import _history_shapes
from pipelines.normalise.idnumbers import check_char

_seq = count(1)
ENGINE = os.environ.get("LOWINCOME_TEST_ENGINE", "duckdb")   # duckdb | spark: what the kit runs models on


def make_engine(kind: str | None = None):
    """A fresh in-memory engine of that kind (Spark: a new session of the process's one)."""
    if (kind or ENGINE) == "spark":
        from pipelines.engine.spark_engine import SparkEngine

        return SparkEngine()
    return DuckDBEngine()


def make_id(county: str, birth: date, seq: int, sex: str = "男") -> str:
    """A valid 18-character identity number (check digit computed)."""
    order = seq * 2 + (1 if sex == "男" else 0)
    first17 = f"{county}{birth:%Y%m%d}{order % 1000:03d}"
    return first17 + check_char(first17)


def staged(source: str, rows: list[dict], delivery_date: date) -> pl.DataFrame:
    """Rows (canonical column → text) typed as staging types them, with delivery_date."""
    contract = load_contracts()[source]
    names = [c.name for c in contract.columns]
    unknown = {k for r in rows for k in r} - set(names)
    if unknown:
        raise KeyError(f"{source} has no column(s) {sorted(unknown)}")
    raw = pl.DataFrame({n: [None if r.get(n) is None else str(r[n]) for r in rows] for n in names},
                       schema={n: pl.String for n in names})
    raw = raw.with_columns(pl.lit(f"{source}.csv").alias("_file"),
                           (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("_row"))
    norm = normalise_frame(contract, raw, delivery_date)
    if norm.rejects.height:
        raise ValueError(f"{source}: rows rejected by the normaliser: {norm.rejects.to_dicts()}")
    return norm.data.with_columns(pl.lit(delivery_date).alias("delivery_date"))


class Night:
    """A night's sources, as few rows as a test needs; `run()` the models, then read relations."""

    def __init__(self, as_of: date, params: dict | None = None, engine: str | None = None):
        self.as_of = as_of
        self.engine_kind = engine or ENGINE
        self.params = {**night_params(), **(params or {})}
        self.rows: dict[str, list[dict]] = {}
        self.engine: DuckDBEngine | None = None
        self.reports = {}

    # ------------------------------------------------------------------ the registry
    def household(self, household_id: str, members: list[dict], category: str = "低保", status: str = "有效",
                  urban_rural: str = "城市", division_code: str = "230102001001", size: int | None = None,
                  income_per_head: str = "300", heating_aid: str | None = None, included_on: str = "2020-01-01",
                  benefit: str = "500") -> None:
        """A registry household; its first member is the head (与户主关系 本人 unless given)."""
        head = members[0]
        self.rows.setdefault("registry_households", []).append({
            "household_id": household_id, "head_name": head["name"], "head_id_number": head.get("id_number"),
            "division_code": division_code, "address": "地址", "urban_rural": urban_rural,
            "assistance_category": category, "status": status, "included_on": included_on,
            "monthly_benefit": benefit, "household_size": str(size or len(members)),
            "income_per_head": income_per_head, "heating_aid": heating_aid})
        for i, m in enumerate(members):
            self.rows.setdefault("registry_persons", []).append({
                "household_id": household_id, "relation": "本人" if i == 0 else "配偶", "individually_included": "否",
                "labour_capacity": "有", "health": "健康", "employment": "无业", **m})

    @staticmethod
    def person(person_id: str, name: str, sex: str = "男", birth: date = date(1980, 5, 17),
               county: str = "230102", id_number: str | None = "auto", **more) -> dict:
        """A registry person's row; a valid identity number made from county, birth and sex."""
        number = make_id(county, birth, next(_seq), sex) if id_number == "auto" else id_number
        return {"person_id": person_id, "name": name, "id_number": number, "sex": sex,
                "birth_date": birth.isoformat(), **more}

    # ------------------------------------------------------------------ departments
    def records(self, source: str, rows: list[dict]) -> None:
        """Department records; 序号 numbered in order when not given."""
        have = self.rows.setdefault(source, [])
        for r in rows:
            have.append({"record_no": str(len(have) + 1), **r})

    # ------------------------------------------------------------------ running
    def run(self, steps=("link", "rules")) -> "Night":
        if self.engine is not None:
            self.engine.close()
        self.engine = make_engine(self.engine_kind)
        usable = {}
        contracts = load_contracts()
        for source, rows in self.rows.items():
            if contracts[source].every_delivery:   # feedback: every delivery of the test is tonight's
                continue
            self.engine.put_frame(f"cur_{source}", staged(source, rows, self.as_of))
            usable[source] = self.as_of
        for source, contract in contracts.items():   # all_<source>: the test's rows, else empty
            if contract.every_delivery:
                rows = self.rows.get(source)
                frame = staged(source, rows, self.as_of) if rows else empty_staged(contract).with_columns(
                    pl.lit(None, pl.Date).alias("delivery_date"))
                self.engine.put_frame(f"all_{source}", frame)
        for table, shape in _history_shapes().items():   # no published night before this one
            self.engine.view(f"history_{table}", shape)
        ctx = NightContext(self.as_of, self.params, usable,
                           {s: "missing" for s in contracts if s not in usable})
        seed_tables(self.engine, ctx)
        for step in steps:
            self.reports[step] = run_step(self.engine, step, ctx)
        return self

    def frame(self, sql: str) -> pl.DataFrame:
        if self.engine is None:
            self.run()
        return self.engine.frame(sql)

    def warnings(self) -> list[dict]:
        """The night's warnings (warnings_found), evidence parsed, sorted by rule and subject."""
        rows = self.frame("SELECT * FROM warnings_found ORDER BY rule_code, subject_key").to_dicts()
        for r in rows:
            r["evidence"] = json.loads(r["evidence"])
        return rows

    def fired(self, rule: str) -> set[str]:
        """Subjects (person_id, or the subject key without one) the rule warned about."""
        return {r["person_id"] or r["subject_key"] for r in self.warnings() if r["rule_code"] == rule}

    def skipped(self) -> dict[str, str]:
        return {m: why for rep in self.reports.values() for m, why in rep.skipped.items()}


def run_models(inputs: dict[str, pl.DataFrame], names: list[str], params: dict | None = None,
               as_of: date = date(2026, 11, 28), engine: str | None = None):
    """Just the named models (in the order given), on the given input relations; the engine to
    read the results from."""
    from pipelines.engine.base import bind
    from pipelines.models.project import load_project

    engine = make_engine(engine)
    for name, frame in inputs.items():
        engine.put_frame(name, frame)
    values = {"as_of": as_of, **{k: v for k, v in {**night_params(), **(params or {})}.items()
                                 if not isinstance(v, dict)}}
    project = load_project()
    for name in names:
        model = project.models[name]
        engine.materialize(name, model.sql, {k: values[k] for k in bind(model.sql, values)})
    return engine


def rerun_models(engine, lay, as_of: date, names: list[str]) -> None:
    """Re-run the named models of a night in progress (after a test changed their inputs)."""
    from pipelines.engine.base import bind
    from pipelines.models.inputs import prepare
    from pipelines.models.project import load_project

    ctx = prepare(engine, lay, as_of)
    project = load_project()
    for name in names:
        m = project.models[name]
        values = ctx.bound()
        engine.materialize(name, m.sql, {k: values[k] for k in bind(m.sql, values)},
                           persist=m.materialized in ("table", "night"))
