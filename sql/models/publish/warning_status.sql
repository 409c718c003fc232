-- The night's warnings across nights (outputs.md, warning_status). A warning is "the same" when
-- rule_code and subject_key agree. Its previous state comes from the latest earlier night on
-- which the rule was evaluated (skipped nights are passed over):
--   found tonight and open there      → open, first_seen carried
--   found tonight, not open there     → new, first_seen = tonight
--   open there, rule evaluated tonight but not found → resolved, last_seen = that night's
-- Only nights before $as_of are read, so a rerun gives the same rows and a backfill never
-- depends on (or changes) later nights.
-- @materialized: night
-- @retention: keep
WITH prev_run AS (
    SELECT rule_code, max(as_of) AS prev_as_of
    FROM history_rule_runs
    WHERE as_of < $as_of AND status = 'evaluated'
    GROUP BY rule_code
),
prev AS (
    SELECT s.*
    FROM history_warning_status s JOIN prev_run r ON s.rule_code = r.rule_code AND s.as_of = r.prev_as_of
    WHERE s.status IN ('new', 'open')
),
evaluated AS (
    SELECT rule_code FROM rule_runs WHERE status = 'evaluated'
)
SELECT t.rule_code, t.subject_key,
       CASE WHEN p.first_seen IS NULL THEN 'new' ELSE 'open' END AS status,
       coalesce(p.first_seen, $as_of) AS first_seen, CAST($as_of AS DATE) AS last_seen,
       t.category, t.category_code, t.department, t.person_id, t.household_id, t.id_number, t.name,
       t.county_code, t.evidence
FROM warnings_found t LEFT JOIN prev p USING (rule_code, subject_key)
UNION ALL
SELECT p.rule_code, p.subject_key, 'resolved', p.first_seen, p.last_seen,
       p.category, p.category_code, p.department, p.person_id, p.household_id, p.id_number, p.name,
       p.county_code, p.evidence
FROM prev p
WHERE p.rule_code IN (SELECT rule_code FROM evaluated)
  AND NOT EXISTS (SELECT 1 FROM warnings_found t WHERE t.rule_code = p.rule_code AND t.subject_key = p.subject_key)
