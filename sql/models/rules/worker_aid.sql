-- WORKER_AID (总工会): a person of a 有效 低保, 低保边缘 or 刚性支出 household in the hardship
-- workers' files with 帮扶状态 = 未帮扶.
SELECT p.person_id,
       json_list(evidence('acftu_workers', w.delivery_date, w.record_no,
                          json_object('工作单位', w.employer, '困难类型', w.hardship_type, '帮扶状态', w.aid_status)),
                 w.record_no) AS evidence
FROM linked_acftu_workers w
JOIN registry_facts p USING (person_id)
WHERE p.is_low_income
  AND p.assistance_category IN ('低保', '低保边缘', '刚性支出')
  AND w.aid_status = '未帮扶'
GROUP BY p.person_id
