-- INCOME_ABOVE_LINE (民政厅). Take the contribution_months latest 缴费年月 present in the
-- hrss_contributions delivery (all its records, linked or not: the months are the delivery's).
--   A 有效 低保 household fires when the sum over its members of their 缴费基数 in those months,
--   divided by contribution_months (a missing month counts 0) and by 家庭人口数, exceeds the 低保
--   standard of its 城乡类别. Compared exactly: sum > standard × months × size (yuan and fen).
--   A 有效 特困分散/特困集中 household fires when any member has a contribution row in those months.
-- Subject: the household's head.
WITH months AS (
    SELECT contribution_month
    FROM (SELECT DISTINCT contribution_month FROM cur_hrss_contributions WHERE contribution_month IS NOT NULL)
    QUALIFY row_number() OVER (ORDER BY contribution_month DESC) <= getvariable('contribution_months')
),
paid AS (
    SELECT c.*, p.household_id, p.person_id AS member_id
    FROM linked_hrss_contributions c
    JOIN rule_persons p USING (person_id)
    WHERE c.contribution_month IN (SELECT contribution_month FROM months)
),
households AS (
    SELECT h.*, count(*) OVER (PARTITION BY h.household_id) AS members
    FROM rule_persons h
),
heads AS (
    SELECT person_id, household_id, assistance_category, urban_rural,
           coalesce(nullif(household_size, 0), members) AS size,
           getvariable('dibao_standard')[urban_rural]::DECIMAL(18, 2) AS standard
    FROM households
    WHERE is_head AND household_status = '有效' AND assistance_category IN ('低保', '特困分散', '特困集中')
),
totals AS (
    SELECT h.person_id, h.household_id, h.assistance_category, h.urban_rural, h.size, h.standard,
           sum(p.contribution_base) AS total,
           list(evidence('hrss_contributions', p.delivery_date, p.record_no,
                         json_object('成员编号', p.member_id, '缴费年月', strftime(p.contribution_month, '%Y%m'),
                                     '缴费基数', p.contribution_base, '单位名称', p.employer))
                ORDER BY p.member_id, p.contribution_month, p.record_no) AS records,
           any_value(p.delivery_date) AS delivery_date
    FROM heads h JOIN paid p USING (household_id)
    GROUP BY ALL
)
SELECT person_id,
       list_append(records, evidence('hrss_contributions', delivery_date, NULL, json_object(
           '救助类别', assistance_category, '城乡类别', urban_rural, '家庭人口数', size,
           '缴费月份', (SELECT list(strftime(contribution_month, '%Y%m') ORDER BY contribution_month) FROM months),
           '缴费基数合计', total,
           '月人均', round(total / getvariable('contribution_months') / size, 2),
           '低保标准', standard))) AS evidence
FROM totals
WHERE (assistance_category = '低保' AND total > standard * getvariable('contribution_months') * size)
   OR assistance_category IN ('特困分散', '特困集中')
