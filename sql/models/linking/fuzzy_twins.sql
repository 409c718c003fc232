-- Would-be fuzzy links whose record fits another known identity as well: someone else with a
-- valid number (in the registry or in any department's data) whose name reads the same and whose
-- birth date, sex and number do not contradict the record (a county column says where someone
-- lives, a known identity only where its number was issued: they cannot rule each other out).
-- Such a record cannot tell the two apart, so it is not linked (a decoy, or namesakes born the
-- same day). Equality joins only: on the birth date when the record has one, else on the leading
-- digits every number in the record's mangled-number interval shares (one of two prefixes).
WITH proposed AS (
    SELECT p.source, p.delivery_date, p.record_no, p.g_id18, f.pinyin, f.birth_date, f.sex, f.id_lo, f.id_hi,
           f.id_digits - 1 AS prefix_len
    FROM fuzzy_proposed p JOIN fuzzy_records f USING (source, delivery_date, record_no)
),
by_birth AS (
    SELECT p.*, k.id18 AS other
    FROM proposed p JOIN known_identities k ON k.pinyin = p.pinyin AND k.birth_date = p.birth_date
    WHERE p.birth_date IS NOT NULL
),
prefixes AS (
    SELECT *, substr(CAST(id_lo AS VARCHAR), 1, prefix_len) AS prefix FROM proposed
    WHERE birth_date IS NULL AND id_lo IS NOT NULL
    UNION
    SELECT *, substr(CAST(id_hi AS VARCHAR), 1, prefix_len) FROM proposed WHERE birth_date IS NULL AND id_lo IS NOT NULL
),
by_number AS (
    SELECT p.source, p.delivery_date, p.record_no, p.g_id18, p.pinyin, p.birth_date, p.sex, p.id_lo, p.id_hi,
           p.prefix_len, k.id18 AS other
    FROM prefixes p JOIN known_identities k ON k.pinyin = p.pinyin AND substr(k.id18, 1, p.prefix_len) = p.prefix
),
by_name AS (   -- neither a birth date nor a number: the name alone
    SELECT p.*, k.id18 AS other
    FROM proposed p JOIN known_identities k ON k.pinyin = p.pinyin
    WHERE p.birth_date IS NULL AND p.id_lo IS NULL
),
fits AS (
    SELECT * FROM by_birth UNION ALL SELECT * FROM by_number UNION ALL SELECT * FROM by_name
)
SELECT f.source, f.delivery_date, f.record_no, count(DISTINCT f.other) AS twins
FROM fits f
JOIN known_identities k ON k.id18 = f.other AND k.pinyin = f.pinyin
WHERE (f.g_id18 IS NULL OR f.other <> f.g_id18)
  AND (f.birth_date IS NULL OR k.birth_date = f.birth_date)
  AND (f.sex IS NULL OR k.sex = f.sex)
  AND (f.id_lo IS NULL OR TRY_CAST(k.id18 AS BIGINT) BETWEEN f.id_lo AND f.id_hi)
GROUP BY f.source, f.delivery_date, f.record_no
