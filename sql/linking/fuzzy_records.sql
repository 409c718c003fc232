-- Records left for the fuzzy tier: no earlier tier decided them and their number cannot identify
-- anyone (blank, Excel-mangled, malformed, or mistyped beyond one edit). Only the evidence the
-- record itself carries is used: its sex, birth-date and county (residence) columns, and for an
-- Excel-mangled number the interval the true number lies in (a valid-looking number ending in
-- 000 that matched nobody is treated the same way: Excel may have zeroed its last digits and
-- the check digit fit by chance).
CREATE OR REPLACE TEMP TABLE fuzzy_records AS
WITH undecided AS (
    SELECT r.*
    FROM link_records r
    WHERE (r.id_status IN ('blank', 'mangled', 'malformed', 'bad_check', 'bad_date')
           OR (r.id_status = 'valid' AND r.id18 LIKE '%000'))
      AND r.name IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM link_decisions d
                      WHERE d.source = r.source AND d.delivery_date = r.delivery_date AND d.record_no = r.record_no)
),
evidence AS (
    SELECT
        source, delivery_date, record_no, name, pinyin,
        split_part(pinyin, ' ', 1) AS surname_pinyin,
        sex_col AS sex,
        birth_col AS birth_date,
        county_col,
        CASE WHEN id_status = 'mangled' THEN id_lo
             WHEN id_status = 'valid' THEN id18::BIGINT - 500 END AS id_lo,
        CASE WHEN id_status = 'mangled' THEN id_hi
             WHEN id_status = 'valid' THEN id18::BIGINT + 500 END AS id_hi,
        CASE WHEN id_status = 'mangled' THEN id_digits WHEN id_status = 'valid' THEN 15 END AS id_digits
    FROM undecided
)
SELECT
    *,
    strftime(birth_date, '%Y') AS birth_year,
    county_col AS county   -- where the record says the person lives (a 区划代码 column)
FROM evidence;
