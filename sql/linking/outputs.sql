-- The published linking tables. Rows for every logical date are kept; as_of tells them apart.
CREATE TABLE IF NOT EXISTS links (
    as_of         DATE    NOT NULL,
    source        VARCHAR NOT NULL,
    delivery_date DATE    NOT NULL,
    record_no     VARCHAR NOT NULL,
    person_id     VARCHAR NOT NULL,
    method        VARCHAR NOT NULL,
    score         DOUBLE  NOT NULL
);

-- Why each link was made: the fields that agreed and what each contributed (JSON).
CREATE TABLE IF NOT EXISTS link_explanations (
    as_of         DATE    NOT NULL,
    source        VARCHAR NOT NULL,
    delivery_date DATE    NOT NULL,
    record_no     VARCHAR NOT NULL,
    explanation   VARCHAR
);

-- Records that could be more than one person, or someone with too little confidence.
CREATE TABLE IF NOT EXISTS review (
    as_of         DATE    NOT NULL,
    source        VARCHAR NOT NULL,
    delivery_date DATE    NOT NULL,
    record_no     VARCHAR NOT NULL,
    method        VARCHAR,
    reason        VARCHAR,
    candidates    VARCHAR      -- JSON list: person_id, score, detail
);

-- The model each run estimated (m, u, priors), for audit.
CREATE TABLE IF NOT EXISTS link_models (
    as_of DATE PRIMARY KEY,
    model VARCHAR
);
