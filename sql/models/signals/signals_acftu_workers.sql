-- 总工会 hardship workers' files: assistance received when 帮扶状态 = 已帮扶.
SELECT l.person_id, p.household_id, p.name, 'assistance' AS signal_type, 'worker_aid' AS signal,
       '困难职工帮扶' AS label, l.aid_status = '已帮扶' AS received, CAST(NULL AS DECIMAL(18, 2)) AS amount,
       l.filed_on AS event_date, 'acftu_workers' AS source, l.delivery_date, l.record_no,
       CAST(json_object('困难类型', l.hardship_type, '建档日期', l.filed_on, '帮扶状态', l.aid_status) AS VARCHAR) AS detail
FROM linked_acftu_workers l JOIN registry_facts p USING (person_id)
