-- The analyst views of the warehouse catalog over its night datasets (re-made at every
-- publication; docs/data-dictionary.md).

-- warnings (outputs.md): every warning found on a night (warning_status without the resolved),
-- with its 预警编号, flags (urgent, deadline, match) and follow-up.
CREATE OR REPLACE VIEW warnings AS
SELECT as_of, rule_code, category, category_code, department, person_id, household_id, id_number, name,
       county_code, evidence, first_seen, warning_id, urgent, deadline, match, followup, followup_date, overdue
FROM warning_status
WHERE status <> 'resolved';

-- 一户（人）一条救助链: every assistance, hardship signal, warning and department reply of a person
-- or household, with dates and sources. Household-level entries (the household's 低保, heating
-- aid) have person_id NULL. A reply (feedback, accepted) is entered with the follow-up state it
-- gives (code), what the department said (item), 已落实救助 as received, its 办结日期 (else its
-- delivery date) as event_date; record_no is '<file>#<row>'.
CREATE OR REPLACE VIEW assistance_chain AS
SELECT as_of, household_id, person_id, name, signal_type AS entry_type, signal AS code, label AS item,
       received, amount, event_date, source, delivery_date, record_no, detail
FROM signals
UNION ALL
SELECT w.as_of, w.household_id, w.person_id, w.name, 'warning', w.rule_code, coalesce(c.title, w.rule_code),
       NULL, NULL, w.first_seen, 'warnings', w.as_of, NULL, w.evidence
FROM warnings w LEFT JOIN rule_catalogue c USING (rule_code)
WHERE w.household_id IS NOT NULL
UNION ALL
SELECT f.as_of, f.household_id, f.person_id, f.name, 'reply', f.followup,
       f.department || '反馈：' || concat_ws('，', f.result, f.action), coalesce(f.action = '已落实救助', false), NULL,
       coalesce(f.done_on, f.delivery_date), 'feedback', f.delivery_date, f.file || '#' || CAST(f.row_in_file AS VARCHAR),
       CAST(json_object('预警编号', f.warning_id, '预警规则', f.rule_code, '核查结果', f.result, '处理情况', f.action,
                        '经办人', f.handler, '办结日期', f.done_on, '备注', f.note) AS VARCHAR)
FROM feedback_rows f
WHERE f.outcome = 'accepted' AND f.household_id IS NOT NULL;

-- The quarantine report as a query: every quarantined delivery of a night with the reason and,
-- where a data-quality gate caused it, each failed critical expectation.
CREATE OR REPLACE VIEW quarantine_report AS
SELECT rs.as_of, rs.source, rs.delivery_date, rs.message, v.expectation, v.observed_value, v.unexpected_count,
       v.details
FROM run_sources rs
LEFT JOIN validation_results v
       ON v.as_of = rs.as_of AND v.source = rs.source AND v.action = 'quarantined'
WHERE rs.status = 'quarantined';

-- Analysts' views (issue 15): names beside codes, one household at a glance.

-- warnings_named: every warning of `warnings` with the rule's title and the place names of
-- `divisions` beside the codes: county (and its prefecture: a county name such as 向阳区 repeats
-- in the province), and, where the household's 12-digit 行政区划代码 says so (not …000),
-- township and village. A name the divisions table does not know is NULL (the code stays).
CREATE OR REPLACE VIEW warnings_named AS
WITH coded AS (
    SELECT s.*,
           CASE WHEN length(s.division_code) = 12 AND substr(s.division_code, 7, 3) <> '000'
                THEN substr(s.division_code, 1, 9) END AS township_code,
           CASE WHEN length(s.division_code) = 12 AND substr(s.division_code, 7, 3) <> '000'
                     AND substr(s.division_code, 10, 3) <> '000' THEN s.division_code END AS village_code
    FROM warning_status s
    WHERE s.status <> 'resolved'
)
SELECT w.as_of, w.warning_id, w.rule_code, r.title AS rule_title, w.category, w.category_code, w.department,
       w.status, w.person_id, w.household_id, w.id_number, w.name,
       pref.name AS prefecture_name, w.county_code, county.name AS county_name,
       w.township_code, township.name AS township_name, w.village_code, village.name AS village_name,
       w.urgent, w.deadline, w.match, w.followup, w.followup_date, w.overdue, w.first_seen, w.last_seen, w.evidence
FROM coded w
LEFT JOIN rule_catalogue r ON r.rule_code = w.rule_code
LEFT JOIN divisions county ON county.level = 'county' AND county.code = w.county_code
LEFT JOIN divisions pref ON pref.level = 'prefecture' AND pref.code = county.parent_code
LEFT JOIN divisions township ON township.level = 'township' AND township.code = w.township_code
LEFT JOIN divisions village ON village.level = 'village' AND village.code = w.village_code;

-- household_view: one row per registry household of the latest night — its status and
-- enrolment, where it lives (names from divisions), its members (head first), the warnings open
-- about it or its members on the latest night, and the assistance it and its members received
-- (signals); open_warnings and assistance_received are NULL when there are none. Filter by
-- household_id: SELECT * FROM household_view WHERE household_id = '…'.
CREATE OR REPLACE VIEW household_view AS
WITH facts AS (
    SELECT * FROM registry_facts WHERE as_of = (SELECT max(as_of) FROM registry_facts)
),
members AS (
    SELECT household_id, count(*) AS members_count,
           list(struct_pack(person_id := person_id, name := name, id_number := id_number, relation := relation,
                            sex := sex_eff, birth_date := birth_date_eff, age := age, is_head := is_head,
                            is_covered := is_covered, individually_included := individually_included,
                            health := health, disability_grade := disability_grade,
                            labour_capacity := labour_capacity, employment := employment)
                ORDER BY is_head DESC, person_id) AS members
    FROM facts
    GROUP BY household_id
),
open_warnings AS (
    SELECT household_id, count(*) AS open_warnings_count,
           list(struct_pack(warning_id := warning_id, rule_code := rule_code, rule_title := rule_title,
                            category := category, department := department, status := status,
                            person_id := person_id, name := name, first_seen := first_seen, deadline := deadline,
                            urgent := urgent, overdue := overdue, followup := followup)
                ORDER BY urgent DESC NULLS LAST, category, rule_code, person_id) AS open_warnings
    FROM warnings_named
    WHERE as_of = (SELECT max(as_of) FROM warning_status) AND household_id IS NOT NULL
    GROUP BY household_id
),
assistance AS (
    SELECT household_id, count(*) AS assistance_count,
           list(struct_pack(code := signal, item := label, person_id := person_id, name := name, amount := amount,
                            event_date := event_date, source := source, record_no := record_no)
                ORDER BY event_date NULLS LAST, signal, person_id) AS assistance_received
    FROM signals
    WHERE as_of = (SELECT max(as_of) FROM signals) AND signal_type = 'assistance' AND received
    GROUP BY household_id
)
SELECT h.as_of, h.household_id, h.head_name, h.household_status, h.assistance_category, h.urban_rural,
       h.included_on, h.monthly_benefit, h.household_size, h.income_per_head, h.heating_aid,
       h.county_code, county.name AS county_name, h.division_code, township.name AS township_name,
       village.name AS village_name, h.address,
       m.members_count, m.members,
       coalesce(w.open_warnings_count, 0) AS open_warnings_count, w.open_warnings,
       coalesce(a.assistance_count, 0) AS assistance_count, a.assistance_received
FROM facts h
JOIN members m USING (household_id)
LEFT JOIN open_warnings w USING (household_id)
LEFT JOIN assistance a USING (household_id)
LEFT JOIN divisions county ON county.level = 'county' AND county.code = h.county_code
LEFT JOIN divisions township ON township.level = 'township' AND township.code = substr(h.division_code, 1, 9)
LEFT JOIN divisions village ON village.level = 'village' AND village.code = h.division_code
WHERE h.is_head;
