-- Data-quality results (issue 5): one row per expectation evaluated for a run date.
-- Delivery suites: source = the source id, delivery_date = the delivery the run used (a delivery
-- is validated once, when it is staged; every run that uses it lists its results).
-- Outputs suite: source = 'outputs', delivery_date NULL.
-- action: what the failure did: quarantined (critical, delivery), stopped (critical, outputs:
-- the date was not published), reported (warning); NULL when the expectation was met.
CREATE TABLE IF NOT EXISTS validation_results (
    as_of             DATE    NOT NULL,
    source            VARCHAR NOT NULL,
    delivery_date     DATE,
    suite             VARCHAR NOT NULL,
    expectation       VARCHAR NOT NULL,
    expectation_type  VARCHAR NOT NULL,
    "column"          VARCHAR,
    severity          VARCHAR NOT NULL,   -- critical | warning
    success           BOOLEAN NOT NULL,
    observed_value    DOUBLE,             -- row count, or the share of values that met the expectation
    unexpected_count  BIGINT,
    element_count     BIGINT,
    action            VARCHAR,
    details           VARCHAR             -- JSON: thresholds, bounds, a sample of unexpected values
);

-- The quarantine report as a query: every quarantined delivery of a date with the reason and,
-- where a data-quality gate caused it, each failed critical expectation.
CREATE OR REPLACE VIEW quarantine_report AS
SELECT
    rs.as_of,
    rs.source,
    rs.delivery_date,
    rs.message,
    v.expectation,
    v.observed_value,
    v.unexpected_count,
    v.details
FROM run_sources rs
LEFT JOIN validation_results v
       ON v.as_of = rs.as_of AND v.source = rs.source AND v.action = 'quarantined'
WHERE rs.status = 'quarantined';
