-- MARGIN_TO_DIBAO (民政厅): a 有效 低保边缘 household whose registry 家庭月人均收入 is at or below
-- the 低保 standard of its 城乡类别 (param_dibao_standard): it may qualify for 低保 as a whole
-- household. Compared exactly (yuan and fen); a household without an income recorded raises
-- nothing. Subject: the head.
SELECT p.person_id,
       '[' || evidence('registry_households', p.households_delivery_date, NULL,
                       json_object('家庭编号', p.household_id, '救助类别', p.assistance_category,
                                   '城乡类别', p.urban_rural, '家庭月人均收入', p.income_per_head,
                                   '低保标准', CAST(s.value AS DECIMAL(18, 2)))) || ']' AS evidence
FROM registry_facts p
JOIN param_dibao_standard s ON s.key = p.urban_rural
WHERE p.is_head AND p.household_status = '有效' AND p.assistance_category = '低保边缘'
  AND p.income_per_head <= CAST(s.value AS DECIMAL(18, 2))
