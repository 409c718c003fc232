"""The generator's knobs the household-context and warning benchmarks need (synthetic/, dev-only):
one column's identity numbers corrupted at its own rates (agri_monitoring members blank or mangled
beside a head's number that is not), and agri_monitoring's 风险消除 left as drawn for a share of the
background households (MONITORING_INTAKE fires on the background too)."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from synthetic import DemoConfig, generate


def test_a_column_s_own_rates_and_a_monitored_background(tmp_path):
    rates = {"blank": 0.5, "mangled": 0.3}
    cfg = replace(DemoConfig(households=300, plant_cases=True, excel_workers=0,
                             sources=("registry_households", "registry_persons", "agri_monitoring")),
                  column_id_corruption={"agri_monitoring.id_number": rates}, monitoring_background=1.0)
    generate(tmp_path, cfg)
    truth = pl.read_parquet(tmp_path / "truth" / "records.parquet").filter(pl.col("source") == "agri_monitoring")
    share = truth["id_corruption"].cast(pl.String).value_counts(normalize=True)
    got = dict(zip(share["id_corruption"], share["proportion"]))
    planted = len(pl.read_parquet(tmp_path / "truth" / "planted_warnings.parquet")
                  .filter(pl.col("rule_code") == "MONITORING_INTAKE"))
    assert 0.4 < got["blank"] < 0.6 and 0.2 < got.get("mangled", 0) < 0.4, got
    rows = pl.read_csv(next((tmp_path / "landing" / "agri_monitoring").glob("*/*.csv")), infer_schema=False)
    heads = rows["户主身份证号"].drop_nulls()
    assert heads.str.contains(r"^[0-9]{17}[0-9Xx]$").mean() > 0.9          # the heads' numbers keep the defaults
    assert (rows["风险消除"] == "否").sum() > planted                       # the background is not quiet
    quiet = replace(cfg, monitoring_background=0.0)
    generate(tmp_path, quiet)
    rows = pl.read_csv(next((tmp_path / "landing" / "agri_monitoring").glob("*/*.csv")), infer_schema=False)
    assert (rows["风险消除"] == "否").sum() <= planted
