-- Decisions of tiers 1 and 2. A valid check digit rules out any single typo, so agreement is
-- decisive (score 1); the name is still compared, and a number that fits with a name that does
-- not (another family member's number typed in?) goes to review instead.
SELECT source, delivery_date, record_no,
    CASE WHEN name_level <> 'different' THEN person_id END AS person_id,
    method,
    1.0 AS score,
    CASE WHEN name_level <> 'different' THEN 'link' ELSE 'review' END AS outcome,
    CASE WHEN name_level = 'different' THEN 'the identity number is a registry person''s but the name is not' END
        AS reason,
    CAST(json_object('tier', method, 'identity_number', 'equal', 'name', name_level) AS VARCHAR) AS explanation,
    1 AS tier_order
FROM tier_exact_matches
