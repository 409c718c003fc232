"""Which store keeps a warehouse's nights. pipelines/store/night.py and bookkeeping.py are the
DuckDB warehouse's; a call about a Spark warehouse (a Layout made with engine "spark", or a Spark
engine among the arguments) is answered by the function of the same name and arguments in
pipelines/store/spark_store.py. The steps (pipelines/orchestrate.py) call night.* as before.
"""

from __future__ import annotations

import functools
from typing import Callable


def _is_spark(value) -> bool:
    from pipelines.store.layout import Layout

    if isinstance(value, Layout):
        return value.engine == "spark"
    return getattr(value, "dialect", None) == "spark"


def per_engine(fn: Callable) -> Callable:
    """Mark a store function whose Spark twin lives in spark_store under the same name."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        if any(_is_spark(a) for a in (*args, *kwargs.values())):
            from pipelines.store import spark_store

            return getattr(spark_store, fn.__name__)(*args, **kwargs)
        return fn(*args, **kwargs)

    call.per_engine = True
    return call
