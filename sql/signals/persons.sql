-- The registry as the rules read it: cur_persons (sql/registry/person_status.sql) plus what
-- several rules need, computed once.
--   age             whole years at the logical date (a birthday on the logical date counts)
--   sex_eff         registry sex, else the sex the identity number encodes
--   county_code     residence county (the household's 行政区划代码), else the number's county
--   household_covered  有效 household of 低保/特困分散/特困集中 (HOUSING_RENOVATION's category)
--   is_head         the household's head: relation 本人, else the member whose number is the
--                   household's 户主身份证号; exactly one per household
CREATE OR REPLACE TEMP TABLE rule_persons AS
WITH base AS (
    SELECT
        *,
        coalesce(birth_date, try_strptime(substr(id_number, 7, 8), '%Y%m%d')::DATE) AS birth_eff
    FROM cur_persons
),
heads AS (
    SELECT household_id,
           first(person_id ORDER BY (relation = '本人') DESC NULLS LAST,
                                    (id_number = head_id_number) DESC NULLS LAST, person_id) AS head_person_id
    FROM base
    GROUP BY household_id
)
SELECT
    b.* EXCLUDE (county_code, birth_eff),
    b.birth_eff AS birth_date_eff,
    date_diff('year', b.birth_eff, getvariable('as_of'))
        - (strftime(getvariable('as_of'), '%m-%d') < strftime(b.birth_eff, '%m-%d'))::INTEGER AS age,
    coalesce(b.sex, CASE WHEN b.id_number IS NULL THEN NULL
                         WHEN try_cast(substr(b.id_number, 17, 1) AS INTEGER) % 2 = 1 THEN '男' ELSE '女' END) AS sex_eff,
    coalesce(substr(b.division_code, 1, 6), b.county_code) AS county_code,
    coalesce(b.household_status = '有效' AND b.assistance_category IN ('低保', '特困分散', '特困集中'), false)
        AS household_covered,
    b.person_id = h.head_person_id AS is_head
FROM base b
LEFT JOIN heads h USING (household_id);
