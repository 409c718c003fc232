-- Tier 3's department records: a number whose check digit fails has a typo. An 18-digit number
-- taken for Excel damage (it sits on a multiple of 1000) may just as well carry a typo: it is
-- tried here too before the fuzzy tier.
SELECT source, delivery_date, record_no, coalesce(id18, id_raw) AS typed, name, pinyin
FROM link_records
WHERE id_status = 'bad_check' OR (id_status = 'mangled' AND regexp_full_match(id_raw, '[0-9]{18}'))
