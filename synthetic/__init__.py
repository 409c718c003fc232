"""Synthetic demo data: a landing zone of all 16 sources plus the ground truth behind it.

Development only, beside tests/ and benchmarks/: not part of the installed package (the
pipeline never imports it). Run from the project root:

    python -m synthetic demo --out demo --run     # what `python3 dev.py demo` runs

    from synthetic import DemoConfig, generate
    summary = generate(Path("demo"), DemoConfig(households=4000))

writes `demo/landing/<source>/<YYYY-MM-DD>/<file>` (+ `_SUCCESS`) exactly as
`spec/sources.md` describes, and `demo/truth/{people,records,deliveries}.parquet`, which
the pipeline never reads (tests and benchmarks compare against it).

Layout of the package (each stage can be used on its own):
  config.py      DemoConfig: every rate, share and table
  refdata.py     places, names, institutions, code tables
  population.py  registry households/persons, non-registry pool, decoys
  names.py/ids.py  drawing names and identity numbers; typing them badly
  sources.py     one `frame_<source>` per source: TRUE values with person_key; SPECS (file
                 names, who appears; format, columns and headers come from schemas/)
  deliveries.py  which deliveries each source gets; what each holds
  render.py      true values → delivered cells (+ corruption labels)
  writers.py     CSV / Excel parts, _SUCCESS
  generate.py    the orchestration; `plant=` hook between frames and rendering
  plant*.py      every warning rule's planted cases and near misses, on a quiet background
  __main__.py    the command line (`python -m synthetic --help`)
"""

from synthetic.config import DemoConfig
from synthetic.generate import DemoSummary, SourceSummary, generate

__all__ = ["DemoConfig", "DemoSummary", "SourceSummary", "generate"]
