-- CATASTROPHIC_MEDICAL (县级协调机制): a covered person whose 近12个月个人负担费用 exceeds
-- $catastrophic_multiple × 上年度居民人均可支配收入 (compared exactly, in yuan and fen).
SELECT p.person_id,
       json_list(evidence('medins_burden', m.delivery_date, m.record_no,
                          json_object('近12个月个人负担费用', m.out_of_pocket_12m, '医疗救助金额', m.medical_assistance,
                                      '阈值', $catastrophic_multiple * $income_reference_yuan)),
                 m.record_no) AS evidence
FROM linked_medins_burden m
JOIN registry_facts p USING (person_id)
WHERE p.is_covered
  AND m.out_of_pocket_12m > CAST($catastrophic_multiple * $income_reference_yuan AS DECIMAL(18, 2))
GROUP BY p.person_id
