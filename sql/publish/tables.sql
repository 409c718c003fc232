-- The published tables of the rules (outputs.md and docs/data-dictionary.md). Rows for every
-- logical date are kept; as_of tells them apart. Written only by pipelines.publish, all of a
-- date in one transaction.

-- The contract table (outputs.md): one row per rule per subject per run.
CREATE TABLE IF NOT EXISTS warnings (
    as_of         DATE    NOT NULL,
    rule_code     VARCHAR NOT NULL,
    category      INTEGER NOT NULL,
    category_code VARCHAR NOT NULL,
    department    VARCHAR NOT NULL,
    person_id     VARCHAR,
    household_id  VARCHAR,
    id_number     VARCHAR,
    name          VARCHAR,
    county_code   VARCHAR,
    evidence      VARCHAR,
    first_seen    DATE    NOT NULL
);

-- Warnings across nights: per date, each warning found (new: first found that night; open:
-- found before and again) and each one no longer found (resolved), with first and last seen.
CREATE TABLE IF NOT EXISTS warning_status (
    as_of         DATE    NOT NULL,
    rule_code     VARCHAR NOT NULL,
    subject_key   VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,   -- new | open | resolved
    first_seen    DATE    NOT NULL,
    last_seen     DATE    NOT NULL,   -- as_of, or for resolved the last date it was found
    category      INTEGER NOT NULL,
    category_code VARCHAR NOT NULL,
    department    VARCHAR NOT NULL,
    person_id     VARCHAR,
    household_id  VARCHAR,
    id_number     VARCHAR,
    name          VARCHAR,
    county_code   VARCHAR,
    evidence      VARCHAR             -- as last found
);

-- Per date and rule: evaluated (with how many found) or skipped (with why).
CREATE TABLE IF NOT EXISTS rule_runs (
    as_of     DATE    NOT NULL,
    rule_code VARCHAR NOT NULL,
    status    VARCHAR NOT NULL,
    reason    VARCHAR,
    found     INTEGER
);

-- Facts about persons and households (registry, assistance, hardship), one row per fact.
-- Same columns as pending_signals (sql/rules/_pending.sql, run before this file).
CREATE TABLE IF NOT EXISTS signals AS SELECT * FROM pending_signals LIMIT 0;

-- The rule catalogue as last published (titles for reports and analysts).
CREATE TABLE IF NOT EXISTS rule_catalogue (
    rule_code     VARCHAR PRIMARY KEY,
    title         VARCHAR,
    category_rule VARCHAR,
    department    VARCHAR,
    subject       VARCHAR,
    sources       VARCHAR[]
);

-- 一户（人）一条救助链: every assistance, hardship signal and warning of a person or household,
-- with dates and sources. Household-level entries (the household's 低保, heating aid) have
-- person_id NULL.
CREATE OR REPLACE VIEW assistance_chain AS
SELECT as_of, household_id, person_id, name, signal_type AS entry_type, signal AS code, label AS item,
       received, amount, event_date, source, delivery_date, record_no, detail
FROM signals
UNION ALL
SELECT w.as_of, w.household_id, w.person_id, w.name, 'warning', w.rule_code, coalesce(c.title, w.rule_code),
       NULL, NULL, w.first_seen, 'warnings', w.as_of, NULL, w.evidence
FROM warnings w LEFT JOIN rule_catalogue c USING (rule_code)
WHERE w.household_id IS NOT NULL;

-- Readable evidence for push lists: "source date 序号n: 字段=值, …; …".
CREATE OR REPLACE MACRO evidence_text(evidence) AS
    array_to_string(list_transform(from_json(evidence, '["JSON"]'), lambda e:
        (e->>'source') || ' ' || coalesce(e->>'delivery_date', '') || coalesce(' 序号' || (e->>'序号'), '') || ': '
        || array_to_string(list_transform(json_keys(e->'fields'),
                                          lambda k: k || '=' || coalesce((e->'fields')->>k, '')), ', ')), '; ');
