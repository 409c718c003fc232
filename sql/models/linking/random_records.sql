-- A pseudo-random sample of department names (lowest record signature, an md5: the same on every
-- run and engine);
-- paired one to one with random_people they are almost all non-matches: the u-probability of
-- the one comparison level without a frequency table (a close but different name).
SELECT signature AS k, name AS r_name, pinyin AS r_pinyin
FROM link_records WHERE name IS NOT NULL
ORDER BY signature, source, delivery_date, record_no
LIMIT $u_sample_pairs
