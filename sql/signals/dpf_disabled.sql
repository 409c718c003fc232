-- 残联 records: hardship "severely disabled" (rules.md, DIBAO_SINGLE: 一级 or 二级, or 三级 智力
-- or 精神; the lists are parameters); assistance: the two disability subsidies.
INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'hardship' AS signal_type,
       'severely_disabled' AS signal, '重度残疾' AS label, 'dpf_disabled' AS source, l.delivery_date, l.record_no,
       json_object('残疾类别', l.disability_kind, '残疾等级', l.disability_grade)::VARCHAR AS detail
FROM linked_dpf_disabled l JOIN rule_persons p USING (person_id)
WHERE list_contains(getvariable('severe_disability_grades'), l.disability_grade)
   OR (l.disability_grade = '三级' AND list_contains(getvariable('severe_disability_grade3_kinds'), l.disability_kind));

INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'assistance' AS signal_type,
       s.signal, s.label, s.status = '已享受' AS received, 'dpf_disabled' AS source, l.delivery_date, l.record_no,
       json_object(s.label, s.status, '残疾类别', l.disability_kind, '残疾等级', l.disability_grade)::VARCHAR AS detail
FROM linked_dpf_disabled l JOIN rule_persons p USING (person_id),
     LATERAL (VALUES ('disability_living_subsidy', '困难残疾人生活补贴', l.living_subsidy),
                     ('disability_care_subsidy', '重度残疾人护理补贴', l.care_subsidy)) s(signal, label, status)
WHERE s.status IS NOT NULL;
