-- Tiers 1 and 2: a valid number (typed as 18 characters, or converted from the old 15-digit
-- form) equal to a registry person's, with how the names compare. A pair people refused
-- (refused_pairs) is not a match.
SELECT
    r.source, r.delivery_date, r.record_no, g.person_id,
    CASE WHEN r.id_was_15 THEN 'id15_converted' ELSE 'exact_id' END AS method,
    name_level(r.name, r.pinyin, g.name, g.pinyin, $name_agreement_jaro_winkler) AS name_level
FROM link_records r
JOIN link_registry g ON g.id18 = r.id18 AND g.id_rank = 1
LEFT JOIN refused_pairs x
  ON x.source = r.source AND x.delivery_date = r.delivery_date AND x.record_no = r.record_no
 AND x.person_id = g.person_id
WHERE r.id_status = 'valid' AND x.person_id IS NULL
