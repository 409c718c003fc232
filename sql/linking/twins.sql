-- Would-be fuzzy links whose record fits another known identity as well: someone else with a
-- valid number (in the registry or in any department's data) whose name reads the same and whose
-- birth date, sex and number do not contradict the record (a county column says where someone
-- lives, a known identity only where its number was issued: they cannot rule each other out). Such a record cannot tell the
-- two apart, so it is not linked (a decoy, or namesakes born the same day).
CREATE OR REPLACE TEMP TABLE fuzzy_twins AS
SELECT p.source, p.delivery_date, p.record_no, count(DISTINCT k.id18) AS twins
FROM fuzzy_proposed p
JOIN fuzzy_records f USING (source, delivery_date, record_no)
JOIN known_identities k
  ON k.pinyin = f.pinyin
 AND (p.g_id18 IS NULL OR k.id18 <> p.g_id18)
 AND (f.birth_date IS NULL OR k.birth_date = f.birth_date)
 AND (f.sex IS NULL OR k.sex = f.sex)
 AND (f.id_lo IS NULL OR TRY_CAST(k.id18 AS BIGINT) BETWEEN f.id_lo AND f.id_hi)
GROUP BY ALL;
