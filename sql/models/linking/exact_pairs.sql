-- Pairs the fuzzy model learns its m-probabilities from: records the exact tier linked (their
-- numbers prove they are the same person), with only the evidence a record without a number
-- would carry, against their registry person. A pseudo-random sample that is the same on every
-- run and every engine: the links whose record signature (an md5, link_records) is lowest.
WITH sample AS (
    SELECT d.source, d.delivery_date, d.record_no, d.person_id
    FROM number_decisions d
    JOIN link_records s USING (source, delivery_date, record_no)
    WHERE d.outcome = 'link' AND d.method IN ('exact_id', 'id15_converted')
    ORDER BY s.signature, d.source, d.delivery_date, d.record_no
    LIMIT $u_sample_pairs
)
SELECT
    r.source,
    r.name AS r_name, r.pinyin AS r_pinyin, r.sex_col AS r_sex,
    coalesce(r.birth_col, r.id_birth) AS r_birth,
    substr(CAST(coalesce(r.birth_col, r.id_birth) AS VARCHAR), 1, 4) AS r_birth_year,
    r.county_col AS r_county,
    CAST(NULL AS BIGINT) AS r_id_lo, CAST(NULL AS BIGINT) AS r_id_hi, CAST(NULL AS BIGINT) AS r_id_digits,
    CAST(NULL AS BIGINT) AS g_id_num,
    g.name AS g_name, g.pinyin AS g_pinyin, g.sex AS g_sex, g.birth_date AS g_birth, g.home_county AS g_county
FROM sample d
JOIN link_records r USING (source, delivery_date, record_no)
JOIN link_registry g ON g.person_id = d.person_id
WHERE r.name IS NOT NULL
