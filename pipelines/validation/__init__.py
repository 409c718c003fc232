"""Data-quality gates (issue 5): great-expectations 1.x suites from `expectations/`.

    suites.py    generate / load the JSON suites (one per source, one for the outputs)
    frames.py    the (polars) frames the delivery suites validate
    evaluate.py  a delivery suite evaluated over its frame with GX's meaning, in GX's result JSON
    results.py   a result JSON flattened into outcomes (the rows of validation_results)
    gx.py        great_expectations, imported lazily and quietly; run a suite (the outputs gate)
    delivery.py  the delivery gate, run inside staging: critical → quarantine, warning → reported
    outputs.py   the frame of the outputs gate (the date's warnings)
    quality.py   results into `validation_results`, the outputs gate, Data Docs, the quality report
    docs.py      Data Docs sites beside the warehouse

Importing this package imports neither great_expectations nor pandas, and staging never does.
"""
