-- The decision of the first number-based tier (exact, repaired, card) that decided a record.
-- Everything after this reads it instead of asking "not decided by an earlier tier" again.
SELECT * EXCLUDE (pick)
FROM (
    SELECT *, row_number() OVER (PARTITION BY source, delivery_date, record_no ORDER BY tier_order) AS pick
    FROM (SELECT * FROM tier_exact UNION ALL SELECT * FROM tier_repair UNION ALL SELECT * FROM tier_card) d
) ranked
WHERE pick = 1
