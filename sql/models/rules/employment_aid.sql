-- EMPLOYMENT_AID (人社厅): a low-income person aged $employment_age_min..$employment_age_max (both
-- included, whole years at the logical date) who is registered unemployed with 就业援助 = 否.
SELECT p.person_id,
       json_list(evidence('hrss_unemployed', u.delivery_date, u.record_no,
                          json_object('失业登记日期', u.registered_on, '就业援助', u.employment_aid, '年龄', p.age)),
                 u.record_no) AS evidence
FROM linked_hrss_unemployed u
JOIN registry_facts p USING (person_id)
WHERE p.is_low_income
  AND p.age BETWEEN $employment_age_min AND $employment_age_max
  AND u.employment_aid = '否'
GROUP BY p.person_id
