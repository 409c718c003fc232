-- Tier 4: the 残疾人证号 carries the holder's identity number in its first 18 characters. It
-- decides records the number-based tiers above did not (a blank or mistyped 身份证号):
-- number_decisions keeps an earlier tier's decision first. A refused pair is not a match.
WITH matches AS (
    SELECT r.source, r.delivery_date, r.record_no, g.person_id,
           name_level(r.name, r.pinyin, g.name, g.pinyin, $name_agreement_jaro_winkler) AS name_level
    FROM link_records r
    JOIN link_registry g ON g.id18 = r.card_id18 AND g.id_rank = 1
    LEFT JOIN refused_pairs x
      ON x.source = r.source AND x.delivery_date = r.delivery_date AND x.record_no = r.record_no
     AND x.person_id = g.person_id
    WHERE r.card_status = 'valid' AND x.person_id IS NULL
)
SELECT source, delivery_date, record_no,
    CASE WHEN name_level <> 'different' THEN person_id END AS person_id,
    'disability_card' AS method,
    1.0 AS score,
    CASE WHEN name_level <> 'different' THEN 'link' ELSE 'review' END AS outcome,
    CASE WHEN name_level = 'different'
         THEN 'the disability card holds a registry person''s number but the name differs' END AS reason,
    CAST(json_object('tier', 'disability_card', 'identity_number', 'equal (from card)', 'name', name_level) AS VARCHAR)
        AS explanation,
    3 AS tier_order
FROM matches
