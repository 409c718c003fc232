-- 教育厅 student aid: assistance received when a 资助项目 is named.
INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'assistance' AS signal_type,
       'student_aid' AS signal, coalesce(nullif(trim(l.aid_programme), ''), '学生资助') AS label,
       nullif(trim(l.aid_programme), '') IS NOT NULL AS received, l.aid_amount AS amount,
       'edu_students' AS source, l.delivery_date, l.record_no,
       json_object('学校名称', l.school, '学段', l.stage, '资助项目', l.aid_programme, '学年', l.school_year)::VARCHAR AS detail
FROM linked_edu_students l JOIN rule_persons p USING (person_id);
