-- DECEASED (民政厅): a low-income person whose 户籍 was cancelled because of death.
SELECT p.person_id,
       json_list(evidence('mps_cancellations', c.delivery_date, c.record_no,
                          json_object('注销原因', c.reason, '注销日期', c.cancelled_on)),
                 c.record_no) AS evidence
FROM linked_mps_cancellations c
JOIN registry_facts p USING (person_id)
WHERE p.is_low_income AND c.reason = '死亡'
GROUP BY p.person_id
