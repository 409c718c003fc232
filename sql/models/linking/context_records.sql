-- The household-context tier's records (tier 4): not decided by a number tier, their own number
-- unusable (blank, Excel-mangled, malformed, a typo no single edit repairs: the fuzzy tier's
-- records), naming a household (its head's name). For a mangled number, the interval the true
-- number lies in, as the fuzzy tier reads it (a member whose number lies outside is not the
-- record's person). `is_head_row`: the record's name reads as the head's (housing, where the
-- record is the head; the head's own row of agri_monitoring).
SELECT
    source, delivery_date, record_no, signature, name, pinyin, id_status, id18,
    CASE WHEN id_status = 'mangled' THEN id_lo
         WHEN id_status = 'valid' THEN CAST(id18 AS BIGINT) - 500 END AS id_lo,
    CASE WHEN id_status = 'mangled' THEN id_hi
         WHEN id_status = 'valid' THEN CAST(id18 AS BIGINT) + 500 END AS id_hi,
    sex_col, birth_col, head_name, head_pinyin, head_id18, head_id_status, head_id_lo, head_id_hi, village,
    pinyin = head_pinyin AS is_head_row
FROM undecided_records
WHERE (id_status IN ('blank', 'mangled', 'malformed', 'bad_check', 'bad_date')
       OR (id_status = 'valid' AND id18 LIKE '%000'))
  AND name IS NOT NULL AND head_pinyin IS NOT NULL
