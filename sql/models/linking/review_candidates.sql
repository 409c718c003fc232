-- The candidates of each review record, from the tier whose decision stands.
SELECT c.source, c.delivery_date, c.record_no, c.person_id, c.score, c.detail
FROM (SELECT * FROM tier_exact_candidates UNION ALL SELECT * FROM tier_repair_candidates
      UNION ALL SELECT * FROM tier_context_candidates UNION ALL SELECT * FROM tier_fuzzy_candidates) c
JOIN link_decisions d USING (source, delivery_date, record_no, tier_order)
WHERE d.outcome = 'review'
