-- Candidate pairs for the fuzzy tier. Blocking keeps the cost linear: a record is compared only
-- with registry persons who share its pinyin and its birth date, or its pinyin and its county, or
-- (for a name mistyped beyond a homophone) its surname, birth date and county. A record that
-- carries neither a birth date nor a county is not compared at all: a name alone identifies nobody.
CREATE OR REPLACE TEMP TABLE fuzzy_pairs AS
WITH registry AS (
    SELECT person_id, id18, id_status, name, pinyin, split_part(pinyin, ' ', 1) AS surname_pinyin,
           sex, birth_date, county
    FROM link_registry
    WHERE id_rank = 1 OR id18 IS NULL
),
by_name_birth AS (
    SELECT f.source, f.delivery_date, f.record_no, g.person_id
    FROM fuzzy_records f JOIN registry g ON g.pinyin = f.pinyin AND g.birth_date = f.birth_date
),
by_name_county AS (
    SELECT f.source, f.delivery_date, f.record_no, g.person_id
    FROM fuzzy_records f JOIN registry g ON g.pinyin = f.pinyin AND g.county = f.county
),
by_surname_birth_county AS (
    SELECT f.source, f.delivery_date, f.record_no, g.person_id
    FROM fuzzy_records f
    JOIN registry g ON g.surname_pinyin = f.surname_pinyin AND g.birth_date = f.birth_date AND g.county = f.county
),
pairs AS (
    SELECT * FROM by_name_birth
    UNION SELECT * FROM by_name_county
    UNION SELECT * FROM by_surname_birth_county
)
SELECT
    p.source, p.delivery_date, p.record_no, p.person_id,
    f.name AS r_name, f.pinyin AS r_pinyin, f.sex AS r_sex, f.birth_col AS r_birth_col, f.prefix AS r_prefix,
    f.birth_date AS r_birth, f.birth_year AS r_birth_year, f.prefix_ym AS r_ym, f.county AS r_county,
    g.id18 AS g_id18, g.name AS g_name, g.pinyin AS g_pinyin, g.sex AS g_sex, g.birth_date AS g_birth,
    g.county AS g_county
FROM pairs p
JOIN fuzzy_records f USING (source, delivery_date, record_no)
JOIN registry g USING (person_id);
