-- The persons a review record of tier 3 might be: the one a repair would give when an Excel
-- interval conflict stopped it, or every agreeing person within one edit.
SELECT o.source, o.delivery_date, o.record_no, o.person_id, CAST(NULL AS DOUBLE) AS score,
    CAST(json_object('identity_number', o.edit, 'name', o.name_level) AS VARCHAR) AS detail, 2 AS tier_order
FROM repair_outcomes o JOIN repair_conflicts USING (source, delivery_date, record_no)
UNION ALL
SELECT m.source, m.delivery_date, m.record_no, m.person_id, CAST(NULL AS DOUBLE),
    CAST(json_object('identity_number', m.edit, 'name', m.name_level) AS VARCHAR), 2
FROM repair_matches m
JOIN repair_outcomes o USING (source, delivery_date, record_no)
WHERE o.agreeing > 1 AND m.name_level IN ('exact', 'pinyin', 'close')
