-- DISABILITY_SUBSIDY (残联): a person of a 有效 低保, 特困分散/特困集中, 低保边缘 or 刚性支出
-- household in the disabled persons' list whose 困难残疾人生活补贴 is 未享受.
SELECT p.person_id,
       json_list(evidence('dpf_disabled', d.delivery_date, d.record_no,
                          json_object('残疾类别', d.disability_kind, '残疾等级', d.disability_grade,
                                      '困难残疾人生活补贴', d.living_subsidy)),
                 d.record_no) AS evidence
FROM linked_dpf_disabled d
JOIN registry_facts p USING (person_id)
WHERE p.is_low_income
  AND p.assistance_category IN ('低保', '特困分散', '特困集中', '低保边缘', '刚性支出')
  AND d.living_subsidy = '未享受'
GROUP BY p.person_id
