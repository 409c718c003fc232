-- The run's registry persons as the linker sees them. A number enrolled twice (two households)
-- is one identity: id_rank (registry_facts.enrolment_rank) picks the enrolment a record is
-- tied to, the same choice DUPLICATE_ENROLLMENT makes. The household (its id, head and
-- village) is what the household-context tier ties a member through.
-- @materialized: ephemeral
SELECT
    person_id,
    household_id,
    id_number AS id18,
    id_number_status AS id_status,
    name,
    name_pinyin AS pinyin,
    sex,
    birth_date,
    coalesce(id_county, substr(division_code, 1, 6)) AS county,   -- where the number was issued
    substr(division_code, 1, 6) AS home_county,                   -- where the household lives
    division_code AS village,                                     -- its 12-digit 行政区划代码
    is_head,
    is_low_income,
    enrolment_rank AS id_rank
FROM registry_facts
