"""The `lowincome` command as a user runs it: help everywhere, exit codes, the demo end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from synthetic import DemoConfig, generate

from conftest import add_delivery, csv_bytes

runner = CliRunner()


@pytest.mark.parametrize("command", [[], ["run"], ["sources"]])
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_bad_date_is_a_clear_error(tmp_path: Path):
    result = runner.invoke(app, ["run", "--landing", str(tmp_path), "--warehouse", str(tmp_path / "w.duckdb"),
                                 "--as-of", "2026-13-01"])
    assert result.exit_code != 0 and "2026-13-01" in result.output


def test_missing_registry_exits_non_zero_naming_it(tmp_path: Path):
    landing = tmp_path / "landing"
    add_delivery(landing, "vehicles", "2026-11-20", {"a.csv": csv_bytes([["序号", "所有人姓名", "所有人证件号码",
                                                                          "车辆类型", "初次登记日期", "车辆状态"]])})
    result = runner.invoke(app, ["run", "--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb"),
                                 "--as-of", "2026-11-28"])
    assert result.exit_code == 1
    assert "registry_households" in result.output


def test_demo_end_to_end_every_row_accounted_for(tmp_path: Path):
    """The README's first command in small: generate, run, and check the run against the truth."""
    out = tmp_path / "demo"
    generate(out, DemoConfig(households=400))
    result = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--landing", str(out / "landing"),
                             "--warehouse", str(out / "w.duckdb"), "--as-of", "2026-11-28"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Links by method" in result.stdout
    truth = pl.read_parquet(out / "truth" / "deliveries.parquet").filter(pl.col("expected_chosen_for_as_of"))
    with duckdb.connect(str(out / "w.duckdb"), read_only=True) as con:
        used = dict(con.execute("SELECT source, delivery_date FROM run_sources WHERE status = 'loaded'").fetchall())
        read, loaded, rejected = con.execute(
            "SELECT sum(rows_read), sum(rows_loaded), sum(rows_rejected) FROM delivery_log").fetchall()[0]
        links = con.execute("SELECT count(*) FROM links").fetchall()[0][0]
    assert {r["source"]: r["delivery_date"] for r in truth.iter_rows(named=True)} == used
    assert read == truth["rows"].sum() == loaded + rejected
    assert links > 0
