-- Hardship "severely ill" (rules.md, DIBAO_SINGLE): the person is in the 卫健委 list of
-- 重特大疾病 patients. (The other way to be severely ill, a high 个人负担, is in medins_burden.sql.)
INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'hardship' AS signal_type,
       'severely_ill' AS signal, '重特大疾病' AS label, l.diagnosed_on AS event_date,
       'health_serious_illness' AS source, l.delivery_date, l.record_no,
       json_object('疾病名称', l.disease, '疾病编码', l.icd10, '确诊日期', l.diagnosed_on, '确诊医院', l.hospital)::VARCHAR AS detail
FROM linked_health_serious_illness l JOIN rule_persons p USING (person_id);
