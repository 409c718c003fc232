"""tests/ on sys.path for the rule unit tests (they import modelkit, the night-in-memory kit),
whatever pytest's import mode; their helpers are in ruletools.py."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = str(Path(__file__).resolve().parent.parent)
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
