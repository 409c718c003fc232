-- The candidates of a household-context review record: the members whose name fits (or the
-- head whom another known person of that name makes doubtful).
SELECT m.source, m.delivery_date, m.record_no, m.person_id, CAST(NULL AS DOUBLE) AS score,
    CAST(json_object('household', m.path, 'household_id', m.household_id, 'name', m.name_level) AS VARCHAR) AS detail,
    4 AS tier_order
FROM context_matches m
JOIN tier_context d USING (source, delivery_date, record_no)
WHERE d.outcome = 'review'
