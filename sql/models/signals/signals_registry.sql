-- Registry facts for the assistance chain: the household's enrolment (救助类别, 纳入日期, 月救助金额),
-- the heating aid of the season, and 单人户纳入 of a member. Household facts have person_id NULL
-- and the head's name.
SELECT CAST(NULL AS VARCHAR) AS person_id, household_id, name,
       CASE WHEN list_contains($covered_categories, assistance_category) THEN 'assistance' ELSE 'registry' END
           AS signal_type,
       CASE assistance_category WHEN '低保' THEN 'dibao' WHEN '特困分散' THEN 'tekun' WHEN '特困集中' THEN 'tekun'
            ELSE 'low_income_registry' END AS signal,
       assistance_category AS label,
       CASE WHEN list_contains($covered_categories, assistance_category) THEN household_status = '有效' END AS received,
       CAST(monthly_benefit AS DECIMAL(18, 2)) AS amount, included_on AS event_date, 'registry_households' AS source,
       households_delivery_date AS delivery_date, CAST(NULL AS VARCHAR) AS record_no,
       CAST(json_object('家庭编号', household_id, '救助类别', assistance_category, '状态', household_status,
                        '城乡类别', urban_rural, '纳入日期', included_on, '月救助金额', monthly_benefit,
                        '家庭人口数', household_size, '家庭月人均收入', income_per_head) AS VARCHAR) AS detail
FROM registry_facts WHERE is_head
UNION ALL
SELECT NULL, household_id, name, 'assistance', 'heating_aid', '冬季取暖救助', heating_aid = '已发放',
       NULL, NULL, 'registry_households', households_delivery_date, NULL,
       CAST(json_object('家庭编号', household_id, '取暖救助', heating_aid) AS VARCHAR)
FROM registry_facts WHERE is_head AND heating_aid IS NOT NULL
UNION ALL
SELECT person_id, household_id, name, 'assistance', 'individual_dibao', '单人户纳入低保', household_status = '有效',
       NULL, NULL, 'registry_persons', persons_delivery_date, NULL,
       CAST(json_object('成员编号', person_id, '家庭编号', household_id, '单独纳入', individually_included) AS VARCHAR)
FROM registry_facts WHERE individually_included = '是'
