-- The candidates of a fuzzy review record, best first (at most 5, each with some chance).
SELECT s.source, s.delivery_date, s.record_no, s.person_id, s.probability AS score, s.explanation AS detail,
       5 AS tier_order
FROM fuzzy_scores s
JOIN tier_fuzzy d USING (source, delivery_date, record_no)
WHERE d.outcome = 'review' AND s.candidate_rank <= 5 AND s.probability >= 0.001
