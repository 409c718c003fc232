-- Records left for the fuzzy tier whose number cannot identify anyone (blank, Excel-mangled,
-- malformed, or mistyped beyond one edit) and that the household-context tier did not decide
-- (tier_context), with the evidence the record itself carries: its sex,
-- birth-date and county (residence) columns, and for an Excel-mangled number the interval the
-- true number lies in (a valid-looking number ending in 000 that matched nobody is treated the
-- same way: Excel may have zeroed its last digits and the check digit fit by chance).
WITH evidence AS (
    SELECT
        source, delivery_date, record_no, name, pinyin,
        split_part(pinyin, ' ', 1) AS surname_pinyin,
        sex_col AS sex,
        birth_col AS birth_date,
        county_col,
        CASE WHEN id_status = 'mangled' THEN id_lo
             WHEN id_status = 'valid' THEN CAST(id18 AS BIGINT) - 500 END AS id_lo,
        CASE WHEN id_status = 'mangled' THEN id_hi
             WHEN id_status = 'valid' THEN CAST(id18 AS BIGINT) + 500 END AS id_hi,
        CASE WHEN id_status = 'mangled' THEN id_digits WHEN id_status = 'valid' THEN 15 END AS id_digits
    FROM undecided_records u
    WHERE NOT EXISTS (SELECT 1 FROM tier_context t WHERE t.source = u.source AND t.delivery_date = u.delivery_date
                                                    AND t.record_no = u.record_no)
      AND (id_status IN ('blank', 'mangled', 'malformed', 'bad_check', 'bad_date')
           OR (id_status = 'valid' AND id18 LIKE '%000'))
      AND name IS NOT NULL
)
SELECT *, substr(CAST(birth_date AS VARCHAR), 1, 4) AS birth_year, county_col AS county
FROM evidence
