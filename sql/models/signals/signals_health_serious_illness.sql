-- Hardship "severely ill" (rules.md, DIBAO_SINGLE): the person is in the 卫健委 list of
-- 重特大疾病 patients. (The other way to be severely ill, a high 个人负担, is in
-- signals_medins_burden.)
SELECT l.person_id, p.household_id, p.name, 'hardship' AS signal_type, 'severely_ill' AS signal,
       '重特大疾病' AS label, CAST(NULL AS BOOLEAN) AS received, CAST(NULL AS DECIMAL(18, 2)) AS amount,
       l.diagnosed_on AS event_date, 'health_serious_illness' AS source, l.delivery_date, l.record_no,
       CAST(json_object('疾病名称', l.disease, '疾病编码', l.icd10, '确诊日期', l.diagnosed_on, '确诊医院', l.hospital)
            AS VARCHAR) AS detail
FROM linked_health_serious_illness l JOIN registry_facts p USING (person_id)
