-- DUPLICATE_ENROLLMENT (民政厅): the same identity number (after normalisation) in two or more
-- 有效 registry households: 重复救助. One warning per number; its person_id and household_id are
-- those of the enrolment the number stands for (registry_facts.enrolment_rank = 1: the latest
-- 纳入日期, then the larger 家庭编号); the evidence lists every 有效 enrolment. 已终止 households
-- do not count.
WITH enrolled AS (
    SELECT * FROM registry_facts WHERE household_status = '有效' AND id_number IS NOT NULL
),
dup AS (
    SELECT id_number FROM enrolled GROUP BY id_number HAVING count(DISTINCT household_id) >= 2
)
SELECT min(e.person_id) FILTER (WHERE e.enrolment_rank = 1) AS person_id,
       json_list(evidence('registry_persons', e.persons_delivery_date, NULL,
                          json_object('成员编号', e.person_id, '家庭编号', e.household_id, '姓名', e.name,
                                      '救助类别', e.assistance_category, '纳入日期', e.included_on)),
                 e.enrolment_rank) AS evidence
FROM enrolled e JOIN dup USING (id_number)
GROUP BY e.id_number
