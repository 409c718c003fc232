-- Pairs the model learns from. `exact_pairs`: records the exact tier linked, with only the
-- evidence a record without a number would carry (its sex, birth-date and county columns, or
-- what a mangled number's surviving digits would give), against their registry person.
CREATE OR REPLACE TEMP TABLE exact_pairs AS
WITH sample AS (
    -- a pseudo-random sample that is the same on every run (DuckDB's reservoir sample is not, with
    -- several threads): the links whose record key hashes lowest, taken before the wide joins
    SELECT source, delivery_date, record_no, person_id
    FROM link_decisions
    WHERE outcome = 'link' AND method IN ('exact_id', 'id15_converted')
    ORDER BY hash(source, delivery_date, record_no), source, delivery_date, record_no
    LIMIT $model_sample_rows
)
SELECT
    r.source,
    r.name AS r_name, r.pinyin AS r_pinyin, r.sex_col AS r_sex,
    coalesce(r.birth_col, r.id_birth) AS r_birth,
    strftime(coalesce(r.birth_col, r.id_birth), '%Y') AS r_birth_year,
    r.county_col AS r_county,
    NULL::BIGINT AS r_id_lo, NULL::BIGINT AS r_id_hi, NULL::BIGINT AS r_id_digits, NULL::BIGINT AS g_id_num,
    g.name AS g_name, g.pinyin AS g_pinyin, g.sex AS g_sex, g.birth_date AS g_birth, g.home_county AS g_county
FROM sample d
JOIN link_records r USING (source, delivery_date, record_no)
JOIN link_registry g ON g.person_id = d.person_id
WHERE r.name IS NOT NULL;

-- `random_records` / `random_people`: pseudo-random samples (lowest key hashes, the same on every
-- run) that fuzzy.py pairs off one to one: almost all non-matches, for the u-probability of the
-- one level that has no frequency table (a close but different name).
CREATE OR REPLACE TEMP TABLE random_records AS
SELECT name AS r_name, pinyin AS r_pinyin
FROM link_records WHERE name IS NOT NULL
ORDER BY hash(source, delivery_date, record_no), source, delivery_date, record_no
LIMIT $model_sample_rows;

CREATE OR REPLACE TEMP TABLE random_people AS
SELECT name AS g_name, pinyin AS g_pinyin
FROM registry_people WHERE name IS NOT NULL
ORDER BY hash(person_id, 'u'), person_id
LIMIT $model_sample_rows;

-- Share of each source's valid numbers found in the registry: the prior that a record is a
-- registry person at all.
CREATE OR REPLACE TEMP TABLE source_shares AS
SELECT r.source,
       count(*) FILTER (WHERE d.outcome = 'link') / count(*) AS share_in_registry
FROM link_records r
LEFT JOIN link_decisions d USING (source, delivery_date, record_no)
WHERE r.id_status = 'valid'
GROUP BY r.source;

-- How often a registry person's own number is a valid one: the chance that a true match's
-- number falls inside a mangled number's interval (m of the "within" level).
CREATE OR REPLACE TEMP TABLE registry_number_quality AS
SELECT avg((id_status = 'valid')::INTEGER) AS share_valid FROM registry_people;
