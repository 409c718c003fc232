-- Households' contribution income (INCOME_ABOVE_LINE, MARGIN_INCOME_ABOVE: the one computation
-- both rules read). Take the $contribution_months latest 缴费年月 present in the
-- hrss_contributions delivery (all its records, linked or not: the months are the delivery's);
-- for every 有效 household of 低保, 特困分散, 特困集中 or 低保边缘 with a contribution row of a
-- member in those months: the sum of the members' 缴费基数 in those months (total), the household's
-- size (家庭人口数, else its members counted), the 低保 standard of its 城乡类别
-- (param_dibao_standard), the rows as evidence (records, a JSON list), the months (JSON list).
-- A household without such a row has no contribution income and no row here. Subject: the head.
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
    WHERE h.is_head AND h.household_status = '有效'
      AND h.assistance_category IN ('低保', '特困分散', '特困集中', '低保边缘')
)
SELECT h.person_id, h.household_id, h.assistance_category, h.urban_rural, h.size, h.standard,
       sum(p.contribution_base) AS total,
       json_list(evidence('hrss_contributions', p.delivery_date, p.record_no,
                          json_object('成员编号', p.member_id, '缴费年月', strftime(p.contribution_month, '%Y%m'),
                                      '缴费基数', p.contribution_base, '单位名称', p.employer)),
                 p.member_id || '|' || strftime(p.contribution_month, '%Y%m') || '|' || p.record_no) AS records,
       min(p.delivery_date) AS delivery_date,
       min(ml.months) AS months
FROM heads h
JOIN paid p USING (household_id)
CROSS JOIN month_list ml
GROUP BY h.person_id, h.household_id, h.assistance_category, h.urban_rural, h.size, h.standard
