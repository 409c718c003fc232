-- The warehouse catalog (outputs.md): what was delivered, what became of every row, what each
-- night used, and the per-night datasets the views read. Run on every new work copy.
CREATE TABLE IF NOT EXISTS delivery_log (
    source          VARCHAR NOT NULL,
    delivery_date   DATE    NOT NULL,
    fingerprint     VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,   -- loaded | quarantined
    files           VARCHAR[],
    encodings       VARCHAR[],
    unknown_headers VARCHAR[],
    rows_read       BIGINT,
    rows_loaded     BIGINT,
    rows_rejected   BIGINT,
    value_issues    BIGINT,
    message         VARCHAR,
    staged_seconds  DOUBLE,
    loaded_at       TIMESTAMP,
    data_path       VARCHAR,            -- the staged Parquet file behind stg_<source>, relative to <warehouse>.staging/
    PRIMARY KEY (source, delivery_date)
);
ALTER TABLE delivery_log ADD COLUMN IF NOT EXISTS data_path VARCHAR;

-- Rows that were not loaded, and why (a quarantined delivery has one row per file problem).
CREATE TABLE IF NOT EXISTS rejects (
    source        VARCHAR NOT NULL,
    delivery_date DATE    NOT NULL,
    file          VARCHAR,
    "row"         BIGINT,
    record_no     VARCHAR,
    reason        VARCHAR NOT NULL
);

-- Values that could not be typed (unknown code, impossible date ...); the row is loaded with NULL.
CREATE TABLE IF NOT EXISTS data_issues (
    source        VARCHAR NOT NULL,
    delivery_date DATE    NOT NULL,
    file          VARCHAR,
    "row"         BIGINT,
    "column"      VARCHAR,
    problem       VARCHAR,
    value         VARCHAR
);

-- One row per run and source: which delivery the run used and in what state.
CREATE TABLE IF NOT EXISTS run_sources (
    as_of         DATE    NOT NULL,
    source        VARCHAR NOT NULL,
    delivery_date DATE,
    status        VARCHAR NOT NULL,   -- loaded | quarantined | missing
    message       VARCHAR,
    PRIMARY KEY (as_of, source)
);

-- What discovery saw on the landing zone and did not use, per run.
CREATE TABLE IF NOT EXISTS run_ignored (
    as_of  DATE    NOT NULL,
    path   VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);

-- Per-night datasets (pipelines/store/catalog.py): every Parquet file a night wrote. A run's files
-- are 'pending' in its work copy of the catalog until it publishes; a file replaced by a rerun of
-- its night, or past the retention window, is 'superseded' (kept a grace period for readers of
-- the earlier catalog, then deleted).
CREATE TABLE IF NOT EXISTS _datasets (
    table_name     VARCHAR   NOT NULL,
    as_of          DATE      NOT NULL,
    path           VARCHAR   NOT NULL,   -- relative to <warehouse>.data/
    rows           BIGINT,
    run_id         VARCHAR   NOT NULL,
    retention      VARCHAR   NOT NULL,   -- detail | keep | latest
    state          VARCHAR   NOT NULL,   -- pending | published | superseded
    superseded_at  TIMESTAMP
);

-- Every publication of a night: which run published it and when.
CREATE TABLE IF NOT EXISTS _publications (
    as_of         DATE      NOT NULL,
    run_id        VARCHAR   NOT NULL,
    published_at  TIMESTAMP NOT NULL,
    files         VARCHAR[]            -- folders of files for people, relative to <warehouse>.out/
);

-- The rule catalogue as last published (config/rule_catalogue.yaml): titles for analysts.
CREATE TABLE IF NOT EXISTS rule_catalogue (
    rule_code     VARCHAR PRIMARY KEY,
    title         VARCHAR,
    category_rule VARCHAR,
    department    VARCHAR,
    subject       VARCHAR
);
