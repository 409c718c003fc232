"""Synthetic demo data: a landing zone of all 16 sources plus the ground truth behind it.

    from pipelines.demo import DemoConfig, generate
    summary = generate(Path("demo"), DemoConfig(households=4000))

writes `demo/landing/<source>/<YYYY-MM-DD>/<file>` (+ `_SUCCESS`) exactly as
`spec/sources.md` describes, and `demo/truth/{people,records,deliveries}.parquet`, which
the pipeline never reads (tests and benchmarks compare against it).

Layout of the package (each stage can be used on its own):
  config.py      DemoConfig: every rate, share and table
  refdata.py     places, names, institutions, code tables
  population.py  registry households/persons, non-registry pool, decoys
  names.py/ids.py  drawing names and identity numbers; typing them badly
  sources.py     one `frame_<source>` per source: TRUE values with person_key; SPECS
  deliveries.py  which deliveries each source gets; what each holds
  render.py      true values → delivered cells (+ corruption labels)
  writers.py     CSV / Excel parts, _SUCCESS
  generate.py    the orchestration; `plant=` hook between frames and rendering
"""

from pipelines.demo.config import DemoConfig
from pipelines.demo.generate import DemoSummary, SourceSummary, generate

__all__ = ["DemoConfig", "DemoSummary", "SourceSummary", "generate"]
