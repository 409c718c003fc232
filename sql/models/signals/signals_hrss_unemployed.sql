-- 人社厅 registered unemployed: hardship "unemployed" (MULTI_HARDSHIP); assistance: 就业援助.
SELECT l.person_id, p.household_id, p.name, 'hardship' AS signal_type, 'unemployed' AS signal, '登记失业' AS label,
       CAST(NULL AS BOOLEAN) AS received, CAST(NULL AS DECIMAL(18, 2)) AS amount, l.registered_on AS event_date,
       'hrss_unemployed' AS source, l.delivery_date, l.record_no,
       CAST(json_object('失业登记日期', l.registered_on, '经办机构', l.agency) AS VARCHAR) AS detail
FROM linked_hrss_unemployed l JOIN registry_facts p USING (person_id)
UNION ALL
SELECT l.person_id, p.household_id, p.name, 'assistance', 'employment_aid', '就业援助', l.employment_aid = '是',
       NULL, l.registered_on, 'hrss_unemployed', l.delivery_date, l.record_no,
       CAST(json_object('就业援助', l.employment_aid, '经办机构', l.agency) AS VARCHAR)
FROM linked_hrss_unemployed l JOIN registry_facts p USING (person_id)
