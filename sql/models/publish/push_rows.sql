-- The rows every file for people is made from (pipelines/publish/: push lists, county workbooks):
-- one row per warning_status row of the night, in the order people read them — urgent first, then
-- category, county, rule, subject. Columns:
--   department, status (new / open / resolved), warning_id (预警编号), category, category_name
--   (the policy's words), rule_code, rule_title, check_points (核查要点), county_code,
--   township_code (9 digits) and village_code (12 digits) from the 行政区划代码 (NULL when unknown
--   or the code stops above that level: …000), address (详细地址, registry), name, id_number (in
--   full: a writer masks where needed), person_id, household_id, first_seen, last_seen, deadline,
--   urgent, overdue, match, evidence (JSON, as in warnings), followup, followup_date, reply_result,
--   reply_action, reply_handler, reply_note (the standing reply of the episode: what was said),
--   pushed (the row belongs in tonight's push list: warning_status.pushed), departments_visible
--   (NULL: no restriction; else the one department whose own push list alone may show the row —
--   STAFF_RELATIVE: 民政厅; no county workbook or summary row may).
SELECT s.department, s.status, s.warning_id, s.category, k.category_name, s.rule_code,
       coalesce(c.title, s.rule_code) AS rule_title, c.check_points, s.county_code,
       CASE WHEN length(s.division_code) = 12 AND substr(s.division_code, 7, 3) <> '000'
            THEN substr(s.division_code, 1, 9) END AS township_code,
       CASE WHEN length(s.division_code) = 12 AND substr(s.division_code, 7, 3) <> '000'
                 AND substr(s.division_code, 10, 3) <> '000' THEN s.division_code END AS village_code,
       p.address, s.name, s.id_number, s.person_id, s.household_id, s.first_seen, s.last_seen, s.deadline,
       s.urgent, s.overdue, s.match, s.evidence, s.followup, s.followup_date,
       r.result AS reply_result, r.action AS reply_action, r.handler AS reply_handler, r.note AS reply_note,
       s.pushed, c.restricted_to AS departments_visible
FROM warning_status s
LEFT JOIN rule_catalogue c ON c.rule_code = s.rule_code
LEFT JOIN categories k ON k.category = s.category
LEFT JOIN registry_facts p ON p.person_id = s.person_id
LEFT JOIN standing_replies r ON r.warning_id = s.warning_id AND r.episode_first_seen = s.first_seen
ORDER BY s.urgent DESC, s.category, s.county_code NULLS LAST, s.rule_code, s.subject_key
