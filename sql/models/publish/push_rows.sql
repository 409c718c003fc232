-- Rows of the night's push lists: every warning of warning_status with the rule's title, sorted
-- as departments read them: category, county, rule, subject.
SELECT s.department, s.status, s.category, s.county_code, s.rule_code, coalesce(c.title, s.rule_code) AS title,
       s.name, s.id_number, s.person_id, s.household_id, s.first_seen, s.last_seen,
       evidence_text(s.evidence) AS evidence
FROM warning_status s LEFT JOIN rule_catalogue c USING (rule_code)
ORDER BY s.category, s.county_code NULLS LAST, s.rule_code, s.subject_key
