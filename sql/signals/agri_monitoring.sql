-- 农业农村厅 防止返贫监测: the person's household is monitored (assistance received while the risk
-- is not cleared).
INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'assistance' AS signal_type,
       'poverty_monitoring' AS signal, '防止返贫监测' AS label, true AS received,
       'agri_monitoring' AS source, l.delivery_date, l.record_no,
       json_object('监测类型', l.monitoring_type, '风险类型', l.risk_type, '风险消除', l.risk_cleared)::VARCHAR AS detail
FROM linked_agri_monitoring l JOIN rule_persons p USING (person_id);
