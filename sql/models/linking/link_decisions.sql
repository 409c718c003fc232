-- Every decided department record of the night: linked to a person, or sent to review. A tie
-- people confirmed (confirmed_ties) stands first, whatever the tiers say (method
-- clerk_confirmed, score 1, the explanation naming who decided, when, in which file, and what
-- the tiers would have said); then the number tiers, the household-context tier and the fuzzy
-- tier, each deciding the records the earlier ones left.
WITH tiers AS (
    SELECT * FROM number_decisions
    UNION ALL
    SELECT * FROM tier_context
    UNION ALL
    SELECT * FROM tier_fuzzy
)
SELECT c.source, c.delivery_date, c.record_no, c.person_id,
    'clerk_confirmed' AS method,
    1.0 AS score,
    'link' AS outcome,
    CAST(NULL AS VARCHAR) AS reason,
    CAST(json_object('tier', 'clerk_confirmed', 'decided_by', c.decided_by,
                     'decided_on', CAST(c.decided_on AS VARCHAR), 'origin', c.origin,
                     'tiers_said', coalesce(t.outcome || ' ' || t.method || coalesce(' ' || t.person_id, ''), 'nothing'))
         AS VARCHAR) AS explanation,
    0 AS tier_order
FROM confirmed_ties c
LEFT JOIN tiers t USING (source, delivery_date, record_no)
UNION ALL
SELECT t.*
FROM tiers t
WHERE NOT EXISTS (SELECT 1 FROM confirmed_ties c WHERE c.source = t.source AND c.delivery_date = t.delivery_date
                                                   AND c.record_no = t.record_no)
