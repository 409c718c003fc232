-- A pseudo-random sample of registry names (lowest md5 of the person id; see random_records).
SELECT md5(person_id || '|u') AS k, name AS g_name, pinyin AS g_pinyin
FROM registry_people WHERE name IS NOT NULL
ORDER BY k, person_id
LIMIT $u_sample_pairs
