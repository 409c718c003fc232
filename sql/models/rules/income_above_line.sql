-- INCOME_ABOVE_LINE (民政厅), on the households' contribution income (household_contribution_income:
-- the $contribution_months latest 缴费年月 of the hrss_contributions delivery).
--   A 有效 低保 household fires when the sum over its members of their 缴费基数 in those months,
--   divided by $contribution_months (a missing month counts 0) and by 家庭人口数, exceeds the 低保
--   standard of its 城乡类别. Compared exactly: sum > standard × months × size.
--   A 有效 特困分散/特困集中 household fires when any member has a contribution row in those months.
-- Subject: the household's head. Evidence: the rows, then the household's sum against its standard.
SELECT t.person_id,
       substr(t.records, 1, length(t.records) - 1) || ','
       || evidence('hrss_contributions', t.delivery_date, NULL, json_object(
           '救助类别', t.assistance_category, '城乡类别', t.urban_rural, '家庭人口数', t.size,
           '缴费月份', json(t.months),
           '缴费基数合计', t.total,
           '月人均', round(t.total / $contribution_months / t.size, 2),
           '低保标准', t.standard)) || ']' AS evidence
FROM household_contribution_income t
WHERE (t.assistance_category = '低保' AND t.total > t.standard * $contribution_months * t.size)
   OR t.assistance_category IN ('特困分散', '特困集中')
