-- Department records no number-based tier decided: what is left for the fuzzy tier.
-- @materialized: ephemeral
SELECT r.*
FROM link_records r
LEFT JOIN number_decisions d USING (source, delivery_date, record_no)
WHERE d.record_no IS NULL
