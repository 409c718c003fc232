"""The rule unit tests (tests/rules/) pass on Spark too: every test function of every rule module,
with its own parameters, run again with tests/modelkit.py's engine set to Spark (the test run's one
local session). A new rule's tests join without a line here."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

import modelkit

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark")]
RULES = Path(__file__).resolve().parent / "rules"


def _rule_tests() -> list:
    out = []
    for path in sorted(RULES.glob("test_*.py")):
        module = importlib.import_module(f"rules.{path.stem}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("test_") or fn.__module__ != module.__name__:
                continue
            marks = [m for m in getattr(fn, "pytestmark", []) if m.name == "parametrize"]
            if not marks:
                out.append(pytest.param(fn, {}, id=f"{path.stem}::{name}"))
                continue
            (mark,) = marks
            names = [n.strip() for n in mark.args[0].split(",")] if isinstance(mark.args[0], str) else list(mark.args[0])
            for value in mark.args[1]:
                values = value.values if hasattr(value, "values") else (value if len(names) > 1 else (value,))
                out.append(pytest.param(fn, dict(zip(names, values)), id=f"{path.stem}::{name}[{values!r}]"))
    return out


@pytest.mark.parametrize(("test", "kwargs"), _rule_tests())
def test_rule_unit_test_on_spark(test, kwargs, monkeypatch):
    monkeypatch.setattr(modelkit, "ENGINE", "spark")
    test(**kwargs)
