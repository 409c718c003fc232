-- The analyst views of the warehouse catalog over its night datasets (re-made at every
-- publication; docs/data-dictionary.md).

-- warnings (outputs.md): every warning found on a night (warning_status without the resolved).
CREATE OR REPLACE VIEW warnings AS
SELECT as_of, rule_code, category, category_code, department, person_id, household_id, id_number, name,
       county_code, evidence, first_seen
FROM warning_status
WHERE status <> 'resolved';

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

-- The quarantine report as a query: every quarantined delivery of a night with the reason and,
-- where a data-quality gate caused it, each failed critical expectation.
CREATE OR REPLACE VIEW quarantine_report AS
SELECT rs.as_of, rs.source, rs.delivery_date, rs.message, v.expectation, v.observed_value, v.unexpected_count,
       v.details
FROM run_sources rs
LEFT JOIN validation_results v
       ON v.as_of = rs.as_of AND v.source = rs.source AND v.action = 'quarantined'
WHERE rs.status = 'quarantined';
