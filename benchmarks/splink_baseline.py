"""Splink (DuckDB backend) on the same records, as the accuracy and speed yardstick.

A reasonable generic configuration, as a team would set it up without our domain tiers:
Jaro-Winkler on names (with term-frequency adjustment), Damerau-Levenshtein on the identity
number, exact birth date, sex and county; the match prior from exact-number pairs, u from random
sampling, m by EM; one best link per
record above a 0.99 match probability. It gets the same normalised inputs ours does (NFKC,
simplified names, 18-character numbers), so the comparison is about the matching, not cleaning.
"""

from __future__ import annotations

import logging
import time

import duckdb
import polars as pl

INPUT_SQL = {
    "registry": """
        SELECT person_id AS unique_id, name, pinyin, id18, birth_date, sex, county
        FROM link_registry WHERE id_rank = 1 OR id18 IS NULL
    """,
    "records": """
        SELECT source || '|' || delivery_date || '|' || record_no AS unique_id,
               name, pinyin,
               CASE WHEN id_status IN ('valid', 'bad_check', 'bad_date') THEN id18 END AS id18,
               coalesce(birth_col, id_birth,
                        CASE WHEN id_status IN ('bad_check', 'bad_date')
                             THEN try_strptime(substr(id18, 7, 8), '%Y%m%d')::DATE END) AS birth_date,
               coalesce(sex_col, id_sex) AS sex,
               coalesce(county_col,
                        CASE WHEN id_status IN ('valid', 'bad_check', 'bad_date') THEN substr(id18, 1, 6) END) AS county
        FROM link_records
    """,
}


def run_splink(registry: pl.DataFrame, records: pl.DataFrame, max_u_pairs: float = 5e6) -> tuple[pl.DataFrame, float]:
    """Best link per record at ≥ 0.99; returns (source, delivery_date, record_no, person_id), seconds."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    started = time.perf_counter()
    db = DuckDBAPI(duckdb.connect())
    left = db.register(registry.to_arrow(), dataset_display_name="registry")
    right = db.register(records.to_arrow(), dataset_display_name="records")
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("name", [0.92, 0.8]).configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("id18", [1]),
            cl.ExactMatch("birth_date"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("county"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("id18"),
            block_on("name", "birth_date"),
            block_on("pinyin", "county"),
            block_on("county", "birth_date"),
        ],
        retain_matching_columns=False,
    )
    linker = Linker([left, right], settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match([block_on("id18")], recall=0.95)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_u_pairs, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("id18"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name", "birth_date"))
    predictions = linker.inference.predict(threshold_match_probability=0.99)
    table = predictions.physical_name
    best = db.duckdb_con.sql(f"""
        WITH oriented AS (
            SELECT CASE WHEN source_dataset_l = 'registry' THEN unique_id_l ELSE unique_id_r END AS person_id,
                   CASE WHEN source_dataset_l = 'registry' THEN unique_id_r ELSE unique_id_l END AS record_key,
                   match_probability
            FROM {table}
        )
        SELECT * FROM oriented
        QUALIFY row_number() OVER (PARTITION BY record_key ORDER BY match_probability DESC, person_id) = 1
    """).pl()
    seconds = time.perf_counter() - started
    parts = best["record_key"].str.split_exact("|", 2)
    links = pl.DataFrame({
        "source": parts.struct.field("field_0"),
        "delivery_date": parts.struct.field("field_1").str.to_date(),
        "record_no": parts.struct.field("field_2"),
        "person_id": best["person_id"],
        "score": best["match_probability"],
    })
    return links, seconds
