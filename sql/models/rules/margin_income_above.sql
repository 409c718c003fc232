-- MARGIN_INCOME_ABOVE (民政厅): a 有效 低保边缘 household whose contribution income, computed as for
-- INCOME_ABOVE_LINE (household_contribution_income: the members' 缴费基数 in the
-- $contribution_months latest months, divided by $contribution_months and by 家庭人口数), exceeds
-- $margin_income_multiple × the 低保 standard of its 城乡类别. Compared exactly:
-- sum > multiple × standard × months × size. Subject: the head. Evidence: the rows, then the
-- household's sum against the line.
SELECT t.person_id,
       substr(t.records, 1, length(t.records) - 1) || ','
       || evidence('hrss_contributions', t.delivery_date, NULL, json_object(
           '救助类别', t.assistance_category, '城乡类别', t.urban_rural, '家庭人口数', t.size,
           '缴费月份', json(t.months),
           '缴费基数合计', t.total,
           '月人均', round(t.total / $contribution_months / t.size, 2),
           '低保标准', t.standard,
           '倍数', $margin_income_multiple,
           '比较线', round(t.standard * $margin_income_multiple, 2))) || ']' AS evidence
FROM household_contribution_income t
WHERE t.assistance_category = '低保边缘'
  AND t.total > CAST($margin_income_multiple AS DECIMAL(18, 4)) * t.standard * $contribution_months * t.size
