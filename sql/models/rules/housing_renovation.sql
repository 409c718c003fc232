-- HOUSING_RENOVATION (住建厅): a 有效 rural household whose head is in the housing list with
-- 保障类型 危房改造, 危房等级 C级 or D级 and 办理状态 未办理. Subject: the head. (The category
-- follows the household's coverage: rule_catalogue.yaml.)
SELECT p.person_id,
       json_list(evidence('housing', h.delivery_date, h.record_no,
                          json_object('保障类型', h.programme, '危房等级', h.danger_grade, '办理状态', h.progress,
                                      '城乡类别', p.urban_rural)),
                 h.record_no) AS evidence
FROM linked_housing h
JOIN registry_facts p USING (person_id)
WHERE p.is_head AND p.household_status = '有效' AND p.urban_rural = '农村'
  AND h.programme = '危房改造' AND h.danger_grade IN ('C级', 'D级') AND h.progress = '未办理'
GROUP BY p.person_id
