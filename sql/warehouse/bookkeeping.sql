-- Bookkeeping tables: what was delivered, what became of every row, what each run used.
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
