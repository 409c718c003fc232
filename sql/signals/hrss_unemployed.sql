-- 人社厅 registered unemployed: hardship "unemployed" (MULTI_HARDSHIP); assistance: 就业援助.
INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'hardship' AS signal_type,
       'unemployed' AS signal, '登记失业' AS label, l.registered_on AS event_date,
       'hrss_unemployed' AS source, l.delivery_date, l.record_no,
       json_object('失业登记日期', l.registered_on, '经办机构', l.agency)::VARCHAR AS detail
FROM linked_hrss_unemployed l JOIN rule_persons p USING (person_id);

INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'assistance' AS signal_type,
       'employment_aid' AS signal, '就业援助' AS label, l.employment_aid = '是' AS received,
       l.registered_on AS event_date, 'hrss_unemployed' AS source, l.delivery_date, l.record_no,
       json_object('就业援助', l.employment_aid, '经办机构', l.agency)::VARCHAR AS detail
FROM linked_hrss_unemployed l JOIN rule_persons p USING (person_id);
