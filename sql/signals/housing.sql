-- 住建厅 housing records: hardship "dangerous housing" (MULTI_HARDSHIP: the head of a rural
-- household with 危房改造, 危房等级 C级 or D级, 办理状态 not 已完成); assistance: the programme,
-- received when 已完成.
INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'hardship' AS signal_type,
       'dangerous_housing' AS signal, '农村危房' AS label, 'housing' AS source, l.delivery_date, l.record_no,
       json_object('保障类型', l.programme, '危房等级', l.danger_grade, '办理状态', l.progress)::VARCHAR AS detail
FROM linked_housing l JOIN rule_persons p USING (person_id)
WHERE p.is_head AND p.urban_rural = '农村' AND l.programme = '危房改造'
  AND l.danger_grade IN ('C级', 'D级') AND l.progress <> '已完成';

INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'assistance' AS signal_type,
       'housing_programme' AS signal, l.programme AS label, l.progress = '已完成' AS received,
       'housing' AS source, l.delivery_date, l.record_no,
       json_object('保障类型', l.programme, '危房等级', l.danger_grade, '办理状态', l.progress)::VARCHAR AS detail
FROM linked_housing l JOIN rule_persons p USING (person_id)
WHERE l.programme IS NOT NULL;
