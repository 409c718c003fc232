-- The registry person a review record of tiers 1-2 would have been: its number's owner.
SELECT source, delivery_date, record_no, person_id, 1.0 AS score,
    CAST(json_object('identity_number', 'equal', 'name', name_level) AS VARCHAR) AS detail, 1 AS tier_order
FROM tier_exact_matches
WHERE name_level = 'different'
