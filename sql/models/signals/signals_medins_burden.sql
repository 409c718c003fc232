-- 医保局 records: hardship "severely ill" when 近12个月个人负担费用 exceeds 上年度居民人均可支配收入
-- (rules.md, DIBAO_SINGLE); assistance: the premium subsidy (参保资助) and medical assistance.
SELECT l.person_id, p.household_id, p.name, 'hardship' AS signal_type, 'severely_ill' AS signal,
       '医疗费用个人负担重' AS label, CAST(NULL AS BOOLEAN) AS received,
       CAST(l.out_of_pocket_12m AS DECIMAL(18, 2)) AS amount, CAST(NULL AS DATE) AS event_date,
       'medins_burden' AS source, l.delivery_date, l.record_no,
       CAST(json_object('近12个月个人负担费用', l.out_of_pocket_12m, '上年度居民人均可支配收入', $income_reference_yuan)
            AS VARCHAR) AS detail
FROM linked_medins_burden l JOIN registry_facts p USING (person_id)
WHERE l.out_of_pocket_12m > CAST($income_reference_yuan AS DECIMAL(18, 2))
UNION ALL
SELECT l.person_id, p.household_id, p.name, 'assistance', 'insurance_subsidy', '医保参保资助',
       l.premium_subsidy IN ('全额资助', '定额资助'), NULL, NULL, 'medins_burden', l.delivery_date, l.record_no,
       CAST(json_object('参保状态', l.insurance_status, '参保资助类型', l.premium_subsidy) AS VARCHAR)
FROM linked_medins_burden l JOIN registry_facts p USING (person_id)
UNION ALL
SELECT l.person_id, p.household_id, p.name, 'assistance', 'medical_assistance', '医疗救助',
       coalesce(l.medical_assistance > 0, false), CAST(l.medical_assistance AS DECIMAL(18, 2)), NULL,
       'medins_burden', l.delivery_date, l.record_no,
       CAST(json_object('医疗救助金额', l.medical_assistance, '近12个月个人负担费用', l.out_of_pocket_12m) AS VARCHAR)
FROM linked_medins_burden l JOIN registry_facts p USING (person_id)
