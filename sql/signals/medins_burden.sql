-- 医保局 records: hardship "severely ill" when 近12个月个人负担费用 exceeds 上年度居民人均可支配收入
-- (rules.md, DIBAO_SINGLE); assistance: the premium subsidy (参保资助) and medical assistance.
INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'hardship' AS signal_type,
       'severely_ill' AS signal, '医疗费用个人负担重' AS label, l.out_of_pocket_12m AS amount,
       'medins_burden' AS source, l.delivery_date, l.record_no,
       json_object('近12个月个人负担费用', l.out_of_pocket_12m, '上年度居民人均可支配收入',
                   getvariable('income_reference_yuan'))::VARCHAR AS detail
FROM linked_medins_burden l JOIN rule_persons p USING (person_id)
WHERE l.out_of_pocket_12m > getvariable('income_reference_yuan')::DECIMAL(18, 2);

INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'assistance' AS signal_type,
       'insurance_subsidy' AS signal, '医保参保资助' AS label,
       l.premium_subsidy IN ('全额资助', '定额资助') AS received,
       'medins_burden' AS source, l.delivery_date, l.record_no,
       json_object('参保状态', l.insurance_status, '参保资助类型', l.premium_subsidy)::VARCHAR AS detail
FROM linked_medins_burden l JOIN rule_persons p USING (person_id);

INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'assistance' AS signal_type,
       'medical_assistance' AS signal, '医疗救助' AS label, coalesce(l.medical_assistance > 0, false) AS received,
       l.medical_assistance AS amount, 'medins_burden' AS source, l.delivery_date, l.record_no,
       json_object('医疗救助金额', l.medical_assistance, '近12个月个人负担费用', l.out_of_pocket_12m)::VARCHAR AS detail
FROM linked_medins_burden l JOIN rule_persons p USING (person_id);
