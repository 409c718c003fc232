-- What the rules step hands to the publish step (sql/publish/): the date's rule results, not yet
-- published. The publish step moves them into warnings / warning_status / rule_runs / signals in
-- one transaction, so an analyst never sees half a night. A re-run of the rules step replaces
-- the date's rows; they stay after publishing so that a retried publish finds them again.
CREATE TABLE IF NOT EXISTS pending_warnings (
    as_of         DATE    NOT NULL,
    rule_code     VARCHAR NOT NULL,
    subject_key   VARCHAR NOT NULL,   -- what makes it "the same warning" across nights
    category      INTEGER NOT NULL,
    category_code VARCHAR NOT NULL,
    department    VARCHAR NOT NULL,
    person_id     VARCHAR,
    household_id  VARCHAR,
    id_number     VARCHAR,
    name          VARCHAR,
    county_code   VARCHAR,
    evidence      VARCHAR             -- JSON
);

CREATE TABLE IF NOT EXISTS pending_rule_runs (
    as_of     DATE    NOT NULL,
    rule_code VARCHAR NOT NULL,
    status    VARCHAR NOT NULL,       -- evaluated | skipped
    reason    VARCHAR,                -- why skipped: each unusable source and its state
    found     INTEGER
);

-- Facts about persons and households of the date (sql/signals/), what the assistance chain shows.
CREATE TABLE IF NOT EXISTS pending_signals (
    as_of         DATE,
    person_id     VARCHAR,       -- NULL for a household-level fact (e.g. the household's 低保)
    household_id  VARCHAR,
    name          VARCHAR,       -- the person's registry name (the head's for household facts)
    signal_type   VARCHAR,       -- registry | assistance | hardship
    signal        VARCHAR,       -- code, e.g. severely_ill, student_aid
    label         VARCHAR,       -- Chinese label
    received      BOOLEAN,       -- assistance: received or not; NULL otherwise
    amount        DECIMAL(18, 2),
    event_date    DATE,
    source        VARCHAR,
    delivery_date DATE,
    record_no     VARCHAR,       -- 序号 (NULL for registry facts)
    detail        VARCHAR        -- JSON: the record's values
);
