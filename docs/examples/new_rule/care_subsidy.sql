-- CARE_SUBSIDY (残联) — the README's worked example of adding a rule, not a rule of rules.md:
-- a low-income person in the disabled persons' list with a severe grade ($care_subsidy_grades)
-- whose 重度残疾人护理补贴 is 未享受.
SELECT p.person_id,
       json_list(evidence('dpf_disabled', d.delivery_date, d.record_no,
                          json_object('残疾类别', d.disability_kind, '残疾等级', d.disability_grade,
                                      '重度残疾人护理补贴', d.care_subsidy)),
                 d.record_no) AS evidence
FROM linked_dpf_disabled d
JOIN registry_facts p USING (person_id)
WHERE p.is_low_income
  AND list_contains($care_subsidy_grades, d.disability_grade)
  AND d.care_subsidy = '未享受'
GROUP BY p.person_id
