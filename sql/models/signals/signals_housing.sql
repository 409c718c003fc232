-- 住建厅 housing records: hardship "dangerous housing" (MULTI_HARDSHIP: the head of a rural
-- household with 危房改造, 危房等级 C级 or D级, 办理状态 not 已完成); assistance: the programme,
-- received when 已完成.
SELECT l.person_id, p.household_id, p.name, 'hardship' AS signal_type, 'dangerous_housing' AS signal,
       '农村危房' AS label, CAST(NULL AS BOOLEAN) AS received, CAST(NULL AS DECIMAL(18, 2)) AS amount,
       CAST(NULL AS DATE) AS event_date, 'housing' AS source, l.delivery_date, l.record_no,
       CAST(json_object('保障类型', l.programme, '危房等级', l.danger_grade, '办理状态', l.progress) AS VARCHAR) AS detail
FROM linked_housing l JOIN registry_facts p USING (person_id)
WHERE p.is_head AND p.urban_rural = '农村' AND l.programme = '危房改造'
  AND l.danger_grade IN ('C级', 'D级') AND l.progress <> '已完成'
UNION ALL
SELECT l.person_id, p.household_id, p.name, 'assistance', 'housing_programme', l.programme, l.progress = '已完成',
       NULL, NULL, 'housing', l.delivery_date, l.record_no,
       CAST(json_object('保障类型', l.programme, '危房等级', l.danger_grade, '办理状态', l.progress) AS VARCHAR)
FROM linked_housing l JOIN registry_facts p USING (person_id)
WHERE l.programme IS NOT NULL
