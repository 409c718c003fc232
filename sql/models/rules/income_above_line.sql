-- INCOME_ABOVE_LINE (民政厅). Take the $contribution_months latest 缴费年月 present in the
-- hrss_contributions delivery (all its records, linked or not: the months are the delivery's).
--   A 有效 低保 household fires when the sum over its members of their 缴费基数 in those months,
--   divided by $contribution_months (a missing month counts 0) and by 家庭人口数, exceeds the 低保
--   standard of its 城乡类别 (param_dibao_standard). Compared exactly: sum > standard × months × size.
--   A 有效 特困分散/特困集中 household fires when any member has a contribution row in those months.
-- Subject: the household's head.
WITH months AS (
    SELECT contribution_month
    FROM (SELECT contribution_month, row_number() OVER (ORDER BY contribution_month DESC) AS k
          FROM (SELECT DISTINCT contribution_month FROM cur_hrss_contributions WHERE contribution_month IS NOT NULL) d) m
    WHERE k <= $contribution_months
),
month_list AS (
    SELECT json_list(to_json(strftime(contribution_month, '%Y%m')), contribution_month) AS months FROM months
),
paid AS (
    SELECT c.*, p.household_id, p.person_id AS member_id
    FROM linked_hrss_contributions c
    JOIN registry_facts p USING (person_id)
    WHERE c.contribution_month IN (SELECT contribution_month FROM months)
),
members AS (
    SELECT household_id, count(*) AS members FROM registry_facts GROUP BY household_id
),
heads AS (
    SELECT h.person_id, h.household_id, h.assistance_category, h.urban_rural,
           coalesce(nullif(h.household_size, 0), m.members) AS size,
           CAST(s.value AS DECIMAL(18, 2)) AS standard
    FROM registry_facts h
    JOIN members m USING (household_id)
    LEFT JOIN param_dibao_standard s ON s.key = h.urban_rural
    WHERE h.is_head AND h.household_status = '有效' AND h.assistance_category IN ('低保', '特困分散', '特困集中')
),
totals AS (
    SELECT h.person_id, h.household_id, h.assistance_category, h.urban_rural, h.size, h.standard,
           sum(p.contribution_base) AS total,
           json_list(evidence('hrss_contributions', p.delivery_date, p.record_no,
                              json_object('成员编号', p.member_id, '缴费年月', strftime(p.contribution_month, '%Y%m'),
                                          '缴费基数', p.contribution_base, '单位名称', p.employer)),
                     p.member_id || '|' || strftime(p.contribution_month, '%Y%m') || '|' || p.record_no) AS records,
           min(p.delivery_date) AS delivery_date
    FROM heads h JOIN paid p USING (household_id)
    GROUP BY h.person_id, h.household_id, h.assistance_category, h.urban_rural, h.size, h.standard
)
SELECT t.person_id,
       substr(t.records, 1, length(t.records) - 1) || ','
       || evidence('hrss_contributions', t.delivery_date, NULL, json_object(
           '救助类别', t.assistance_category, '城乡类别', t.urban_rural, '家庭人口数', t.size,
           '缴费月份', json(ml.months),
           '缴费基数合计', t.total,
           '月人均', round(t.total / $contribution_months / t.size, 2),
           '低保标准', t.standard)) || ']' AS evidence
FROM totals t CROSS JOIN month_list ml
WHERE (t.assistance_category = '低保' AND t.total > t.standard * $contribution_months * t.size)
   OR t.assistance_category IN ('特困分散', '特困集中')
