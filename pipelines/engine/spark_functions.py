"""Functions DuckDB has and Spark lacks, as vectorised (Arrow) Python UDFs run on the executors.

    jaro_winkler_similarity(a, b)      rapidfuzz's Jaro-Winkler (DuckDB's is the same algorithm:
                                       prefix weight 0.1, up to 4 characters; in doubles); NULL in,
                                       NULL out; an empty string scores 0 (as DuckDB's)
    lowincome_json_merge_patch(a, b)   RFC 7386 merge of two JSON texts, as DuckDB's
                                       json_merge_patch prints it: the target's members not in the
                                       patch first, in their order, then the patch's; numbers
                                       re-read (1200.00 → 1200.0)

Registered on every session the Spark engine opens (`register`). The executors import this module:
on a cluster the project must be installed in the executors' Python (PYSPARK_PYTHON).
"""

from __future__ import annotations

import json

import pyarrow as pa

from pipelines.engine.spark_dialect import UDF_JARO_WINKLER, UDF_MERGE_PATCH


def jaro_winkler(a: pa.Array, b: pa.Array) -> pa.Array:
    import numpy as np
    from rapidfuzz import process
    from rapidfuzz.distance import JaroWinkler

    left, right = a.to_pylist(), b.to_pylist()
    out: list[float | None] = [None if x is None or y is None else 0.0 for x, y in zip(left, right)]
    # DuckDB: an empty string is similar to nothing, itself included (rapidfuzz says 1.0 for two)
    todo = [i for i, (x, y) in enumerate(zip(left, right)) if x and y]
    if todo:
        scores = process.cpdist([left[i] for i in todo], [right[i] for i in todo],
                                scorer=JaroWinkler.normalized_similarity, workers=1, dtype=np.float64)
        for i, s in zip(todo, scores):
            out[i] = float(s)
    return pa.array(out, pa.float64())


def _merge(target, patch):
    if not isinstance(patch, dict):
        return patch
    if not isinstance(target, dict):
        target = {}
    out = {k: v for k, v in target.items() if k not in patch}
    for k, v in patch.items():
        if v is None:
            continue
        out[k] = _merge(target.get(k), v)
    return out


def merge_patch_text(target: str | None, patch: str | None) -> str | None:
    if target is None or patch is None:
        return None
    return json.dumps(_merge(json.loads(target), json.loads(patch)), ensure_ascii=False, separators=(",", ":"))


def json_merge_patch(a: pa.Array, b: pa.Array) -> pa.Array:
    return pa.array([merge_patch_text(x, y) for x, y in zip(a.to_pylist(), b.to_pylist())], pa.string())


def register(spark) -> None:
    """The UDFs under the names the dialect seam renders."""
    from pyspark.sql.functions import arrow_udf

    spark.udf.register(UDF_JARO_WINKLER, arrow_udf(jaro_winkler, "double"))
    spark.udf.register(UDF_MERGE_PATCH, arrow_udf(json_merge_patch, "string"))
