-- The registry as every later model reads it: one row per registry person of the run's
-- deliveries, with the ONLY definitions of the terms of rules.md and sources.md:
--   is_low_income      member of a 有效 household
--   household_covered  有效 household whose 救助类别 is one of $covered_categories (config/rules.yaml)
--   is_covered         household_covered, or a low-income person with 单独纳入 = 是
--   is_head            the household's head: relation 本人, else the member whose number is the
--                      household's 户主身份证号, else the first 成员编号; exactly one per household
--   birth_date_eff     registry birth date, else the one the identity number encodes
--   sex_eff            registry sex, else the one the identity number encodes
--   age                whole years at the logical date
--   county_code        where the person lives (the household's 行政区划代码), else the number's county
--   enrolment_rank     1 for the enrolment a number stands for when enrolled twice: an 有效
--                      household first, then the latest 纳入日期, then the larger 家庭编号
-- Analysts: SELECT * FROM registry_facts (the latest night's; docs/data-dictionary.md).
-- @materialized: night
-- @retention: latest
WITH joined AS (
    SELECT
        p.person_id,
        p.household_id,
        p.name,
        p.name_pinyin,
        p.id_number,
        p.id_number_status,
        p.sex,
        p.birth_date,
        p.id_number_county AS id_county,
        coalesce(p.birth_date, birth_from_id(p.id_number)) AS birth_date_eff,
        coalesce(p.sex, sex_from_id(p.id_number)) AS sex_eff,
        p.relation,
        p.individually_included,
        p.labour_capacity,
        p.health,
        p.disability_grade,
        p.employment,
        h.head_name,
        h.head_id_number,
        h.division_code,
        h.address,
        h.urban_rural,
        h.assistance_category,
        h.status AS household_status,
        h.included_on,
        h.monthly_benefit,
        h.household_size,
        h.income_per_head,
        h.heating_aid,
        p.delivery_date AS persons_delivery_date,
        h.delivery_date AS households_delivery_date,
        coalesce(h.status = '有效', false) AS is_low_income,
        coalesce(h.status = '有效' AND list_contains($covered_categories, h.assistance_category), false)
            AS household_covered
    FROM cur_registry_persons p
    LEFT JOIN cur_registry_households h USING (household_id)
)
SELECT
    *,
    household_covered OR (is_low_income AND coalesce(individually_included = '是', false)) AS is_covered,
    row_number() OVER (PARTITION BY household_id
                       ORDER BY CASE WHEN relation = '本人' THEN 0 ELSE 1 END,
                                CASE WHEN id_number = head_id_number THEN 0 ELSE 1 END, person_id) = 1 AS is_head,
    age_years(birth_date_eff, $as_of) AS age,
    coalesce(substr(division_code, 1, 6), id_county) AS county_code,
    row_number() OVER (PARTITION BY id_number
                       ORDER BY is_low_income DESC, included_on DESC NULLS LAST, household_id DESC,
                                person_id) AS enrolment_rank
FROM joined
