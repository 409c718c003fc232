-- The night's warnings across nights (outputs.md, warning_status). A warning is "the same" when
-- rule_code and subject_key agree (and so its warning_id). Its previous state comes from the
-- latest earlier night on which the rule was evaluated (followup/previous_warnings: skipped nights
-- are passed over):
--   found tonight and open there      → open, first_seen carried
--   found tonight, not open there     → new, first_seen = tonight (a new episode)
--   open there, rule evaluated tonight but not found → resolved, last_seen = that night's, and
--     resolved_reason: what stopped holding, checked in this order —
--       person_left_registry     the subject is not in tonight's registry
--       no_longer_low_income     the subject's household is no longer 有效
--       registry_changed         the subject's registry entry changed (household, 救助类别, 城乡类别,
--                                单独纳入) from what the evidence showed
--       tie_refused              a tie the evidence rested on is now refused (a false alarm, a clerk)
--       record_gone              a department record it rested on is not in tonight's delivery
--       no_longer_linked         the record is delivered but no longer tied to that person
--       condition_no_longer_met  the same records, tied as before: their values (or a date window,
--                                a season) no longer meet the rule
-- deadline (处置时限): first_seen + $deadline_days, + $deadline_days_urgent for category 3 and
-- urgent warnings; never later than the deadline already set (a warning that was urgent keeps the
-- shorter time). Follow-up (rules.md): the standing reply of the warning's episode
-- (followup/standing_replies, keyed by warning_id and first_seen) gives followup (verified /
-- handled / false_alarm / unverifiable) and followup_date (its 办结日期); overdue = not resolved,
-- past the deadline, no reply to the episode. pushed: the row belongs in tonight's push list —
-- new and resolved rows always; an open row unless its standing reply is handled or a false alarm
-- and its condition (warnings_found.condition: the evidence's sources and values) is the one the
-- reply answered (reply_condition). Only nights before $as_of are read, so a rerun gives the same
-- rows and a backfill never depends on (or changes) later nights.
-- @materialized: night
-- @retention: keep
WITH prev AS (
    SELECT * FROM previous_warnings
),
evaluated AS (
    SELECT rule_code FROM rule_runs WHERE status = 'evaluated'
),
found AS (
    SELECT t.rule_code, t.subject_key, t.warning_id,
           CASE WHEN p.first_seen IS NULL THEN 'new' ELSE 'open' END AS status,
           coalesce(p.first_seen, $as_of) AS first_seen, CAST($as_of AS DATE) AS last_seen,
           p.deadline AS set_deadline, t.urgent, t.match, t.category, t.category_code, t.department, t.person_id,
           t.household_id, t.id_number, t.name, t.county_code, t.division_code, t.evidence, t.ties, t.condition,
           CAST(NULL AS VARCHAR) AS resolved_reason
    FROM warnings_found t LEFT JOIN prev p USING (rule_code, subject_key)
),
prev_registry AS (
    SELECT rule_code, subject_key,
           min(evidence_field(item, '家庭编号')) AS household_id, min(evidence_field(item, '救助类别')) AS category,
           min(evidence_field(item, '城乡类别')) AS urban_rural, min(evidence_field(item, '单独纳入')) AS single
    FROM (SELECT rule_code, subject_key, person_id, unnest(json_items(evidence)) AS item FROM prev) i
    WHERE json_text(item, 'source') = 'registry_persons' AND evidence_field(item, '成员编号') = person_id
    GROUP BY rule_code, subject_key
),
prev_ties AS (
    SELECT rule_code, subject_key, bool_or(refused) AS refused, bool_or(NOT present) AS gone,
           bool_or(present AND NOT tied) AS untied
    FROM prior_ties
    GROUP BY rule_code, subject_key
),
resolved AS (
    SELECT p.rule_code, p.subject_key,
           coalesce(p.warning_id, warning_code(c.id_prefix, p.rule_code, p.subject_key)) AS warning_id,
           'resolved' AS status, p.first_seen, p.last_seen, p.deadline, coalesce(p.urgent, false) AS urgent, p.match,
           p.category, p.category_code, p.department, p.person_id, p.household_id, p.id_number, p.name,
           p.county_code, p.division_code, p.evidence, p.ties, p.condition,
           CASE WHEN p.person_id IS NOT NULL AND r.person_id IS NULL THEN 'person_left_registry'
                WHEN p.person_id IS NOT NULL AND r.household_status IS DISTINCT FROM '有效' THEN 'no_longer_low_income'
                WHEN p.person_id IS NOT NULL AND g.rule_code IS NOT NULL
                     AND (r.household_id IS DISTINCT FROM g.household_id
                          OR r.assistance_category IS DISTINCT FROM g.category
                          OR r.urban_rural IS DISTINCT FROM g.urban_rural
                          OR r.individually_included IS DISTINCT FROM g.single) THEN 'registry_changed'
                WHEN coalesce(t.refused, false) THEN 'tie_refused'
                WHEN coalesce(t.gone, false) THEN 'record_gone'
                WHEN coalesce(t.untied, false) THEN 'no_longer_linked'
                ELSE 'condition_no_longer_met' END AS resolved_reason
    FROM prev p
    JOIN rule_catalogue c ON c.rule_code = p.rule_code
    LEFT JOIN registry_facts r ON r.person_id = p.person_id
    LEFT JOIN prev_registry g ON g.rule_code = p.rule_code AND g.subject_key = p.subject_key
    LEFT JOIN prev_ties t ON t.rule_code = p.rule_code AND t.subject_key = p.subject_key
    WHERE p.rule_code IN (SELECT rule_code FROM evaluated)
      AND NOT EXISTS (SELECT 1 FROM warnings_found f WHERE f.rule_code = p.rule_code AND f.subject_key = p.subject_key)
),
rows AS (
    SELECT rule_code, subject_key, warning_id, status, first_seen, last_seen,
           CASE WHEN set_deadline IS NOT NULL AND set_deadline < add_days(first_seen, days) THEN set_deadline
                ELSE add_days(first_seen, days) END AS deadline,
           urgent, match, category, category_code, department, person_id, household_id, id_number, name,
           county_code, division_code, evidence, ties, condition, resolved_reason
    FROM (SELECT f.*, CASE WHEN f.category = 3 OR f.urgent THEN $deadline_days_urgent ELSE $deadline_days END AS days
          FROM found f) d
    UNION ALL
    SELECT * FROM resolved
)
SELECT s.rule_code, s.subject_key, s.warning_id, s.status, s.first_seen, s.last_seen,
       coalesce(s.deadline, add_days(s.first_seen, CASE WHEN s.category = 3 OR s.urgent THEN $deadline_days_urgent
                                                        ELSE $deadline_days END)) AS deadline,
       s.urgent, s.match, s.category, s.category_code, s.department, s.person_id, s.household_id, s.id_number,
       s.name, s.county_code, s.division_code, s.evidence, s.ties, s.condition,
       r.followup, r.followup_date,
       s.status <> 'resolved' AND r.warning_id IS NULL
           AND $as_of > coalesce(s.deadline, add_days(s.first_seen, $deadline_days)) AS overdue,
       CASE WHEN s.status <> 'open' THEN true
            WHEN r.followup IN ('handled', 'false_alarm') AND s.condition = r.reply_condition THEN false
            ELSE true END AS pushed,
       s.resolved_reason
FROM rows s
LEFT JOIN standing_replies r ON r.warning_id = s.warning_id AND r.episode_first_seen = s.first_seen
