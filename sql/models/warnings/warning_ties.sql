-- The ties a warning rests on: for each department record of its evidence, the ties of that
-- record (ties/evidence_ties: the linker's, and a roster's relatives) to a member of the
-- warning's subject household (any tie when the subject has no household: MONITORING_INTAKE).
-- A roster row names a staff member and a relative: the warning about the relative rests on the
-- relative's tie only, unless the staff member lives in the same household. tie_is_head: the
-- tied person heads the subject's household (the urgent flag's death of the head).
SELECT i.rule_code, i.subject_key, i.item, i.source, i.delivery_date, i.record_no,
       t.person_id AS tie_person, t.method, t.signature, t.role, q.is_head AS tie_is_head
FROM warning_items i
JOIN evidence_ties t ON t.source = i.source AND t.delivery_date = i.delivery_date AND t.record_no = i.record_no
JOIN registry_facts q ON q.person_id = t.person_id
WHERE i.record_no IS NOT NULL
  AND (i.household_id IS NULL OR q.household_id = i.household_id)
