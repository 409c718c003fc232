"""The synthetic generator is development-only: the built wheel holds the pipeline and nothing
of `synthetic/` (nor the old `pipelines/demo/`), the pipeline imports nothing from it, and the
demo command that replaced `lowincome demo` works from the project root."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
# build outputs and data that a wheel build never needs (everything else is copied as it is)
NOT_COPIED = {"bench-out", "demo", "airflow-home", "build", "dist", "out"}


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import statement and import_module("...")/__import__("...") call."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module))
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")):
            out.append((node.lineno, node.args[0].value))
    return out


def test_pipelines_import_nothing_from_the_generator():
    offending = [f"{p.relative_to(ROOT)}:{line}: {mod}"
                 for p in sorted((ROOT / "pipelines").rglob("*.py"))
                 for line, mod in _imported_modules(p)
                 if mod == "synthetic" or mod.startswith(("synthetic.", "pipelines.demo"))]
    assert not offending, offending
    assert not (ROOT / "pipelines" / "demo").exists()


def _build_wheel(tmp: Path) -> Path:
    """Build the project's wheel from a copy of the checkout (the build writes build/ and
    *.egg-info beside the sources; the shared checkout stays untouched)."""
    src = tmp / "src"

    def ignore(folder: str, names: list[str]) -> list[str]:
        top = Path(folder) == ROOT
        return [n for n in names if n.startswith(".") or n == "__pycache__" or n.endswith(".egg-info")
                or (top and n in NOT_COPIED)]

    shutil.copytree(ROOT, src, ignore=ignore)
    dist = tmp / "dist"
    uv = Path(sys.executable).parent / "uv"
    cmd = ([str(uv), "build", "--wheel", "--out-dir", str(dist), str(src)] if uv.exists()
           else [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(src)])
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_holds_the_pipeline_and_no_generator(tmp_path: Path):
    with zipfile.ZipFile(_build_wheel(tmp_path)) as whl:
        names = whl.namelist()
        entry_points = next(whl.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "pipelines/cli.py" in names and "pipelines/contracts.py" in names
    assert not [n for n in names if n.startswith(("synthetic/", "pipelines/demo/"))]
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"pipelines"}, tops
    assert "lowincome = pipelines.cli:app" in entry_points


def test_lowincome_has_no_demo_command():
    from typer.testing import CliRunner

    from pipelines.cli import app

    result = CliRunner().invoke(app, ["demo", "--help"])
    assert result.exit_code != 0


def _synthetic(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "synthetic", *args], cwd=ROOT, capture_output=True, text=True)


def test_demo_command_help_from_the_project_root():
    result = _synthetic("demo", "--help")
    assert result.returncode == 0, result.stderr
    for option in ("--out", "--households", "--dept-scale", "--seed", "--as-of", "--run", "--no-plant"):
        assert option in result.stdout


def test_demo_command_rejects_a_bad_date(tmp_path: Path):
    result = _synthetic("demo", "--out", str(tmp_path / "d"), "--as-of", "2026-13-01")
    assert result.returncode != 0 and "2026-13-01" in result.stdout + result.stderr
    assert not (tmp_path / "d").exists()


@pytest.mark.slow
def test_demo_command_writes_the_layout_and_runs_the_pipeline(tmp_path: Path):
    """`python3 dev.py demo` in small: the layout of `lowincome demo`, then `lowincome run` on it."""
    out = tmp_path / "demo"
    result = _synthetic("demo", "--out", str(out), "--households", "300", "--seed", "11", "--run")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Links by method" in result.stdout
    assert (out / "truth" / "planted_warnings.parquet").exists()
    assert {p.name for p in (out / "landing").iterdir()} >= {"registry_persons", "registry_households", "vehicles"}
    with duckdb.connect(str(out / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM run_sources WHERE status = 'loaded'").fetchone()[0] == 17
        assert con.execute("SELECT count(*) FROM warnings").fetchone()[0] > 0
