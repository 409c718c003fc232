-- Candidate pairs for the fuzzy tier. Blocking keeps the cost linear: a record is compared only
-- with registry persons who share its pinyin and birth date, its pinyin and county, its pinyin and
-- a number inside its mangled number's interval, or (for a name mistyped beyond a homophone) its
-- surname, birth date and county. A record that carries none of these is not compared at all: a
-- name alone identifies nobody. With the term frequencies of the record's own values. A pair
-- people refused (refused_pairs) is not compared: the posterior is over the other candidates.
WITH registry AS (
    SELECT person_id, id18, TRY_CAST(id18 AS BIGINT) AS id_num, id_status, name, pinyin,
           split_part(pinyin, ' ', 1) AS surname_pinyin, sex, birth_date, home_county
    FROM registry_people
),
by_name_birth AS (
    SELECT f.source, f.delivery_date, f.record_no, g.person_id
    FROM fuzzy_records f JOIN registry g ON g.pinyin = f.pinyin AND g.birth_date = f.birth_date
),
by_name_county AS (   -- only for records without a birth date: with one, name + birth date is the key
    SELECT f.source, f.delivery_date, f.record_no, g.person_id
    FROM fuzzy_records f JOIN registry g ON g.pinyin = f.pinyin AND g.home_county = f.county
    WHERE f.birth_date IS NULL
),
by_name_number AS (
    SELECT f.source, f.delivery_date, f.record_no, g.person_id
    FROM fuzzy_records f JOIN registry g ON g.pinyin = f.pinyin AND g.id_num BETWEEN f.id_lo AND f.id_hi
),
by_surname_birth_county AS (
    SELECT f.source, f.delivery_date, f.record_no, g.person_id
    FROM fuzzy_records f
    JOIN registry g ON g.surname_pinyin = f.surname_pinyin AND g.birth_date = f.birth_date AND g.home_county = f.county
),
blocked AS (
    SELECT * FROM by_name_birth
    UNION SELECT * FROM by_name_county
    UNION SELECT * FROM by_name_number
    UNION SELECT * FROM by_surname_birth_county
),
pairs AS (
    SELECT b.*
    FROM blocked b
    LEFT JOIN refused_pairs x
      ON x.source = b.source AND x.delivery_date = b.delivery_date AND x.record_no = b.record_no
     AND x.person_id = b.person_id
    WHERE x.person_id IS NULL
),
tf AS (SELECT kind, value, f FROM term_frequencies)
SELECT
    p.source, p.delivery_date, p.record_no, p.person_id,
    f.name AS r_name, f.pinyin AS r_pinyin, f.sex AS r_sex, f.birth_date AS r_birth, f.birth_year AS r_birth_year,
    f.county_col AS r_county, f.id_lo AS r_id_lo, f.id_hi AS r_id_hi, f.id_digits AS r_id_digits,
    g.id18 AS g_id18, g.id_num AS g_id_num, g.name AS g_name, g.pinyin AS g_pinyin, g.sex AS g_sex,
    g.birth_date AS g_birth, g.home_county AS g_county,
    coalesce(fn.f, 1) AS f_name,
    coalesce(fp.f, 1) AS f_pinyin,
    coalesce(fd.f, 1) AS f_date,
    coalesce(fm.f, 1) AS f_ym,
    coalesce(fy.f, 1) AS f_year,
    coalesce(fs.f, 1) AS f_sex,
    coalesce(fc.f, 1) AS f_county
FROM pairs p
JOIN fuzzy_records f USING (source, delivery_date, record_no)
JOIN registry g USING (person_id)
LEFT JOIN tf fn ON fn.kind = 'name' AND fn.value = f.name
LEFT JOIN tf fp ON fp.kind = 'pinyin' AND fp.value = f.pinyin
LEFT JOIN tf fd ON fd.kind = 'birth_date' AND fd.value = CAST(f.birth_date AS VARCHAR)
LEFT JOIN tf fm ON fm.kind = 'year_month' AND fm.value = substr(CAST(f.birth_date AS VARCHAR), 1, 7)
LEFT JOIN tf fy ON fy.kind = 'year' AND fy.value = f.birth_year
LEFT JOIN tf fs ON fs.kind = 'sex' AND fs.value = f.sex
LEFT JOIN tf fc ON fc.kind = 'county' AND fc.value = f.county_col
