-- The registry as the matcher and the rules use it: persons with their household and the two
-- terms of rules.md, for the newest loaded registry deliveries on or before a day.
--   low-income person: member of a 有效 household.
--   covered person: member of a 有效 household whose 救助类别 is 低保/特困分散/特困集中,
--                   or a low-income person with 单独纳入 = 是.
-- Analysts: SELECT * FROM registry_persons_on(DATE '2026-11-28') WHERE is_covered;
CREATE OR REPLACE MACRO registry_persons_on(day) AS TABLE
WITH persons AS (
    SELECT * FROM stg_registry_persons
    WHERE delivery_date = (SELECT max(delivery_date) FROM stg_registry_persons WHERE delivery_date <= day)
),
households AS (
    SELECT * FROM stg_registry_households
    WHERE delivery_date = (SELECT max(delivery_date) FROM stg_registry_households WHERE delivery_date <= day)
),
joined AS (
    SELECT
        p.person_id,
        p.household_id,
        p.name,
        p.name_pinyin,
        p.id_number,
        p.id_number_status,
        p.sex,
        p.birth_date,
        coalesce(p.id_number_county, h.division_code_county) AS county_code,
        p.relation,
        p.individually_included,
        p.labour_capacity,
        p.health,
        p.disability_grade,
        p.employment,
        h.head_name,
        h.head_id_number,
        h.division_code,
        h.urban_rural,
        h.assistance_category,
        h.status AS household_status,
        h.included_on,
        h.monthly_benefit,
        h.household_size,
        h.income_per_head,
        h.heating_aid,
        p.delivery_date AS registry_delivery_date
    FROM persons p
    LEFT JOIN households h USING (household_id)
)
SELECT
    *,
    coalesce(household_status = '有效', false) AS is_low_income,
    coalesce(household_status = '有效' AND (
        assistance_category IN ('低保', '特困分散', '特困集中') OR individually_included = '是'
    ), false) AS is_covered
FROM joined;
