-- EDU_AID (教育厅): a low-income person in the student list with no 资助项目.
SELECT p.person_id,
       json_list(evidence('edu_students', e.delivery_date, e.record_no,
                          json_object('学校名称', e.school, '学段', e.stage, '资助项目', e.aid_programme,
                                      '学年', e.school_year)),
                 e.record_no) AS evidence
FROM linked_edu_students e
JOIN registry_facts p USING (person_id)
WHERE p.is_low_income AND nullif(trim(e.aid_programme), '') IS NULL
GROUP BY p.person_id
