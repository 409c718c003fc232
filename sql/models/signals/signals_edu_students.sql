-- 教育厅 student aid: assistance received when a 资助项目 is named.
SELECT l.person_id, p.household_id, p.name, 'assistance' AS signal_type, 'student_aid' AS signal,
       coalesce(nullif(trim(l.aid_programme), ''), '学生资助') AS label,
       nullif(trim(l.aid_programme), '') IS NOT NULL AS received, CAST(l.aid_amount AS DECIMAL(18, 2)) AS amount,
       CAST(NULL AS DATE) AS event_date, 'edu_students' AS source, l.delivery_date, l.record_no,
       CAST(json_object('学校名称', l.school, '学段', l.stage, '资助项目', l.aid_programme, '学年', l.school_year)
            AS VARCHAR) AS detail
FROM linked_edu_students l JOIN registry_facts p USING (person_id)
