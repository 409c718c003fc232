-- Spark SQL definitions of the helpers of core.sql whose DuckDB definition the dialect seam
-- (pipelines/engine/spark_dialect.py) cannot render as it is: same names, same arguments, same
-- results (tests/test_spark_dialect.py runs both on the same values). Every other macro of
-- core.sql reaches Spark as its DuckDB definition, rendered like a model. A JSON value is its text
-- on Spark; json_object(...) here is rendered by the seam as on DuckDB.

-- Readable evidence for push lists (core.sql: lambdas over DuckDB's JSON type): each item's
-- members read as a map of texts, so numbers print as DuckDB's ->> prints them (1200.00 → 1200.0);
-- the fields in their order (json_object_keys keeps it).
CREATE OR REPLACE TEMP MACRO evidence_text(evidence) AS
    array_join(transform(from_json(evidence, 'array<string>'), e ->
        try_element_at(from_json(e, 'map<string,string>'), 'source') || ' '
        || coalesce(try_element_at(from_json(e, 'map<string,string>'), 'delivery_date'), '')
        || coalesce(' 序号' || try_element_at(from_json(e, 'map<string,string>'), '序号'), '') || ': '
        || array_join(transform(json_object_keys(try_element_at(from_json(e, 'map<string,string>'), 'fields')),
                                k -> k || '=' || coalesce(try_element_at(from_json(try_element_at(
                                    from_json(e, 'map<string,string>'), 'fields'), 'map<string,string>'), k), '')),
                      ', ')), '; ');
