"""A night's own process never imports great_expectations (issue 14): the outputs gate runs on
evaluate.py and the Data Docs are built by a worker process while the night publishes; the
pages are there when the night is."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

from rulezone import Person, write_registry, write_source

AS_OF = date(2026, 11, 28)
NIGHT = """
import json, sys
from datetime import date
from pathlib import Path
from pipelines.orchestrate import run_for_date
s = run_for_date(Path(sys.argv[1]), Path(sys.argv[2]), date.fromisoformat(sys.argv[3]))
print(json.dumps({"gx": "great_expectations" in sys.modules, "docs": s.quality.data_docs}))
"""


def test_the_night_process_does_not_import_great_expectations_and_its_data_docs_are_built(tmp_path):
    landing = tmp_path / "landing"
    a, b = Person("a", 1), Person("b", 2, category="特困分散")
    write_registry(landing, AS_OF.isoformat(), [a, b])
    write_source(landing, "vehicles", AS_OF.isoformat(), [(a, {}), (b, {})], AS_OF)
    wh = tmp_path / "wh.duckdb"
    res = subprocess.run([sys.executable, "-c", NIGHT, str(landing), str(wh), AS_OF.isoformat()],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert got["gx"] is False
    index = tmp_path / got["docs"]
    page = index.read_text(encoding="utf-8")
    assert "outputs" in page and "vehicles" in page          # GX's site lists tonight's suites
    assert (index.parent.parent / "index.html").read_text(encoding="utf-8").count(AS_OF.isoformat()) >= 1
