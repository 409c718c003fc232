"""Tie department records to registry persons: exact, converted, repaired, card, then fuzzy.

Public entry point: `link_run(warehouse, as_of)`. Internals are small functions that build SQL
(chained as CTEs/temp tables in DuckDB) plus one vectorised rapidfuzz scoring step.
"""

from pipelines.linking.run import LinkSummary, link_run

__all__ = ["LinkSummary", "link_run"]
