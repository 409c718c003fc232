-- The run's registry persons as the linker sees them. A number enrolled twice (two households)
-- is one identity: the rank picks the enrollment a record is tied to (an 有效 household first,
-- then the latest 纳入日期), the same choice DUPLICATE_ENROLLMENT makes.
CREATE OR REPLACE TEMP TABLE link_registry AS
SELECT
    person_id,
    household_id,
    id_number AS id18,
    id_number_status AS id_status,
    name,
    name_pinyin AS pinyin,
    sex,
    birth_date,
    county_code AS county,                               -- where the number was issued
    substr(division_code, 1, 6) AS home_county,          -- where the household lives
    is_low_income,
    row_number() OVER (
        PARTITION BY id_number
        ORDER BY is_low_income DESC, included_on DESC NULLS LAST, person_id
    ) AS id_rank
FROM cur_persons;
