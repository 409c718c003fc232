-- DUPLICATE_ENROLLMENT (民政厅): the same identity number (after normalisation) in two or more
-- 有效 registry households: 重复救助. One warning per number; its person_id and household_id are
-- those of the enrollment with the latest 纳入日期 (ties: the larger 家庭编号); the evidence
-- lists every 有效 enrollment. 已终止 households do not count.
WITH enrolled AS (
    SELECT * FROM rule_persons WHERE household_status = '有效' AND id_number IS NOT NULL
),
dup AS (
    SELECT id_number FROM enrolled GROUP BY id_number HAVING count(DISTINCT household_id) >= 2
)
SELECT first(e.person_id ORDER BY e.included_on DESC NULLS LAST, e.household_id DESC) AS person_id,
       list(evidence('registry_persons', getvariable('delivery_registry_persons'), NULL,
                     json_object('成员编号', e.person_id, '家庭编号', e.household_id, '姓名', e.name,
                                 '救助类别', e.assistance_category, '纳入日期', e.included_on))
            ORDER BY e.included_on DESC NULLS LAST, e.household_id DESC) AS evidence
FROM enrolled e JOIN dup USING (id_number)
GROUP BY e.id_number
