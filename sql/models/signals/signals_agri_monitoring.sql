-- 农业农村厅 防止返贫监测: the person's household is monitored (assistance received while the risk
-- is not cleared).
SELECT l.person_id, p.household_id, p.name, 'assistance' AS signal_type, 'poverty_monitoring' AS signal,
       '防止返贫监测' AS label, true AS received, CAST(NULL AS DECIMAL(18, 2)) AS amount,
       CAST(NULL AS DATE) AS event_date, 'agri_monitoring' AS source, l.delivery_date, l.record_no,
       CAST(json_object('监测类型', l.monitoring_type, '风险类型', l.risk_type, '风险消除', l.risk_cleared) AS VARCHAR)
           AS detail
FROM linked_agri_monitoring l JOIN registry_facts p USING (person_id)
