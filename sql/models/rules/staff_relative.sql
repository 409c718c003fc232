-- STAFF_RELATIVE (民政厅; 人情保、关系保 screening, policy 四(三)): a member of a covered household
-- (household_covered: 有效, 救助类别 低保 / 特困分散 / 特困集中) who is
--   a staff member in staff_roster (any 职务): a roster row the linker tied to them (their own
--     row, relative columns blank; or, without one, the rows declaring their relatives), or
--   a declared near relative with 享受救助备案 ≠ 是 (blank counts as not declared): a roster row
--     whose relative's number ties to them (ties/tie_relatives.sql). A relative with 享受救助备案 =
--     是 raises nothing.
-- Evidence names the staff member, 职务, 任职区划代码 and 关系 (本人 for the staff member's own
-- warning). The warning goes only to 民政厅 (rule_catalogue: restricted_to), never into another
-- department's list.
WITH staff_rows AS (
    SELECT s.*, (coalesce(s.relative_id_number_status, 'blank') = 'blank' AND s.relative_name IS NULL) AS own_row
    FROM linked_staff_roster s
),
staff AS (
    SELECT s.person_id, s.delivery_date, s.record_no, s.name AS staff_name, s.position, s.division_code,
           '本人' AS relation, s.filed_assistance
    FROM staff_rows s
    WHERE s.own_row OR NOT EXISTS (SELECT 1 FROM staff_rows o WHERE o.person_id = s.person_id AND o.own_row)
),
relatives AS (
    SELECT t.person_id, r.delivery_date, r.record_no, r.name AS staff_name, r.position, r.division_code,
           r.relation, r.filed_assistance
    FROM evidence_ties t
    JOIN cur_staff_roster r ON r.delivery_date = t.delivery_date AND r.record_no = t.record_no
    WHERE t.source = 'staff_roster' AND t.role = 'relative' AND coalesce(r.filed_assistance, '') <> '是'
),
found AS (
    SELECT * FROM staff
    UNION ALL
    SELECT * FROM relatives
)
SELECT p.person_id,
       json_list(evidence('staff_roster', f.delivery_date, f.record_no,
                          json_object('工作人员', f.staff_name, '职务', f.position, '任职区划代码', f.division_code,
                                      '关系', f.relation, '享受救助备案', f.filed_assistance)),
                 f.record_no || '|' || f.relation) AS evidence
FROM found f
JOIN registry_facts p USING (person_id)
WHERE p.household_covered
GROUP BY p.person_id
