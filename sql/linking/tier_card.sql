-- Tier 4: the 残疾人证号 carries the holder's identity number in its first 18 characters.
-- Used for records the number-based tiers above did not decide (a blank or mistyped 身份证号).
CREATE OR REPLACE TEMP TABLE tier_candidates AS
SELECT r.source, r.delivery_date, r.record_no, g.person_id,
       name_level(r.name, r.pinyin, g.name, g.pinyin) AS name_level
FROM link_records r
JOIN link_registry g ON g.id18 = r.card_id18 AND g.id_rank = 1
WHERE r.card_status = 'valid'
  AND NOT EXISTS (SELECT 1 FROM link_decisions d
                  WHERE d.source = r.source AND d.delivery_date = r.delivery_date AND d.record_no = r.record_no);

INSERT INTO link_decisions
SELECT source, delivery_date, record_no,
    CASE WHEN name_level <> 'different' THEN person_id END,
    'disability_card', 1.0,
    CASE WHEN name_level <> 'different' THEN 'link' ELSE 'review' END,
    CASE WHEN name_level = 'different' THEN 'the disability card holds a registry person''s number but the name differs' END,
    json_object('tier', 'disability_card', 'identity_number', 'equal (from card)', 'name', name_level)
FROM tier_candidates;
