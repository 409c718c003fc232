-- Records left for the fuzzy tier: no earlier tier decided them and their number cannot identify
-- anyone (blank, Excel-mangled, malformed, or mistyped beyond one edit). Only the evidence the
-- record itself carries is used: a birth-date, sex or county column, and the digits of a mangled
-- number that survived Excel (county from 6 digits, birth year from 10, year-month from 12,
-- the whole date from 14).
CREATE OR REPLACE TEMP TABLE fuzzy_records AS
WITH undecided AS (
    SELECT r.*
    FROM link_records r
    WHERE r.id_status IN ('blank', 'mangled', 'malformed', 'bad_check', 'bad_date')
      AND r.name IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM link_decisions d
                      WHERE d.source = r.source AND d.delivery_date = r.delivery_date AND d.record_no = r.record_no)
),
evidence AS (
    SELECT
        source, delivery_date, record_no, name, pinyin,
        split_part(pinyin, ' ', 1) AS surname_pinyin,
        sex_col AS sex,
        CASE WHEN id_status = 'mangled' THEN id_prefix END AS prefix,
        birth_col,
        CASE WHEN id_status = 'mangled' AND length(id_prefix) >= 14
             THEN try_strptime(substr(id_prefix, 7, 8), '%Y%m%d')::DATE END AS prefix_birth,
        CASE WHEN id_status = 'mangled' AND length(id_prefix) >= 12 THEN substr(id_prefix, 7, 6) END AS prefix_ym,
        CASE WHEN id_status = 'mangled' AND length(id_prefix) >= 10 THEN substr(id_prefix, 7, 4) END AS prefix_year,
        CASE WHEN id_status = 'mangled' AND length(id_prefix) >= 6 THEN substr(id_prefix, 1, 6) END AS prefix_county,
        county_col
    FROM undecided
)
SELECT
    *,
    coalesce(birth_col, prefix_birth) AS birth_date,
    coalesce(strftime(birth_col, '%Y'), prefix_year) AS birth_year,
    coalesce(prefix_county, county_col) AS county
FROM evidence;
