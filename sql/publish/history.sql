-- The date's warnings across nights (runs inside the publish transaction; variable as_of).
-- A warning is "the same" when rule_code and subject_key agree. Its previous state comes from
-- the latest earlier date on which the rule was evaluated (skipped dates are passed over):
--   found tonight and open there      → open, first_seen carried
--   found tonight, not open there     → new, first_seen = tonight
--   open there, rule evaluated tonight but not found → resolved, last_seen = that date
-- Only dates before as_of are read, so a re-run gives the same rows and a backfill never
-- depends on (or changes) later dates.
CREATE OR REPLACE TEMP TABLE status_tonight AS
WITH prev_run AS (
    SELECT rule_code, max(as_of) AS prev_as_of
    FROM rule_runs
    WHERE as_of < getvariable('as_of') AND status = 'evaluated'
    GROUP BY rule_code
),
prev AS (
    SELECT s.*
    FROM warning_status s JOIN prev_run r ON s.rule_code = r.rule_code AND s.as_of = r.prev_as_of
    WHERE s.status IN ('new', 'open')
),
evaluated AS (
    SELECT rule_code FROM pending_rule_runs WHERE as_of = getvariable('as_of') AND status = 'evaluated'
),
tonight AS (
    SELECT * FROM pending_warnings WHERE as_of = getvariable('as_of')
)
SELECT t.as_of, t.rule_code, t.subject_key,
       CASE WHEN p.first_seen IS NULL THEN 'new' ELSE 'open' END AS status,
       coalesce(p.first_seen, t.as_of) AS first_seen, t.as_of AS last_seen,
       t.category, t.category_code, t.department, t.person_id, t.household_id, t.id_number, t.name,
       t.county_code, t.evidence
FROM tonight t LEFT JOIN prev p USING (rule_code, subject_key)
UNION ALL
SELECT getvariable('as_of'), p.rule_code, p.subject_key, 'resolved', p.first_seen, p.last_seen,
       p.category, p.category_code, p.department, p.person_id, p.household_id, p.id_number, p.name,
       p.county_code, p.evidence
FROM prev p
WHERE p.rule_code IN (SELECT rule_code FROM evaluated)
  AND NOT EXISTS (SELECT 1 FROM tonight t WHERE t.rule_code = p.rule_code AND t.subject_key = p.subject_key);

DELETE FROM warning_status WHERE as_of = getvariable('as_of');
INSERT INTO warning_status BY NAME SELECT * FROM status_tonight ORDER BY rule_code, subject_key, status;

DELETE FROM warnings WHERE as_of = getvariable('as_of');
INSERT INTO warnings BY NAME
SELECT * EXCLUDE (subject_key, status, last_seen) FROM status_tonight
WHERE status <> 'resolved' ORDER BY rule_code, subject_key;

DELETE FROM rule_runs WHERE as_of = getvariable('as_of');
INSERT INTO rule_runs BY NAME SELECT as_of, rule_code, status, reason, found FROM pending_rule_runs WHERE as_of = getvariable('as_of') ORDER BY rule_code;

DELETE FROM signals WHERE as_of = getvariable('as_of');
INSERT INTO signals BY NAME SELECT * FROM pending_signals WHERE as_of = getvariable('as_of');
