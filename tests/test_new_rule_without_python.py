"""A new rule is one SQL file, catalogue and threshold lines, and its tests — no Python.

The README's worked example (docs/examples/new_rule/) is added to a copy of the project's data
(sql/, config/, schemas/, expectations/; the package itself untouched, LOWINCOME_PROJECT_ROOT
pointing at the copy), and its own unit test runs there: the rule loads, is skipped or evaluated
like the others, and fires exactly where it should."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "new_rule"


def test_the_readme_example_rule_needs_no_python(tmp_path):
    project = tmp_path / "project"
    for part in ("sql", "config", "schemas", "expectations"):
        shutil.copytree(ROOT / part, project / part)
    shutil.copy(EXAMPLE / "care_subsidy.sql", project / "sql" / "models" / "rules" / "care_subsidy.sql")
    with open(project / "config" / "rule_catalogue.yaml", "a", encoding="utf-8") as f:
        f.write((EXAMPLE / "catalogue.yaml").read_text(encoding="utf-8"))
    with open(project / "config" / "rules.yaml", "a", encoding="utf-8") as f:
        f.write((EXAMPLE / "rules.yaml").read_text(encoding="utf-8"))
    tests = tmp_path / "tests"
    shutil.copytree(ROOT / "tests", tests, ignore=shutil.ignore_patterns("test_*.py", "rules", "__pycache__"))
    shutil.copy(EXAMPLE / "test_care_subsidy.py", tests / "test_care_subsidy.py")
    env = {**os.environ, "LOWINCOME_PROJECT_ROOT": str(project), "LOWINCOME_CACHE": str(tmp_path / "cache")}
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests / "test_care_subsidy.py")],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    assert "1 passed" in res.stdout
    # and the shipped project does not know the example rule
    assert not (ROOT / "sql" / "models" / "rules" / "care_subsidy.sql").exists()
