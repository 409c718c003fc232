-- Tiers 1 and 2: a valid number (typed as 18 characters, or converted from the old 15-digit form)
-- equal to a registry person's. A valid check digit rules out any single typo, so agreement is
-- decisive (score 1); the name is still compared, and a number that fits but a name that does not
-- (another family member's number typed in?) goes to review instead.
CREATE OR REPLACE TEMP TABLE tier_candidates AS
SELECT
    r.source, r.delivery_date, r.record_no, g.person_id,
    CASE WHEN r.id_was_15 THEN 'id15_converted' ELSE 'exact_id' END AS method,
    name_level(r.name, r.pinyin, g.name, g.pinyin) AS name_level
FROM link_records r
JOIN link_registry g ON g.id18 = r.id18 AND g.id_rank = 1
WHERE r.id_status = 'valid';

INSERT INTO link_decisions
SELECT source, delivery_date, record_no,
    CASE WHEN name_level <> 'different' THEN person_id END,
    method, 1.0,
    CASE WHEN name_level <> 'different' THEN 'link' ELSE 'review' END,
    CASE WHEN name_level = 'different' THEN 'the identity number is a registry person''s but the name is not' END,
    json_object('tier', method, 'identity_number', 'equal', 'name', name_level)
FROM tier_candidates;

INSERT INTO review_candidates
SELECT source, delivery_date, record_no, person_id, 1.0,
    json_object('identity_number', 'equal', 'name', name_level)
FROM tier_candidates WHERE name_level = 'different';
