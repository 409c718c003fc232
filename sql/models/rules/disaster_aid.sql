-- DISASTER_AID (应急管理厅): a low-income disaster victim whose 受灾日期 lies within the last
-- $disaster_window_days days (both ends: the logical date and that many days before it) and who
-- has been paid no relief (已发放救助金额 = 0).
SELECT p.person_id,
       json_list(evidence('emergency_victims', v.delivery_date, v.record_no,
                          json_object('灾害类型', v.disaster_type, '受灾日期', v.disaster_date,
                                      '房屋损毁', v.house_damage, '已发放救助金额', v.relief_paid)),
                 v.record_no) AS evidence
FROM linked_emergency_victims v
JOIN registry_facts p USING (person_id)
WHERE p.is_low_income
  AND days_between(v.disaster_date, $as_of) BETWEEN 0 AND $disaster_window_days
  AND v.relief_paid = 0
GROUP BY p.person_id
