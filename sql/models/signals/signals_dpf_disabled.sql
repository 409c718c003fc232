-- 残联 records: hardship "severely disabled" (rules.md, DIBAO_SINGLE: 一级 or 二级, or 三级 智力
-- or 精神; the lists are parameters); assistance: the two disability subsidies.
SELECT l.person_id, p.household_id, p.name, 'hardship' AS signal_type, 'severely_disabled' AS signal,
       '重度残疾' AS label, CAST(NULL AS BOOLEAN) AS received, CAST(NULL AS DECIMAL(18, 2)) AS amount,
       CAST(NULL AS DATE) AS event_date, 'dpf_disabled' AS source, l.delivery_date, l.record_no,
       CAST(json_object('残疾类别', l.disability_kind, '残疾等级', l.disability_grade) AS VARCHAR) AS detail
FROM linked_dpf_disabled l JOIN registry_facts p USING (person_id)
WHERE list_contains($severe_disability_grades, l.disability_grade)
   OR (l.disability_grade = '三级' AND list_contains($severe_disability_grade3_kinds, l.disability_kind))
UNION ALL
SELECT l.person_id, p.household_id, p.name, 'assistance', 'disability_living_subsidy', '困难残疾人生活补贴',
       l.living_subsidy = '已享受', NULL, NULL, 'dpf_disabled', l.delivery_date, l.record_no,
       CAST(json_object('困难残疾人生活补贴', l.living_subsidy, '残疾类别', l.disability_kind,
                        '残疾等级', l.disability_grade) AS VARCHAR)
FROM linked_dpf_disabled l JOIN registry_facts p USING (person_id)
WHERE l.living_subsidy IS NOT NULL
UNION ALL
SELECT l.person_id, p.household_id, p.name, 'assistance', 'disability_care_subsidy', '重度残疾人护理补贴',
       l.care_subsidy = '已享受', NULL, NULL, 'dpf_disabled', l.delivery_date, l.record_no,
       CAST(json_object('重度残疾人护理补贴', l.care_subsidy, '残疾类别', l.disability_kind,
                        '残疾等级', l.disability_grade) AS VARCHAR)
FROM linked_dpf_disabled l JOIN registry_facts p USING (person_id)
WHERE l.care_subsidy IS NOT NULL
